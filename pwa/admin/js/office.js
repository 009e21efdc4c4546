// Shared by the office screens (registries, statistics, audit, users): tables, count cells, times, errors in
// our own words, and loading a part of a screen that a role may not use (403: the part is left out).
import { explain } from "/js/api.js";
import { h } from "/js/dom.js";
import { lang, t } from "/js/i18n.js";
import { call } from "./session.js";

// A text if the key exists, else null (t() answers the key itself when there is no text).
export const maybe = (key, vars) => (t(key, vars) === key ? null : t(key, vars));

// An error in words: a text for its code under `prefix` (e.g. "users.err.own-account-change"), else the usual.
// A 401 in the middle of a screen means the sign-in ended: the page starts again at the sign-in form.
export function say(err, prefix) {
  if (err && err.status === 401) {
    setTimeout(() => location.reload(), 1500);
    return t("admin.expired");
  }
  return (err && err.code && maybe(`${prefix}.err.${err.code}`)) || explain(err);
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

const locale = () => (lang() === "ko" ? "ko-KR" : "en-GB");
export const num = (n, digits = 0) =>
  new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
export const percent = (x) => new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(x);

export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

// A count cell of the statistics (STAT-1): a suppressed count is words, never 0.
export function count(cell) {
  if (!cell) return "";
  if (cell.suppressed || cell.count == null) return h("span", { class: "suppressed" }, t("stats.suppressed"));
  return num(cell.count);
}

// A data table: caption, column headers (scope=col) and rows whose first cell is a row header (scope=row).
export function table(caption, headers, rows, { rowHeaders = true, cls = "" } = {}) {
  // The wrapper scrolls sideways on a phone: it takes the focus so that the keyboard can scroll it (WCAG 2.1.1).
  return h("div", { class: `table-wrap ${cls}`.trim(), tabindex: "0", role: "region", "aria-label": caption },
    h("table", {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows.map((cells) =>
        h("tr", {}, cells.map((c, i) => (i === 0 && rowHeaders ? h("th", { scope: "row" }, c) : h("td", {}, c))))))));
}

// A description list of [term, value] pairs.
export const facts = (pairs, cls = "facts") =>
  h("dl", { class: cls }, pairs.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));

// A short hex value (a hash, an id) with the whole of it readable by a screen reader and on hover.
export const short = (value, n = 12) =>
  value ? h("code", { title: value }, value.length > n ? [value.slice(0, n), h("span", { class: "sr-only" }, value.slice(n)), "…"] : value) : "";

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

// A <select> of [value, label] options.
export const select = (options, selected) =>
  h("select", {}, options.map(([value, label]) => h("option", { value, selected: value === selected ? true : null }, label)));

// replaceChildren without the nulls (it would write them as the text "null").
export const fill = (el, ...children) => el.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));
