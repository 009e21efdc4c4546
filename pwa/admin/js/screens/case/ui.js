// Shared by the queue, the case and the approvals: deadlines in words, forms with their own error, problems in words.
import { explain } from "/js/api.js";
import { alertBox, field, h } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { announce } from "../../main.js";

// Problems the case screens can meet, by the server's stable code: our own words, never its English title.
const CODES = ["four-eyes", "not-a-decider", "victim-opinion-required", "case-not-substantiated", "below-penalty-floor",
  "original-sanction-pending", "already-decided", "recused", "victim-wish-required", "measure-answered", "duration-required",
  "duration-out-of-bounds", "duration-not-applicable", "respondent-required", "respondent-ambiguous", "unknown-employee",
  "no-mitigation-for-merit", "illegal-transition", "finding-required", "stale-version", "access-denied", "order-not-active",
  "already-in-assigned-team", "victim-consent-needed", "measure-done", "days-required", "measure-too-short", "case-closed",
  "contract-cancelled", "cancellation-not-initiated", "unsupported-media-type", "empty-file", "malformed-file"];

export function problem(err) {
  if (err?.code && CODES.includes(err.code)) return t(`problem.${err.code}`);
  if (err?.status === 412) return t("problem.stale-version");
  if (err?.status === 422 && err.errors?.length) return `${t("err.invalid")} ${t("problem.fields", { fields: err.errors.map((e) => e.loc?.at(-1)).join(", ") })}`;
  return explain(err);
}

// Whole days from today (the browser's day) to an ISO date.
export function daysUntil(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const now = new Date();
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())) / 86400000);
}

// A deadline in words: "12 March 2026 · D-3", "… · overdue", "done on …" — never colour alone.
export function deadlineText(dl) {
  if (!dl) return h("span", {}, t("queue.noDeadline"));
  if (dl.met_on) return h("span", {}, t("deadline.met", { date: formatDate(dl.met_on) }), dl.breached ? [" · ", h("strong", { class: "overdue" }, t("deadline.breached"))] : null);
  const n = daysUntil(dl.due_on);
  const late = dl.breached || n < 0;
  return h("span", {}, formatDate(dl.due_on), " · ",
    late ? h("strong", { class: "overdue" }, t("deadline.breached")) : h("span", { class: "badge" }, n === 0 ? t("queue.dday") : t("queue.dminus", { n })));
}

// A form: labelled controls, a submit button, its error (role=alert) next to it; `run` returns the text to announce.
export function form(title, controls, submitLabel, run, cls = "primary") {
  const box = h("div", {});
  const submit = h("button", { type: "submit", class: cls }, submitLabel);
  const el = h("form", { class: "stack action", onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    box.replaceChildren();
    try {
      const said = await run();
      if (said) announce(said);
    } catch (err) {
      box.replaceChildren(alertBox(problem(err)));
      const alert = box.firstChild;
      alert.tabIndex = -1;
      alert.focus();
    } finally {
      submit.disabled = false;
    }
  } }, title && h("h3", {}, title), controls, box, h("div", { class: "actions" }, submit));
  return el;
}

export const text = (label, attrs = {}, hint) => field(label, h(attrs.rows ? "textarea" : "input", { ...attrs }), hint);
export const select = (label, options, attrs = {}, hint) =>
  field(label, h("select", attrs, options.map(([v, l]) => h("option", { value: v }, l))), hint);
export const value = (el, sel = "input, textarea, select") => el.querySelector(sel).value.trim();

// A definition list from [label, value] pairs; empty values are left out.
export const facts = (pairs) => h("dl", { class: "facts" },
  pairs.filter(([, v]) => v != null && v !== "").map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));

export const when = (iso) => (iso ? formatDate(iso.slice(0, 10)) : "");
export const empty = (key) => h("p", { class: "hint" }, t(key));

// A table that may scroll sideways on a phone: a named, focusable region, so the keyboard can scroll it too.
export const scroller = (label, table) => h("div", { class: "table-wrap", role: "region", tabindex: 0, "aria-label": label }, table);
