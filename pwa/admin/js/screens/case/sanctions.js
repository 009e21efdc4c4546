// Discipline: the victim's opinion first (CASE-6, SAN-3), proposals and decisions by a second person (SAN-1, SAN-2),
// the floor for secondary damage (SD-3), and the unit head's measures (SAN-4).
import { h, section } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { call } from "../../session.js";
import { control, empty, facts, form, select, text, value, whenDay } from "../../ui.js";

export const LEVELS = ["dismissal", "discharge", "demotion", "suspension", "salary_reduction", "reprimand"];
const DECIDERS = ["team_lead", "division_head"];
const WITH_MONTHS = ["suspension", "salary_reduction"];

// A sanction's level in words, with its months where it has them ("Suspension, 2 months").
export const level = (s) => (s.months
  ? t("sanction.withMonths", { level: t(`sanction.level.${s.level}`), n: s.months })
  : t(`sanction.level.${s.level}`));

export async function render(c, ctx) {
  const [data, opinions, heads] = await Promise.all([
    call(`/cases/${c.id}/sanctions`), call(`/cases/${c.id}/victim-opinion`), call(`/cases/${c.id}/head-measures`)]);
  const { done } = ctx;
  return h("div", { class: "stack" },
    opinionPart(c, data, opinions, done),
    section(t("sanction.title"),
      data.penalty_floor ? h("p", { class: "note" }, t("sanction.floor", { level: level(data.penalty_floor) }),
        data.original_sanction_decided === false ? ` ${t("sanction.originalPending")}` : "") : null,
      data.sanctions.length
        ? h("ul", { class: "cards" }, data.sanctions.map((s) => sanction(c, ctx, s, data, done)))
        : empty("sanction.none"),
      propose(c, done)),
    section(t("sanction.head.title"),
      heads.length ? h("ul", { class: "cards" }, heads.map((m) => head(c, m, done))) : empty("sanction.head.none")));
}

function opinionPart(c, data, opinions, done) {
  const opinion = text(t("sanction.opinion.text"), { rows: 3, required: true, maxlength: 10000 },
    t("sanction.opinion.hint"));
  const recorded = data.victim_opinion_recorded;
  const by = (o) => (o.recorded_by === "victim" ? t("sanction.opinion.byVictim") : o.recorded_by);
  return section(t("sanction.opinion.title"),
    h("p", { class: recorded ? "notice" : "note" },
      t(recorded ? "sanction.opinion.onRecord" : "sanction.opinion.missing")),
    opinions.length ? h("ul", {}, opinions.map((o) => h("li", {},
      h("p", { class: "meta" }, formatDate(o.recorded_on), " · ", by(o)),
      h("p", { class: "narrative" }, o.text)))) : null,
    form(t("sanction.opinion.record"), [opinion], t("sanction.opinion.submit"), async () => {
      await call(`/cases/${c.id}/victim-opinion`, { method: "POST", body: { text: value(opinion) } });
      return done("sanction.opinion.recorded");
    }, ""));
}

function sanction(c, ctx, s, data, done) {
  const mine = s.proposed_by_id === ctx.me.id;
  const reason = text(t("sanction.decision.reason"), { rows: 2, required: true, minlength: 10 }, t("case.reason.hint"));
  const decide = (approve) => form(null, [], t(approve ? "sanction.approve" : "sanction.reject"), async () => {
    const r = value(reason);
    await call(`/cases/${c.id}/sanctions/${s.id}/decision`, { method: "POST", body: { approve, reason: r } });
    return done(approve ? "sanction.approved" : "sanction.rejected");
  }, approve ? "primary" : "");
  return h("li", {},
    h("p", {}, h("strong", {}, level(s)), " · ", t(`sanction.status.${s.status}`),
      s.heavy ? [" · ", h("span", { class: "badge" }, t("sanction.heavy"))] : null),
    facts([
      [t("sanction.respondent"), s.respondent_employee_number || s.respondent_label],
      [t("sanction.reason"), s.reason],
      [t("sanction.proposedBy"), `${s.proposed_by} · ${whenDay(s.proposed_at)}`],
      [t("sanction.decidedBy"), s.decided_by && `${s.decided_by} · ${whenDay(s.decided_at)}`],
      [t("sanction.decisionReason"), s.decision_reason],
    ]),
    s.status !== "proposed" ? null
      : mine ? h("p", { class: "note" }, t("sanction.ownProposal"))
        : !DECIDERS.includes(ctx.me.role) ? h("p", { class: "hint" }, t("sanction.onlyDeciders"))
          : h("div", { class: "stack decide" },
            !data.victim_opinion_recorded && h("p", { class: "note" }, t("sanction.opinionFirst")),
            reason, h("div", { class: "actions" }, decide(true), decide(false))));
}

function propose(c, done) {
  const lvl = select(t("sanction.level"), LEVELS.map((l) => [l, t(`sanction.level.${l}`)]), {},
    t("sanction.level.hint"));
  const months = select(t("sanction.months"), [1, 2, 3].map((n) => [String(n), t("sanction.monthsN", { n })]));
  const number = text(t("sanction.respondentNumber"), { autocomplete: "off", maxlength: 40 },
    t("sanction.respondentNumber.hint"));
  const label = text(t("sanction.respondentLabel"), { autocomplete: "off", maxlength: 200 },
    t("sanction.respondentLabel.hint"));
  const reason = text(t("sanction.reason"), { rows: 3, required: true, minlength: 10 }, t("case.reason.hint"));
  const lvlSelect = control(lvl);
  const sync = () => (months.hidden = !WITH_MONTHS.includes(lvlSelect.value));
  lvlSelect.addEventListener("change", sync);
  sync();
  const controls = [h("p", { class: "hint" }, t("sanction.propose.lead")), lvl, months, number, label, reason];
  return form(t("sanction.propose"), controls, t("sanction.propose.submit"), async () => {
    const body = { level: value(lvl), reason: value(reason) };
    if (!months.hidden) body.months = Number(value(months));
    if (value(number)) body.respondent_employee_number = value(number);
    if (value(label)) body.respondent_label = value(label);
    await call(`/cases/${c.id}/sanctions`, { method: "POST", body });
    return done("sanction.proposed");
  }, "");
}

function head(c, m, done) {
  const note = text(t("sanction.head.evidence"), { rows: 2, required: true, minlength: 10 }, t("case.reason.hint"));
  const days = text(t("sanction.head.days"), { type: "number", min: 7, inputmode: "numeric" },
    t("sanction.head.days.hint"));
  return h("li", {},
    h("p", {}, h("strong", {}, t(`sanction.head.${m.kind}`)), " · ", t(`sanction.head.status.${m.status}`)),
    facts([
      [t("sanction.head.who"), m.head_employee_number || t("sanction.head.nobody")],
      [t("sanction.head.source"), t(`sanction.head.source.${m.head_source}`)],
      [t("sanction.head.opened"), formatDate(m.opened_on)],
      [t("sanction.head.done"),
        m.done_on && `${formatDate(m.done_on)} · ${m.done_by || ""} · ${m.evidence_note || ""}`],
    ]),
    m.flagged ? h("p", { class: "note" }, t("sanction.head.flagged")) : null,
    m.status === "open"
      ? form(t("sanction.head.markDone"), m.min_days ? [note, days] : [note], t("sanction.head.submit"), async () => {
        const body = { evidence_note: value(note) };
        if (m.min_days) body.days = Number(value(days));
        await call(`/cases/${c.id}/head-measures/${m.id}/done`, { method: "POST", body });
        return done("sanction.head.recorded");
      }, "")
      : null);
}
