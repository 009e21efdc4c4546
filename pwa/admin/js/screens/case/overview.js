// The case's overview: what happened first (the reports, narrative first), then what it is and its deadlines (CASE-2),
// moving it on (CASE-1, with the version read: If-Match; a decision or withdrawal is proposed by a handler and
// confirmed by a second person, F5), its handlers (CASE-3), the manual's next steps (MAN-2), the victim's identity
// (CASE-5) and linked cases.
import { button, h, section } from "/js/dom.js";
import { formatDate, lang, t } from "/js/i18n.js";
import { call } from "../../session.js";
import { control, empty, facts, form, select, text, value, whenDay } from "../../ui.js";
import { category, correctionText } from "./category.js";
import { deadlines } from "./deadlines.js";

const FINDINGS = ["substantiated", "not_substantiated", "insufficient_evidence"];
const ASSIGNERS = ["team_lead", "division_head"];

export async function render(c, ctx) {
  const [steps, disclosures, assignable, proposals] = await Promise.all([
    call(`/cases/${c.id}/next-steps?lang=${lang()}`).catch(() => null),
    call(`/cases/${c.id}/disclosures`).catch(() => []),
    ASSIGNERS.includes(ctx.me.role) ? call(`/cases/${c.id}/assignable`).catch(() => []) : [],
    c.decision_transitions.length ? call(`/cases/${c.id}/decision-proposals`).catch(() => []) : [],
  ]);
  const { done } = ctx;
  // What happened first (the reports in the reporter's words), then status and deadlines, then the rest.
  return h("div", { class: "stack" },
    reports(c),
    section(t("case.summary"), facts([
      [t("case.finding"), c.finding && t(`finding.${c.finding}`)],
      [t("case.workplace"), c.org_kind && t(`workplace.${c.org_kind}`)],
      [t("case.origin"), t(`case.origin.${c.origin}`)],
      [t("case.parent"), c.parent_case_id && h("a", { href: `#/case/${c.parent_case_id}` }, t("case.parent.open"))],
      [t("case.closedOn"), c.closed_on && formatDate(c.closed_on)],
      [t("case.version"), String(c.version)],
    ])),
    deadlines(c, done),
    actions(c, done),
    c.decision_transitions.length ? decision(c, ctx.me, proposals, done) : null,
    handlers(c, ctx, done, assignable),
    category(c, done),
    section(t("case.nextSteps"), steps
      ? [h("p", {}, steps.title), h("ol", { class: "next-steps" }, steps.steps.map((s) => h("li", {}, s.text)))]
      : empty("case.nextSteps.none")),
    identity(c, disclosures, done),
    section(t("case.sd"), c.secondary_damage_cases.length
      ? h("ul", {}, c.secondary_damage_cases.map((s) => h("li", {}, h("a", { href: `#/case/${s.id}` }, s.reference),
        ` · ${t(`status.${s.status}`)} · ${formatDate(s.opened_on)}`)))
      : empty("case.sd.none")),
    section(t("case.linked"), c.linked_cases.length
      ? h("ul", {}, c.linked_cases.map((l) =>
        h("li", {}, h("a", { href: `#/case/${l.id}` }, l.reference), " · ", t(`case.link.${l.reason}`))))
      : empty("case.linked.none")));
}

// CASE-1: the ordinary transitions, made at once; `decided` and `withdrawn` are proposals (decision() below).
function actions(c, done) {
  if (!c.allowed_transitions.length) return section(t("case.move"), empty("case.move.none"));
  const ordinary = c.allowed_transitions.filter((s) => !c.decision_transitions.includes(s));
  if (!ordinary.length) return null;
  const to = select(t("case.move.to"), ordinary.map((s) => [s, t(`status.${s}`)]));
  const reason = text(t("case.move.reason"), { rows: 3, required: true }, t("case.reason.hint"));
  return section(t("case.move"), form(null, [to, reason], t("case.move.submit"),
    () => changeWith(c, done, "transitions", { to: value(to), reason: value(reason) }, "case.moved")));
}

