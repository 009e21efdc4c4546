// Protection: interim measures applied only with the victim's recorded wish (CASE-7), the victim's wishes, and the
// separation order with its connections, plan and violations (SEP-1 … SEP-6); a team lead lifts it with a reason.
// An order an anonymous third party's report opened awaits triage (F11): the case team confirms it, or a lead lifts it.
import { h, section } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { call } from "../../session.js";
import { empty, facts, form, select, text, value } from "../../ui.js";

const KINDS = ["workplace_change", "paid_leave", "further_separation", "counselling", "legal_support", "other"];

export async function render(c, ctx) {
  const [measures, sep] = await Promise.all([call(`/cases/${c.id}/measures`), call(`/cases/${c.id}/separation`)]);
  const { done } = ctx;
  return h("div", { class: "stack" },
    measuresPart(c, measures, done),
    wishesPart(c, sep.victim_wishes, done),
    section(t("case.sep.title"),
      sep.orders.length ? sep.orders.map((o) => order(c, ctx, o, done)) : empty("case.sep.none")));
}

// The optional note of a form, sent only when given.
const noted = (field) => (value(field) ? { note: value(field) } : {});

function measuresPart(c, measures, done) {
  const act = (path, body, key) => async () => {
    await call(`/cases/${c.id}/measures/${path}`, { method: "POST", body });
    return done(key);
  };
  const kind = select(t("case.pm.kind"), KINDS.map((k) => [k, t(`measure.${k}`)]));
  const note = text(t("case.pm.note"), { rows: 2, maxlength: 2000 });
  const measure = (m) => {
    const named = { kind: t(`measure.${m.kind}`) };
    const answer = (accept) => form(null, [], t(accept ? "case.pm.accepted" : "case.pm.declined", named),
      act(`${m.id}/answer`, { accept }, "case.pm.recorded"), "");
    return h("li", {},
      h("p", {}, h("strong", {}, t(`measure.${m.kind}`)), " · ", t(`measure.status.${m.status}`)),
      m.note && h("p", {}, m.note),
      h("p", { class: "meta" }, [
        t("case.pm.offered", { date: formatDate(m.offered_on) }),
        m.answered_on
          && t("case.pm.answered", { date: formatDate(m.answered_on), by: t(`case.pm.by.${m.answered_by}`) }),
        m.applied_on && t("case.pm.applied", { date: formatDate(m.applied_on) }),
      ].filter(Boolean).join(" · ")),
      m.status === "offered" ? h("div", { class: "actions" }, answer(true), answer(false)) : null,
      m.status === "accepted"
        ? form(null, [], t("case.pm.apply", named), act(`${m.id}/apply`, undefined, "case.pm.appliedNow"))
        : null);
  };
  return section(t("case.pm.title"), h("p", { class: "hint" }, t("case.pm.lead")),
    measures.length ? h("ul", { class: "cards" }, measures.map(measure)) : empty("case.pm.none"),
    form(t("case.pm.offer"), [kind, note], t("case.pm.offer.submit"), async () => {
      await call(`/cases/${c.id}/measures`, { method: "POST", body: { kind: value(kind), ...noted(note) } });
      return done("case.pm.offeredNow");
    }, ""));
}

function wishesPart(c, wishes, done) {
  const wishNote = text(t("case.wish.note"), { rows: 2, maxlength: 2000 });
  const move = h("input", { type: "checkbox", id: "wish-move" });
  const wantsMove = h("div", { class: "choice" }, move, h("label", { for: "wish-move" },
    h("strong", {}, t("case.wish.wantsMove")), h("span", {}, t("case.wish.wantsMove.hint"))));
  const wish = (w) => h("li", {}, formatDate(w.recorded_on), " · ",
    t(w.wants_to_move ? "case.wish.move" : "case.wish.stay"), w.note ? ` · ${w.note}` : "");
  return section(t("case.wish.title"),
    wishes.length ? h("ul", {}, wishes.map(wish)) : empty("case.wish.none"),
    form(t("case.wish.record"), [wantsMove, wishNote], t("case.wish.submit"), async () => {
      const body = { wants_to_move: move.checked, ...noted(wishNote) };
      await call(`/cases/${c.id}/victim-wishes`, { method: "POST", body });
      return done("case.wish.recorded");
    }, ""));
}

