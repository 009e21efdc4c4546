// The audit log for the auditor (AUD-1): search the entries (who, what, when, which case — never content) and
// verify the hash chain. Filters live in the address (#/audit?action=…&offset=50) so that Back and reload work.
import { alertBox, announce, field, h, section } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { navigate } from "../nav.js";
import { call } from "../session.js";
import { busy, facts, num, problem, short, table, whenTime } from "../ui.js";

const FILTERS = ["action", "actor_id", "case_id", "from", "to"];
const LIMIT = 50;
let lastVerification = null; // kept while the screen is re-rendered for another page of the search

export async function render({ params }) {
  const offset = Math.max(0, Number(params.get("offset")) || 0);
  const query = new URLSearchParams({ offset, limit: LIMIT });
  for (const f of FILTERS) if (params.get(f)) query.set(f, params.get(f));

  let results;
  try {
    const page = await call(`/audit/entries?${query}`);
    results = entries(page, params, offset);
  } catch (err) {
    if (err.status === 401 || err.status === 403) throw err;
    results = alertBox(problem(err, "audit"));
  }

  return h("div", { class: "stack" },
    h("h1", {}, t("audit.title")),
    h("p", { class: "lead" }, t("audit.lead")),
    verification(),
    section(t("audit.search"), searchForm(params), results),
  );
}

function searchForm(params) {
  const plain = (name, extra = {}) =>
    h("input", { type: "text", value: params.get(name) || "", autocomplete: "off", spellcheck: "false", ...extra });
  const inputs = {
    action: plain("action"),
    actor_id: plain("actor_id"),
    case_id: plain("case_id", { pattern: "[0-9a-fA-F-]{36}" }),
    from: h("input", { type: "date", value: params.get("from") || "" }),
    to: h("input", { type: "date", value: params.get("to") || "" }),
  };
  const form = h("form", { class: "filters", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const f of FILTERS) if (inputs[f].value.trim()) next.set(f, inputs[f].value.trim());
    navigate(`audit?${next}`);
  } },
  FILTERS.map((f) => field(t(`audit.filter.${f}`), inputs[f], f === "action" ? t("audit.filter.action.hint") : null)),
  h("div", { class: "actions" },
    h("button", { type: "submit", class: "primary" }, t("audit.searchButton")),
    h("button", { type: "button", onclick: () => navigate("audit") }, t("audit.clear"))));
  return form;
}

function entries(page, params, offset) {
  if (!page.items.length) return h("p", { class: "note" }, t("audit.none"));
  const rows = page.items.map((e) => [
    entryNumber(e), whenTime(e.at), t(`audit.actor.${e.actor_kind}`), short(e.actor_id, 8), h("code", {}, e.action),
    short(e.case_id, 8), e.target || "", short(e.hash, 10),
  ]);
  const first = offset + 1;
  const last = offset + page.items.length;
  const to = (o) => {
    const next = new URLSearchParams(params);
    next.set("offset", o);
    return `audit?${next}`;
  };
  return [
    table(t("audit.caption", { first: num(first), last: num(last), total: num(page.total) }),
      [t("audit.col.seq"), t("audit.col.at"), t("audit.col.actorKind"), t("audit.col.actor"), t("audit.col.action"),
        t("audit.col.case"), t("audit.col.target"), t("audit.col.hash")], rows, { cls: "audit-table" }),
    h("nav", { class: "pager", "aria-label": t("audit.pages") },
      offset > 0
        ? h("a", { href: `#/${to(Math.max(0, offset - LIMIT))}`, class: "button" }, t("audit.previous"))
        : null,
      h("span", {}, t("audit.range", { first: num(first), last: num(last), total: num(page.total) })),
      last < page.total ? h("a", { href: `#/${to(offset + LIMIT)}`, class: "button" }, t("audit.next")) : null),
  ];
}

// INT-1: what a reporter's request wrote is numbered in a chain of its own (docs/security.md, "Times").
function entryNumber(e) {
  return e.chain === "reporter" ? `${t("audit.chain.reporter")} ${e.seq}` : String(e.seq);
}