// Sends a change made against the version read (If-Match); someone else's change meanwhile reloads the case.
async function changeWith(c, done, path, body, said) {
  try {
    await call(`/cases/${c.id}/${path}`, { method: "POST", body, headers: { "If-Match": `"${c.version}"` } });
  } catch (err) {
    if (err.status !== 412) throw err;
    return done("case.stale", true);
  }
  return done(said);
}

// What a proposal would do, in words: "Decided · substantiated", "Withdrawn", "Category: stalking" (SD-3).
export const proposalText = (p) => (p.kind === "category" ? correctionText(p)
  : [t(`status.${p.to_status}`), p.finding && t(`finding.${p.finding}`)].filter(Boolean).join(" · "));

// F5: a handler proposes the decision (with its finding) or the withdrawal; a team lead or the division head who
// did not propose it confirms it in Approvals. One proposal waits at a time; until confirmed nothing changes.
function decision(c, me, proposals, done) {
  const waiting = proposals.find((p) => p.status === "proposed");
  if (waiting) {
    const own = waiting.proposed_by_id === me.id;
    return section(t("case.decision"),
      h("p", {}, t("case.decision.pending",
        { who: waiting.proposed_by, date: whenDay(waiting.proposed_at), what: proposalText(waiting) })),
      facts([[t("sanction.reason"), waiting.reason]]),
      own ? h("p", { class: "note own" }, t("case.decision.pending.own"))
        : ASSIGNERS.includes(me.role)
          ? h("p", {}, h("a", { href: "#/approvals" }, t("case.decision.pending.yours"))) : null);
  }
  if (!c.handlers.some((p) => p.user_id === me.id)) {
    return section(t("case.decision"), h("p", { class: "hint" }, t("case.decision.lead")),
      h("p", { class: "hint" }, t("case.decision.onlyHandlers")));
  }
  const to = select(t("case.decision.to"), c.decision_transitions.map((s) => [s, t(`status.${s}`)]));
  const finding = select(t("case.finding"), FINDINGS.map((f) => [f, t(`finding.${f}`)]), {}, t("case.finding.hint"));
  const reason = text(t("case.decision.reason"), { rows: 3, required: true }, t("case.reason.hint"));
  const toSelect = control(to);
  const sync = () => (finding.hidden = toSelect.value !== "decided");
  toSelect.addEventListener("change", sync);
  sync();
  return section(t("case.decision"), h("p", { class: "hint" }, t("case.decision.lead")),
    form(null, [to, finding, reason], t("case.decision.propose"), () => {
      const body = { to: value(to), reason: value(reason) };
      if (body.to === "decided") body.finding = value(finding);
      return changeWith(c, done, "decision-proposals", body, "case.decision.proposed");
    }));
}

// CASE-3: the lead picks from the case's team (the server leaves out anyone recused from this case).
function handlers(c, ctx, done, assignable) {
  const me = ctx.me;
  const assign = (userId) => call(`/cases/${c.id}/handlers`, { method: "POST", body: { user_id: userId } });
  const free = assignable.filter((p) => !c.handlers.some((x) => x.user_id === p.user_id) && p.user_id !== me.id);
  const who = (p) => `${p.display_name} · ${t(`role.${p.role}`)}`;
  const userId = select(t("case.handlers.id"), free.map((p) => [p.user_id, who(p)]), {}, t("case.handlers.id.hint"));
  const canAssign = ASSIGNERS.includes(me.role);
  return section(t("case.handlers"),
    c.handlers.length ? h("ul", {}, c.handlers.map((p) => h("li", {}, who(p),
      canAssign ? [" ", button(t("case.handlers.remove", { name: p.display_name }), async () => {
        await call(`/cases/${c.id}/handlers/${p.user_id}`, { method: "DELETE" }).catch(() => null);
        done("case.handlers.removed");
      }, "link")] : null))) : empty("case.handlers.none"),
    canAssign ? [
      c.handlers.some((p) => p.user_id === me.id) ? null : form(null, [], t("case.handlers.me"), async () => {
        await assign(me.id);
        return done("case.handlers.assigned");
      }, ""),
      free.length === 0 ? null : form(t("case.handlers.other"), [userId], t("case.handlers.assign"), async () => {
        await assign(value(userId));
        return done("case.handlers.assigned");
      }, ""),
    ] : h("p", { class: "hint" }, t("case.handlers.onlyLeads")));
}

