// The dashboard's one kit, for every screen: errors, times, numbers and deadlines in our own words; facts, tables,
// forms and labelled controls built with h(); loading a part of a screen that a role may not use (403: left out).
import { explain } from "/js/api.js";
import { alertBox, announce, field, h } from "/js/dom.js";
import { formatDate, lang, t } from "/js/i18n.js";
import { call, forget } from "./session.js";

// --- errors -----------------------------------------------------------------------------------------------------

// A text if the key exists, else null (t() answers the key itself when there is no text).
const maybe = (key, vars) => (t(key, vars) === key ? null : t(key, vars));

// An error in our own words, never the server's English title: the screen's own text for its code
// (`<prefix>.err.<code>`, e.g. "users.err.own-account-change"), else the dashboard's (`problem.<code>`), else by
// status, else the shared wording of /js/api.js. A 401 in the middle of a screen means the sign-in ended: the page
// starts again at the sign-in form.
export function problem(err, prefix) {
  if (err?.status === 401) {
    // A sign-in that holds no key (issue 18) cannot be renewed into one that does: it ends here.
    if (err.code === "sign-in-again") forget();
    setTimeout(() => location.reload(), 1500);
    return t("admin.expired");
  }
  const code = err?.code;
  const own = code && ((prefix && maybe(`${prefix}.err.${code}`)) || maybe(`problem.${code}`));
  if (own) return own;
  if (err?.status === 412) return t("problem.stale-version");
  if (err?.status === 422 && err.errors?.length) {
    const fields = err.errors.map((e) => e.loc?.at(-1)).join(", ");
    return `${t("err.invalid")} ${t("problem.fields", { fields })}`;
  }
  return explain(err);
}

// GET a part of a screen: {data} or {denied: true} when the role may not use it (403), {error} otherwise.
export async function part(path) {
  try {
    return { data: await call(path) };
  } catch (err) {
    if (err.status === 401) throw err; // the session ended: the shell asks to sign in again
    return err.status === 403 ? { denied: true } : { error: err };
  }
}

// --- times, numbers, deadlines ----------------------------------------------------------------------------------

const locale = () => (lang() === "ko" ? "ko-KR" : "en-GB");

// The day of an ISO date or timestamp ("12 March 2026"): what the case screens show of when something happened.
export const whenDay = (iso) => (iso ? formatDate(iso.slice(0, 10)) : "");

// The day and time of an ISO timestamp ("12 Mar 2026, 14:05"): for logs, accounts and the case's history.
export function whenTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export const num = (n, digits = 0) =>
  new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
export const percent = (x) =>
  new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(x);

// A count cell of the statistics (STAT-1): a suppressed count is words, never 0.
export function count(cell) {
  if (!cell) return "";
  if (cell.suppressed || cell.count == null) return h("span", { class: "suppressed" }, t("stats.suppressed"));
  return num(cell.count);
}

// Whole days from today (the browser's day) to an ISO date.
function daysUntil(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const now = new Date();
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())) / 86400000);
}

// A deadline in words: "12 March 2026 · D-3", "… · overdue", "done on …" — never colour alone.
export function deadlineText(dl) {
  if (!dl) return h("span", {}, t("queue.noDeadline"));
  const breached = h("strong", { class: "overdue" }, t("deadline.breached"));
  if (dl.met_on) {
    return h("span", {}, t("deadline.met", { date: formatDate(dl.met_on) }), dl.breached ? [" · ", breached] : null);
  }
  return h("span", {}, formatDate(dl.due_on), " · ", urgency(dl));
}

// CASE-2's urgency of an open deadline, in colour and words: overdue (red), due today (amber), else D-n (quiet).
export function urgency(dl) {
  const n = daysUntil(dl.due_on);
  if (dl.breached || n < 0) {
    const late = Math.max(1, -n);
    return h("strong", { class: "badge urgency overdue" }, t(late === 1 ? "queue.lateDay" : "queue.late", { n: late }));
  }
  if (n === 0) return h("strong", { class: "badge urgency due-today" }, t("queue.dday"));
  return h("span", { class: "badge" }, t("queue.dminus", { n }));
}

// --- building blocks --------------------------------------------------------------------------------------------

// A description list of [term, value] pairs. A pair is left out when it is missing (`condition && [term, value]`)
// or its value is empty (null, "" or false). `cls` adds classes to "facts".
const given = (pair) => pair && pair[1] != null && pair[1] !== "" && pair[1] !== false;
export const facts = (pairs, cls = "") => h("dl", { class: `facts ${cls}`.trim() },
  pairs.filter(given).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));

// A table that may scroll sideways on a phone: a named region that takes the focus, so that the keyboard can scroll
// it too (WCAG 2.1.1).
export const scroller = (label, table, cls = "") =>
  h("div", { class: `table-wrap ${cls}`.trim(), tabindex: "0", role: "region", "aria-label": label }, table);

// A data table: caption, column headers (scope=col) and rows whose first cell is a row header (scope=row).
export function table(caption, headers, rows, { rowHeaders = true, cls = "" } = {}) {
  const cell = (c, i) => (i === 0 && rowHeaders ? h("th", { scope: "row" }, c) : h("td", {}, c));
  return scroller(caption, h("table", {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map(cell))))), cls);
}

// A short hex value (a hash, an id) with the whole of it readable by a screen reader and on hover.
export function short(value, n = 12) {
  if (!value) return "";
  if (value.length <= n) return h("code", { title: value }, value);
  return h("code", { title: value }, value.slice(0, n), h("span", { class: "sr-only" }, value.slice(n)), "…");
}

// A hint-styled line for what is not there ("no messages yet").
export const empty = (key) => h("p", { class: "hint" }, t(key));

// replaceChildren without the nulls (it would write them as the text "null").
export const fill = (el, ...children) =>
  el.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));

// --- forms and labelled controls --------------------------------------------------------------------------------

// A labelled text input, or a textarea when `attrs.rows` is given.
export const text = (label, attrs = {}, hint) => field(label, h(attrs.rows ? "textarea" : "input", { ...attrs }), hint);

// A labelled <select> of [value, label] options; `attrs.value` names the option chosen at first (else the first).
export const select = (label, options, { value: chosen, ...attrs } = {}, hint) => field(label,
  h("select", attrs, options.map(([v, l]) => h("option", { value: v, selected: v === chosen }, l))), hint);

// The control inside a labelled field (text() or select()), and its value without surrounding spaces.
export const control = (el) => el.querySelector("input, textarea, select");
export const value = (el) => control(el).value.trim();

// Disables a form's buttons while `work` runs.
export async function busy(form, work) {
  const buttons = [...form.querySelectorAll("button")];
  buttons.forEach((b) => (b.disabled = true));
  try {
    return await work();
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

// A form: labelled controls, a submit button, its error (role=alert) next to it; `run` returns the text to announce.
// `more`: further submit buttons beside it; `run` is given the button pressed.
export function form(title, controls, submitLabel, run, cls = "primary", more = []) {
  const box = h("div", {});
  const submit = h("button", { type: "submit", class: cls }, submitLabel);
  return h("form", { class: "stack action", onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    box.replaceChildren();
    try {
      const said = await run(e.submitter);
      if (said) announce(said);
    } catch (err) {
      box.replaceChildren(alertBox(problem(err)));
      const alert = box.firstChild;
      alert.tabIndex = -1;
      alert.focus();
    } finally {
      submit.disabled = false;
    }
  } }, title && h("h3", {}, title), controls, box, h("div", { class: "actions" }, submit, more));
}
