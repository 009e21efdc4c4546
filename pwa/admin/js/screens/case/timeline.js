// The case's history from the audit log: when, what (in words), who — reporters never identified (AUD-1). What a
// reporter's request wrote carries its day only (midnight UTC, INT-1): shown as a day, never as "12:00 AM".
// A run of reads by one person shows each kind of read once, with its count.
import { button, h, section } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { call } from "../../session.js";
import { empty, scroller, whenDay, whenTime } from "../../ui.js";

const PAGE = 500;

// An action in words: its own text (case.tl.a.<action>), else its area and whether it was read or done.
export function actionText(e) {
  if (e.action.startsWith("case.status.")) return t("case.tl.status", { status: t(`status.${e.action.slice(12)}`) });
  const own = t(`case.tl.a.${e.action}`);
  if (own !== `case.tl.a.${e.action}`) return own;
  const [area, kind] = e.summary.split(".");
  return t(`case.tl.${kind === "read" ? "read" : "change"}`, { area: t(`case.tl.area.${area}`) });
}

const dayOnly = (iso) => /T00:00:00(\.0+)?(Z|\+00:00)$/.test(iso);
const when = (iso) => (dayOnly(iso) ? [whenDay(iso), " ", h("span", { class: "hint" }, t("case.tl.dayOnly"))]
  : whenTime(iso));
const actorKey = (a) => `${a.kind}|${a.user_id || a.display_name || ""}`;

// A run of reads by one person, one after another (opening a case reads several parts), shows each kind of read
// once, with its count and its last time: AUD-1 keeps every entry; the screen does not repeat them.
export function collapse(items) {
  const out = [];
  let run = new Map(); // action → index in `out`, within the current run of reads by one actor
  let runActor = null;
  for (const e of items) {
    const read = e.summary.endsWith(".read");
    if (!read || actorKey(e.actor) !== runActor) run = new Map();
    runActor = read ? actorKey(e.actor) : null;
    const seen = read ? run.get(e.action) : undefined;
    if (seen === undefined) {
      if (read) run.set(e.action, out.length);
      out.push({ ...e, times: 1 });
    } else out[seen] = { ...e, times: out[seen].times + 1 };
  }
  return out;
}

export async function render(c) {
  const page = await call(`/cases/${c.id}/timeline?limit=${PAGE}`);
  const who = (a) => (a.display_name
    ? `${a.display_name}${a.role ? ` · ${t(`role.${a.role}`)}` : ""}`
    : t(`case.tl.actor.${a.kind}`));
  return section(t("case.tl.title"), page.items.length ? [
    h("p", { class: "hint" }, t("case.tl.lead", { total: page.total })),
    scroller(t("case.tl.title"), h("table", {},
      h("caption", {}, t("case.tl.caption", { ref: c.reference })),
      h("thead", {}, h("tr", {}, ["when", "what", "who"].map((k) => h("th", { scope: "col" }, t(`case.tl.col.${k}`))))),
      rows(page.items))),
    page.total > page.items.length && more(c, page.items.length, page.total)]
    : empty("case.tl.none"));

  function rows(items, body = h("tbody", {})) {
    body.append(...collapse(items).map((e) => h("tr", {},
      h("td", {}, when(e.at)),
      h("td", {}, actionText(e), e.times > 1 ? ` ${t("case.tl.times", { n: e.times })}` : null),
      h("td", {}, who(e.actor)))));
    return body;
  }

  // Long histories (oldest first): the next 500 entries are added under the ones shown.
  function more(c, shown, total) {
    const next = button(t("case.tl.more", { shown: String(shown), total: String(total) }), async () => {
      const further = await call(`/cases/${c.id}/timeline?limit=${PAGE}&offset=${shown}`);
      const body = document.querySelector("#view table tbody");
      rows(further.items, body);
      shown += further.items.length;
      if (shown >= total) next.remove();
      else next.textContent = t("case.tl.more", { shown: String(shown), total: String(total) });
    });
    return next;
  }
}
