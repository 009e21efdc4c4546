// The approvals inbox (issue #7, item 4): what waits for a second person — identity disclosures (CASE-5), sanctions
// (SAN-2), a case's decision or withdrawal (CASE-1, security review F5) and contract cancellations (CON-2); for the
// division head also new case-role accounts and changes to them (ACC-1, security review F1). One never decides one's
// own request: the server refuses it, and the screen says so before anyone tries. Separation order lifts are not
// two-person (SEP-6): they are on the case. For team leads and the division head also possible escrow matches to
// confirm or decline and content-free alerts (CASE-8, SEP-1; security review F4, F11): neither names a case or a
// person. For the division head also the recovery key and its uses (issue 18: screens/recovery.js).
import { h, section } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { call } from "../session.js";
import { empty, facts, form, select, text, value, whenDay } from "../ui.js";
import { proposalText } from "./case/overview.js";
import { level } from "./case/sanctions.js";
import { recoveryPart } from "./recovery.js";
import { accessText } from "./users.js";

export async function render({ me, refresh }) {
  const heads = me.role === "division_head";
  const leads = heads || me.role === "team_lead";
  const [disclosures, sanctions, contracts, accounts, decisions, matches, alerts, recovery] = await Promise.all([
    call("/approvals/disclosures"), call("/approvals/sanctions"), call("/approvals/contracts"),
    heads ? call("/approvals/accounts") : [], call("/approvals/decision-proposals"),
    leads ? call("/approvals/escrow-matches") : [], leads ? call("/approvals/alerts") : [],
    heads ? recoveryPart() : null]);
  const after = (key) => {
    refresh();
    return t(key);
  };
  const cards = (items, card) => (items.length
    ? h("ul", { class: "cards" }, items.map(card))
    : empty("approvals.none"));
  return h("div", { class: "stack" },
    h("h1", {}, t("approvals.title")),
    h("p", {}, t("approvals.lead")),
    h("p", { class: "note" }, t("approvals.lifts")),
    heads ? section(t("approvals.accounts", { n: accounts.length }),
      h("p", { class: "hint" }, t("approvals.accounts.lead")),
      cards(accounts, (a) => account(a, me, after))) : null,
    section(t("approvals.decisions", { n: decisions.length }),
      h("p", { class: "hint" }, t("approvals.decisions.lead")),
      cards(decisions, (p) => decision(p, me, after))),
    section(t("approvals.disclosures", { n: disclosures.length }), cards(disclosures, (d) => disclosure(d, me, after))),
    section(t("approvals.sanctions", { n: sanctions.length }),
      h("p", { class: "hint" }, t("approvals.sanctions.lead")),
      cards(sanctions, (s) => sanction(s, me, after))),
    section(t("approvals.contracts", { n: contracts.length }), cards(contracts, (k) => contract(k, after))),
    leads ? section(t("approvals.escrow", { n: matches.length }),
      h("p", { class: "hint" }, t("approvals.escrow.lead")),
      cards(matches, (m) => escrowMatch(m, after))) : null,
    leads ? section(t("approvals.alerts", { n: alerts.length }),
      h("p", { class: "hint" }, t("approvals.alerts.lead")),
      cards(alerts, (a) => alert(a, after))) : null,
    recovery);
}

const caseLink = (id, ref) => h("a", { href: `#/case/${id}` }, t("approvals.case", { ref }));
const CONSENTS = ["given", "not_required", "refused"];

function disclosure(d, me, after) {
  const own = d.requester_id === me.id;
  const consent = select(t("approvals.consent"), CONSENTS.map((c) => [c, t(`disclosure.consent.${c}`)]), {},
    t("approvals.consent.hint"));
  const decide = (approve) => form(null, [], t(approve ? "approvals.approve" : "approvals.decline"), async () => {
    const body = approve ? { approve, victim_consent: value(consent) } : { approve };
    await call(`/cases/${d.case_id}/disclosures/${d.id}/decision`, { method: "POST", body });
    return after(approve ? "approvals.approved" : "approvals.declined");
  }, approve ? "primary" : "");
  return h("li", {},
    h("h3", {}, t("approvals.disclosure"), " · ", caseLink(d.case_id, d.case_reference)),
    facts([
      [t("approvals.requester"), d.requester],
      [t("approvals.requested"), whenDay(d.requested_at)],
      [t("approvals.reason"), d.reason],
    ]),
    own ? h("p", { class: "note own" }, t("approvals.own")) : null,
    consent, h("div", { class: "actions" }, decide(true), decide(false)));
}

// F5: the case moves only when confirmed; declining leaves it as it is. Team leads and the division head answer.
function decision(p, me, after) {
  const confirmer = ["team_lead", "division_head"].includes(me.role);
  const reason = text(t("approvals.decision.reason"), { rows: 2, required: true, minlength: 10 },
    t("case.reason.hint"));
  const answer = (approve) => form(null, [], t(approve ? "approvals.decision.confirm" : "approvals.decline"),
    async () => {
      const body = { approve, reason: value(reason) };
      await call(`/cases/${p.case_id}/decision-proposals/${p.id}/decision`, { method: "POST", body });
      return after(approve ? "approvals.decision.confirmed" : "approvals.declined");
    }, approve ? "primary" : "");
  return h("li", {},
    h("h3", {}, proposalText(p), " · ", caseLink(p.case_id, p.case_reference)),
    facts([
      [t("sanction.proposedBy"), `${p.proposed_by} · ${whenDay(p.proposed_at)}`],
      [t("sanction.reason"), p.reason],
    ]),
    confirmer ? [reason, h("div", { class: "actions" }, answer(true), answer(false))]
      : h("p", { class: "note own" }, t("approvals.decision.notYou")));
}