// SEP-5: a violation is open until the two are apart again or a team lead records how it was resolved.
function violation(c, ctx, o, v, done) {
  const day = v.resolved_on && formatDate(v.resolved_on);
  const state = !v.resolved_on ? t("case.sep.violation.open")
    : v.resolved_by ? t("case.sep.violation.resolvedBy", { day }) : t("case.sep.violation.apart", { day });
  const reason = text(t("case.sep.violation.reason"), { rows: 2, required: true, minlength: 10 },
    t("case.reason.hint"));
  return h("li", { class: v.resolved_on ? null : "overdue" },
    t(`case.sep.kind.${v.kind}`), " · ", formatDate(v.detected_on), " · ", h("strong", {}, state),
    v.resolution ? ` · ${v.resolution}` : "",
    !v.resolved_on && o.status === "active" && ctx.me.role === "team_lead"
      ? form(t("case.sep.violation.resolve"), [reason], t("case.sep.violation.submit"), async () => {
        const body = { reason: value(reason) };
        await call(`/cases/${c.id}/separation/violations/${v.id}/resolve`, { method: "POST", body });
        return done("case.sep.violation.done");
      }, "")
      : null);
}

function order(c, ctx, o, done) {
  const reason = text(t("case.sep.reason"), { rows: 2, required: true, minlength: 10 }, t("case.reason.hint"));
  return h("article", { class: "card" },
    h("h3", {}, t("case.sep.order", { ref: o.reference })),
    o.status === "active" && o.awaiting_triage ? [
      h("p", { class: "note" }, t("case.sep.awaiting")),
      form(null, [], t("case.sep.confirm"), async () => {
        await call(`/cases/${c.id}/separation/orders/${o.id}/confirmation`, { method: "POST" });
        return done("case.sep.confirmed");
      }, "primary"),
    ] : null,
    facts([
      [t("case.sep.status"), t(`case.sep.status.${o.status}`)],
      [t("case.sep.victim"), o.victim_employee_number],
      [t("case.sep.respondent"), o.respondent_employee_number],
      [t("case.sep.opened"), formatDate(o.opened_on)],
      [t("case.sep.closed"), o.closed_on && formatDate(o.closed_on)],
    ]),
    h("h4", {}, t("case.sep.connections")),
    o.connections.length
      ? h("ul", {}, o.connections.map((x) => h("li", {}, t(`case.sep.kind.${x.kind}`), " · ", x.via)))
      : empty("case.sep.connections.none"),
    h("h4", {}, t("case.sep.plan")),
    o.plan.length ? h("ul", {}, o.plan.map((p) => h("li", {},
      t(`case.sep.who.${p.who}`), ": ", t(`case.sep.action.${p.action}`), " (", t(`case.sep.kind.${p.connection}`), ")",
      p.at_victims_request ? ` · ${t("case.sep.atRequest")}` : ""))) : empty("case.sep.plan.none"),
    o.violations.length ? [h("h4", {}, t("case.sep.violations")),
      h("ul", {}, o.violations.map((v) => violation(c, ctx, o, v, done)))] : null,
    o.status !== "active" ? null : ctx.me.role === "team_lead"
      ? form(t("case.sep.lift"), [h("p", { class: "hint" }, t("case.sep.lift.lead")), reason],
        t("case.sep.lift.submit"), async () => {
          const body = { reason: value(reason) };
          await call(`/cases/${c.id}/separation/orders/${o.id}/lift`, { method: "POST", body });
          return done("case.sep.lifted");
        }, "danger")
      : h("p", { class: "hint" }, t("case.sep.lift.onlyLead")));
}