function reports(c) {
  return section(t("case.reports"), c.reports.map((r) => h("article", { class: "card report" },
    h("h3", {}, t("case.report", { date: formatDate(r.received_on) })),
    h("p", { class: "narrative" }, r.narrative),
    facts([
      [t("case.reporterKind"), t(`case.reporterKind.${r.reporter_kind}`)],
      [t("case.identityMode"), t(`case.identityMode.${r.identity_mode}`)],
      [t("case.reporter"), r.reporter ? person(r.reporter) : c.identity_visible ? null : c.victim_pseudonym],
      ...Object.entries(r.details || {}).map(([k, v]) => detail(k, v)),
    ]))));
}

// A person named in a report: what was given of name, employee number, contact and description.
const PERSON = ["name", "employee_number", "email", "phone", "description"];
const person = (p) => PERSON.filter((k) => p[k]).map((k) => `${t(`case.d.person.${k}`)}: ${p[k]}`).join(" · ");

// The report's details in words; empty and "no" values are left out (facts() drops nulls).
function detail(key, v) {
  const label = t(`case.d.${key}`) === `case.d.${key}` ? key : t(`case.d.${key}`);
  if (v == null || v === false || v === "" || (Array.isArray(v) && !v.length)) return [label, null];
  if (v === true) return [label, t("case.d.yes")];
  if (key === "witnesses" || key === "helpers") return [label, h("ul", {}, v.map((w) => h("li", {}, person(w))))];
  if (key === "respondent" || key === "victim") return [label, person(v)];
  if (key === "workplace") {
    return [label, [t(`workplace.${v.kind}`), v.name, v.unit, v.contract_number].filter(Boolean).join(" · ")];
  }
  if (key === "support_requested") return [label, v.map((s) => t(`support.${s}`)).join(", ")];
  if (key === "occurred_on") return [label, formatDate(v)];
  return [label, typeof v === "string" ? v : JSON.stringify(v)];
}

// CASE-5: a victim's identity exists only where a victim reported with one, or a report names the victim.
const victimNamed = (c) => c.reports.some((r) => (r.reporter_kind === "victim" && r.reporter) || r.details?.victim);

function identity(c, disclosures, done) {
  if (!victimNamed(c) && !disclosures.length) return section(t("case.identity"), empty("case.identity.none"));
  const reason = text(t("case.disclosure.reason"), { rows: 2, required: true, minlength: 10 }, t("case.reason.hint"));
  const line = (d) => t("case.disclosure.line",
    { who: d.requester, date: whenDay(d.requested_at), status: t(`disclosure.${d.status}`) });
  return section(t("case.identity"),
    h("p", {}, c.identity_visible
      ? t("case.identity.visible")
      : t("case.identity.pseudonym", { name: c.victim_pseudonym })),
    disclosures.length ? h("ul", {}, disclosures.map((d) => h("li", {},
      line(d),
      d.decided_by ? ` · ${t("case.disclosure.decidedBy", { who: d.decided_by })}` : ""))) : null,
    c.identity_visible ? null : form(t("case.disclosure.ask"),
      [h("p", { class: "hint" }, t("case.disclosure.lead")), reason],
      t("case.disclosure.submit"), async () => {
        await call(`/cases/${c.id}/disclosures`, { method: "POST", body: { reason: value(reason) } });
        return done("case.disclosure.sent");
      }, ""));
}