function sanction(s, me, after) {
  const own = s.proposed_by_id === me.id;
  const reason = text(t("sanction.decision.reason"), { rows: 2, required: true, minlength: 10 }, t("case.reason.hint"));
  const decide = (approve) => form(null, [], t(approve ? "approvals.approve" : "approvals.decline"), async () => {
    const body = { approve, reason: value(reason) };
    await call(`/cases/${s.case_id}/sanctions/${s.id}/decision`, { method: "POST", body });
    return after(approve ? "approvals.approved" : "approvals.declined");
  }, approve ? "primary" : "");
  return h("li", {},
    h("h3", {}, level(s), " · ", caseLink(s.case_id, s.case_reference)),
    facts([
      [t("sanction.respondent"), s.respondent_employee_number || s.respondent_label],
      [t("sanction.proposedBy"), `${s.proposed_by} · ${whenDay(s.proposed_at)}`],
      [t("sanction.reason"), s.reason],
    ]),
    own ? h("p", { class: "note own" }, t("approvals.own")) : null,
    h("p", { class: "hint" }, t("approvals.sanction.opinion")),
    reason, h("div", { class: "actions" }, decide(true), decide(false)));
}

function contract(k, after) {
  const ground = k.cancellation_ground;
  return h("li", {},
    h("h3", {}, t("approvals.contract", { number: k.number, title: k.title })),
    facts([
      [t("approvals.organisation"), k.organisation_name],
      [t("approvals.ground"), ground && t(`approvals.ground.${ground}`)],
      [t("approvals.reason"), k.cancellation_reason],
      [t("approvals.initiated"), whenDay(k.cancellation_initiated_on)],
    ]),
    k.you_may_confirm ? null : h("p", { class: "note own" }, t("approvals.contract.notYou")),
    h("p", { class: "hint" }, t("approvals.contract.noDecline")),
    form(null, [], t("approvals.confirm"), async () => {
      await call(`/contracts/${k.id}/cancellation/confirm`, { method: "POST" });
      return after("approvals.confirmed");
    }, "danger"));
}

// A new case-role account, or a change to one's access, asked by the system administrator (ACC-1, F1).
function account(a, me, after) {
  const own = a.requested_by_id === me.id || a.user_id === me.id;
  const decide = (approve) => form(null, [], t(approve ? "approvals.approve" : "approvals.decline"), async () => {
    await call(`/account-changes/${a.id}/decision`, { method: "POST", body: { approve } });
    return after(approve ? "approvals.approved" : "approvals.declined");
  }, approve ? "primary" : "");
  return h("li", {},
    h("h3", {}, t(`approvals.account.${a.kind}`), " · ", a.email),
    facts([
      [t("approvals.account.name"), a.display_name],
      a.before && [t("approvals.account.before"), accessText(a.before)],
      [t("approvals.account.after"), accessText(a.after)],
      [t("approvals.account.enrolled"),
        a.enrolled ? t("approvals.account.enrolled.yes") : t("approvals.account.enrolled.no")],
      [t("approvals.requester"), `${a.requested_by} · ${whenDay(a.requested_at)}`],
    ]),
    own ? h("p", { class: "note own" }, t("approvals.account.own")) : null,
    h("p", { class: "hint" }, t("approvals.account.check")),
    h("div", { class: "actions" }, decide(true), decide(false)));
}

// CASE-8 (F4): two reports name the same person, one held in escrow, and an anonymous reporter means nothing shows
// they come from different people. Nothing about either is shown until confirmed.
function escrowMatch(m, after) {
  const decide = (confirm) => form(null, [], t(confirm ? "approvals.escrow.confirm" : "approvals.escrow.decline"),
    async () => {
      await call(`/escrow-matches/${m.id}/decision`, { method: "POST", body: { confirm } });
      return after(confirm ? "approvals.escrow.confirmed" : "approvals.escrow.declined");
    }, confirm ? "primary" : "");
  return h("li", {},
    h("h3", {}, t("approvals.escrow.match")),
    facts([[t("approvals.escrow.raised"), whenDay(m.raised_on)]]),
    h("div", { class: "actions" }, decide(true), decide(false)));
}

// F4, F11: what kind of thing happened, on which day, how often — never who or which case.
function alert(a, after) {
  return h("li", {},
    h("h3", {}, t(`approvals.alert.${a.kind}`)),
    facts([[t("approvals.alert.day"), whenDay(a.day)], [t("approvals.alert.count"), String(a.count)]]),
    h("p", { class: "hint" }, t(`approvals.alert.${a.kind}.hint`)),
    form(null, [], t("approvals.alert.acknowledge"), async () => {
      await call(`/alerts/${a.id}/acknowledgement`, { method: "POST" });
      return after("approvals.alert.acknowledged");
    }, ""));
}
