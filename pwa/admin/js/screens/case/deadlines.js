// The case's deadlines (CASE-2), each with its state; the public body's duties (the ministry notification, the
// prevention plan) are done outside WithU, so whoever may (the case's handlers, its team lead, the division head —
// the server decides) records one as done here, with its reference and the day.
import { h, section } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { call } from "../../session.js";
import { deadlineText, empty, form, text, value } from "../../ui.js";

const RECORDED_BY_STAFF = ["ministry_notification", "prevention_plan"];

export function deadlines(c, done) {
  if (!c.deadlines.length) return section(t("case.deadlines"), empty("case.deadlines.none"));
  return section(t("case.deadlines"), h("ul", { class: "deadlines" }, c.deadlines.map((d) => h("li", {},
    h("strong", {}, t(`case.deadline.${d.kind}`)), ": ", deadlineText(d),
    d.met_on && d.reference ? ` · ${t("case.deadline.reference")}: ${d.reference}` : null,
    d.met_on && d.met_by ? ` · ${t("case.deadline.metBy", { who: d.met_by })}` : null,
    !d.met_on && RECORDED_BY_STAFF.includes(d.kind) ? recordDone(c, d, done) : null))));
}

// One small form per open duty: its reference (required) and the day it was done (today when left empty).
function recordDone(c, d, done) {
  const reference = text(t(`case.deadline.reference.${d.kind}`),
    { required: true, maxlength: 100, name: `reference-${d.kind}` }, t("case.deadline.reference.hint"));
  const day = text(t("case.deadline.doneOn"), { type: "date", max: new Date().toISOString().slice(0, 10),
    min: c.opened_on, name: `done-on-${d.kind}` }, t("case.deadline.doneOn.hint", { date: formatDate(c.opened_on) }));
  return form(null, [reference, day], t("case.deadline.recordDone", { what: t(`case.deadline.${d.kind}`) }),
    async () => {
      const body = { reference: value(reference) };
      if (value(day)) body.done_on = value(day);
      await call(`/cases/${c.id}/deadlines/${d.kind}/done`, { method: "POST", body });
      return done("case.deadline.recorded");
    }, "");
}
