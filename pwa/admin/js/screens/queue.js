// The queue (issue #7, item 2): the cases one's team works, 50 a page, filtered and paged by the server; the filters
// live in the hash (#/queue?team=&status=&mine=&overdue=&violations=&sort=&offset=), so Back, reload and links keep
// them. Overdue cases are never hidden by a default: the default shows every case, overdue ones flagged in words;
// so are cases with an open separation violation (SEP-5). Urgency is in colour and words (CASE-2); a case the reporter
// wrote to since you last opened its messages is marked (CASE-4). The filter applied last is kept on this device,
// per user (localStorage: filter values only, never case content) and comes back when the queue opens bare.
import { h } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { navigate } from "../nav.js";
import { call } from "../session.js";
import { deadlineText, select } from "../ui.js";

const PAGE = 50;
const TEAMS = ["intake_counselling", "investigation", "victim_support_legal", "prevention_education"];
const STATUSES = ["received", "triaged", "investigating", "decided", "closed", "withdrawn"];
const KEYS = ["team", "status", "mine", "overdue", "violations", "sort"];

const saved = (me) => `withu.queue.${me.id}`;

export async function render({ params, me }) {
  const kept = localStorage.getItem(saved(me));
  if (![...params.keys()].length && kept) {
    navigate(`queue?${kept}`);
    return h("div", {});
  }
  const query = new URLSearchParams({ limit: PAGE, offset: Math.max(0, Number(params.get("offset")) || 0) });
  for (const k of KEYS) if (params.get(k)) query.set(k, params.get(k));
  const page = await call(`/cases?${query}`);
  const from = page.total ? page.offset + 1 : 0;
  const to = page.offset + page.items.length;

  return h("div", { class: "stack" },
    h("h1", {}, t("queue.title")),
    filters(params, me),
    h("p", { id: "queue-count" }, t("queue.count", { total: page.total, from, to })),
    page.items.length ? table(page, from, to) : h("p", { class: "note" }, t("queue.none")),
    pager(params, page));
}

function filters(params, me) {
  const all = [["", t("queue.all")]];
  const team = select(t("queue.team"), [...all, ...TEAMS.map((v) => [v, t(`team.${v}`)])], { name: "team" });
  const status = select(t("queue.status"), [...all, ...STATUSES.map((v) => [v, t(`status.${v}`)])], { name: "status" });
  const overdue = select(t("queue.overdue"), [
    ["", t("queue.overdue.any")], ["true", t("queue.overdue.only")], ["false", t("queue.overdue.not")],
  ], { name: "overdue" });
  const violations = select(t("queue.violations"),
    [["", t("queue.violations.any")], ["true", t("queue.violations.only")]], { name: "violations" });
  const sort = select(t("queue.sort"),
    [["", t("queue.sort.newest")], ["next_deadline", t("queue.sort.deadline")]], { name: "sort" });
  const mine = h("div", { class: "choice" },
    h("input",
      { type: "checkbox", id: "queue-mine", name: "mine", value: "true", checked: params.get("mine") === "true" }),
    h("label", { for: "queue-mine" }, t("queue.mine")));
  const form = h("form", { class: "filters", "aria-label": t("queue.filters"), onsubmit: (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) next.set(k, v);
    localStorage.setItem(saved(me), String(next));
    navigate(`queue?${next}`);
  } }, team, status, overdue, violations, sort, mine,
  h("button", { type: "submit", class: "primary" }, t("queue.apply")));
  for (const k of KEYS) if (form.elements[k] && k !== "mine") form.elements[k].value = params.get(k) || "";
  return form;
}

function table(page, from, to) {
  return h("div", { class: "table-wrap" }, h("table", { class: "queue" },
    h("caption", {}, t("queue.caption", { from, to, total: page.total })),
    h("thead", {}, h("tr", {}, ["reference", "status", "team", "category", "opened", "daysOpen", "next"].map((k) =>
      h("th", { scope: "col" }, t(`queue.col.${k}`))))),
    h("tbody", {}, page.items.map((c) => h("tr", { class: c.overdue ? "is-overdue" : null },
      // F13: once a case has handlers, the rest of its team keeps this row but cannot open the case.
      h("th", { scope: "row" }, c.content_visible
        ? h("a", { href: `#/case/${c.id}` }, c.reference)
        : [c.reference, " ", h("span", { class: "note" }, t("queue.assignedToOthers"))],
      c.unread_messages && [" ", h("strong", { class: "badge unread" }, t("queue.unread"))]),
      h("td", {}, t(`status.${c.status}`),
        // SEP-1 (F11): an order an anonymous third party's report opened waits for the team at triage.
        c.separation_awaiting_triage && [" ", h("strong", { class: "flag" }, t("queue.flagTriageOrder"))],
        // SEP-5: a personnel change connected the separated pair; the team is told at once.
        c.open_violations > 0 && [" ", h("strong", { class: "overdue flag violation" },
          t("queue.flagViolations", { n: c.open_violations }))]),
      h("td", {}, t(`team.${c.team}`)),
      h("td", {}, t(`category.${c.category}`)),
      h("td", {}, formatDate(c.opened_on)),
      h("td", { class: "num" }, t("queue.days", { n: c.days_open })),
      h("td", {},
        c.next_deadline && h("span", { class: "kind" }, t(`case.deadline.${c.next_deadline.kind}`), ": "),
        deadlineText(c.next_deadline),
        // Overdue in words once: the next deadline says it, else (a deadline met late) this flag.
        c.overdue && !c.next_deadline?.breached && [" ", h("strong", { class: "overdue flag" }, t("queue.flagOverdue"))]
      ))))));
}

function pager(params, page) {
  const at = (offset) => {
    const p = new URLSearchParams(params);
    if (offset) p.set("offset", offset);
    else p.delete("offset");
    return `#/queue?${p}`;
  };
  const pages = Math.max(1, Math.ceil(page.total / PAGE));
  const current = Math.floor(page.offset / PAGE) + 1;
  return h("nav", { class: "pager", "aria-label": t("queue.pages") },
    page.offset > 0 ? h("a", { href: at(Math.max(0, page.offset - PAGE)), rel: "prev" }, t("queue.prev")) : null,
    h("span", {}, t("queue.page", { n: current, of: pages })),
    page.offset + PAGE < page.total ? h("a", { href: at(page.offset + PAGE), rel: "next" }, t("queue.next")) : null);
}
