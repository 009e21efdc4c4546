// The approvals inbox (issue #7, item 4): what waits for a second person — identity disclosures (CASE-5), sanctions
// (SAN-2) and contract cancellations (CON-2). One never decides one's own request: the server refuses it, and the
// screen says so before anyone tries. Separation order lifts are not two-person (SEP-6): they are on the case.
import { h, section } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { refresh } from "../main.js";
import { call } from "../session.js";
import { level } from "./case/sanctions.js";
import { empty, facts, form, select, text, value, when } from "./case/ui.js";

export async function render({ me }) {
  const [disclosures, sanctions, contracts] = await Promise.all([
    call("/approvals/disclosures"), call("/approvals/sanctions"), call("/approvals/contracts")]);
  return h("div", { class: "stack" },
    h("h1", {}, t("approvals.title")),
    h("p", {}, t("approvals.lead")),
    h("p", { class: "note" }, t("approvals.lifts")),
    section(t("approvals.disclosures", { n: disclosures.length }), disclosures.length
      ? h("ul", { class: "cards" }, disclosures.map((d) => disclosure(d, me))) : empty("approvals.none")),
    section(t("approvals.sanctions", { n: sanctions.length }), h("p", { class: "hint" }, t("approvals.sanctions.lead")), sanctions.length
      ? h("ul", { class: "cards" }, sanctions.map((s) => sanction(s, me))) : empty("approvals.none")),
    section(t("approvals.contracts", { n: contracts.length }), contracts.length
      ? h("ul", { class: "cards" }, contracts.map(contract)) : empty("approvals.none")));
}

const caseLink = (id, ref) => h("a", { href: `#/case/${id}` }, t("approvals.case", { ref }));
const after = (key) => { refresh(); return t(key); };

function disclosure(d, me) {
  const own = d.requester_id === me.id;
  const consent = select(t("approvals.consent"), [["given", t("disclosure.consent.given")], ["not_required", t("disclosure.consent.not_required")], ["refused", t("disclosure.consent.refused")]], {}, t("approvals.consent.hint"));
  const decide = (approve) => form(null, [], t(approve ? "approvals.approve" : "approvals.decline"), async () => {
    await call(`/cases/${d.case_id}/disclosures/${d.id}/decision`, { method: "POST", body: approve ? { approve, victim_consent: value(consent) } : { approve } });
    return after(approve ? "approvals.approved" : "approvals.declined");
  }, approve ? "primary" : "");
  return h("li", {},
    h("h3", {}, t("approvals.disclosure"), " · ", caseLink(d.case_id, d.case_reference)),
    facts([[t("approvals.requester"), d.requester], [t("approvals.requested"), when(d.requested_at)], [t("approvals.reason"), d.reason]]),
    own ? h("p", { class: "note own" }, t("approvals.own")) : null,
    consent, h("div", { class: "actions" }, decide(true), decide(false)));
}

function sanction(s, me) {
  const own = s.proposed_by_id === me.id;
  const reason = text(t("sanction.decision.reason"), { rows: 2, required: true, minlength: 10 }, t("case.reason.hint"));
  const decide = (approve) => form(null, [], t(approve ? "approvals.approve" : "approvals.decline"), async () => {
    await call(`/cases/${s.case_id}/sanctions/${s.id}/decision`, { method: "POST", body: { approve, reason: value(reason) } });
    return after(approve ? "approvals.approved" : "approvals.declined");
  }, approve ? "primary" : "");
  return h("li", {},
    h("h3", {}, level(s), " · ", caseLink(s.case_id, s.case_reference)),
    facts([[t("sanction.respondent"), s.respondent_employee_number || s.respondent_label], [t("sanction.proposedBy"), `${s.proposed_by} · ${when(s.proposed_at)}`], [t("sanction.reason"), s.reason]]),
    own ? h("p", { class: "note own" }, t("approvals.own")) : null,
    h("p", { class: "hint" }, t("approvals.sanction.opinion")),
    reason, h("div", { class: "actions" }, decide(true), decide(false)));
}

function contract(k) {
  return h("li", {},
    h("h3", {}, t("approvals.contract", { number: k.number, title: k.title })),
    facts([[t("approvals.organisation"), k.organisation_name], [t("approvals.ground"), k.cancellation_ground && t(`approvals.ground.${k.cancellation_ground}`)],
      [t("approvals.reason"), k.cancellation_reason], [t("approvals.initiated"), k.cancellation_initiated_on && when(k.cancellation_initiated_on)]]),
    k.you_may_confirm ? null : h("p", { class: "note own" }, t("approvals.contract.notYou")),
    h("p", { class: "hint" }, t("approvals.contract.noDecline")),
    form(null, [], t("approvals.confirm"), async () => {
      await call(`/contracts/${k.id}/cancellation/confirm`, { method: "POST" });
      return after("approvals.confirmed");
    }, "danger"));
}