function verification() {
  const out = h("div", { "aria-live": "polite" });
  const seq = h("input", { type: "text", inputmode: "numeric", pattern: "[0-9]+", autocomplete: "off" });
  const hash = h("input", { type: "text", pattern: "[0-9a-f]{64}", autocomplete: "off", spellcheck: "false" });
  const reporterSeq = h("input", { type: "text", inputmode: "numeric", pattern: "[0-9]+", autocomplete: "off" });
  const reporterHash = h("input",
    { type: "text", pattern: "[0-9a-f]{64}", autocomplete: "off", spellcheck: "false" });
  const form = h("form", { class: "stack", onsubmit: submit },
    h("p", {}, t("audit.verify.lead")),
    h("details", {},
      h("summary", {}, t("audit.verify.anchor")),
      h("p", { class: "hint" }, t("audit.verify.anchor.hint")),
      field(t("audit.verify.anchorSeq"), seq),
      field(t("audit.verify.anchorHash"), hash),
      h("p", { class: "hint" }, t("audit.verify.reporterAnchor.hint")),
      field(t("audit.verify.reporterAnchorSeq"), reporterSeq),
      field(t("audit.verify.reporterAnchorHash"), reporterHash)),
    h("button", { type: "submit", class: "primary" }, t("audit.verify.button")),
    out);
  if (lastVerification) out.replaceChildren(result(lastVerification));
  return section(t("audit.verify"), form);

  async function submit(e) {
    e.preventDefault();
    const body = {};
    if (seq.value.trim() || hash.value.trim()) {
      body.anchor_seq = Number(seq.value.trim());
      body.anchor_hash = hash.value.trim().toLowerCase();
    }
    if (reporterSeq.value.trim() || reporterHash.value.trim()) {
      body.reporter_anchor_seq = Number(reporterSeq.value.trim());
      body.reporter_anchor_hash = reporterHash.value.trim().toLowerCase();
    }
    out.replaceChildren(h("p", {}, t("audit.verify.running")));
    try {
      lastVerification = await busy(form, () => call("/audit/verification", { method: "POST", body }));
      out.replaceChildren(result(lastVerification));
      announce(lastVerification.valid ? t("audit.verify.valid") : t("audit.verify.broken"));
    } catch (err) {
      out.replaceChildren(alertBox(problem(err, "audit")));
    }
  }
}

function result(v) {
  return h("div", { class: `verdict ${v.valid ? "ok" : "broken"}` },
    h("p", { class: "verdict-head" }, v.valid ? t("audit.verify.valid") : t("audit.verify.broken")),
    facts([
      [t("audit.verify.checked"), num(v.entries_checked)],
      !v.valid
        && [t("audit.verify.firstBroken"), v.first_broken_seq == null
          ? t("stats.none") : entryNumber({ chain: v.first_broken_chain, seq: v.first_broken_seq })],
      v.reason && [t("audit.verify.reason"), reason(v.reason)],
      [t("audit.verify.headSeq"), v.head_seq == null ? t("stats.none") : String(v.head_seq)],
      [t("audit.verify.headHash"), v.head_hash ? h("code", { class: "hash" }, v.head_hash) : t("stats.none")],
      v.reporter_head_seq != null && [t("audit.verify.reporterHeadSeq"), String(v.reporter_head_seq)],
      v.reporter_head_hash && [t("audit.verify.reporterHeadHash"), h("code", { class: "hash" }, v.reporter_head_hash)],
    ]),
    v.valid && v.head_hash ? h("p", { class: "hint" }, t("audit.verify.keep")) : null);
}

// The server's reason (English, from app/domain/audit_chain.py) in our words; anything new as it came, marked English.
const REASONS = [[/is missing$/, "missing"], [/^previous hash/, "previous"], [/was modified/, "modified"],
  [/recorded anchor/, "anchor"], [/cut short/, "cut"]];
function reason(text) {
  const known = REASONS.find(([re]) => re.test(text));
  return known ? t(`audit.reason.${known[1]}`) : h("span", { lang: "en" }, text);
}
