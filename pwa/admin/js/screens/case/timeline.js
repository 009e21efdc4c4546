// The case's history from the audit log: when, what (a summary code), who — reporters never identified (AUD-1).
import { button, h, section } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { call } from "../../session.js";
import { empty, scroller, whenTime } from "../../ui.js";

const PAGE = 500;

export async function render(c) {
  const page = await call(`/cases/${c.id}/timeline?limit=${PAGE}`);
  const who = (a) => (a.display_name
    ? `${a.display_name}${a.role ? ` · ${t(`role.${a.role}`)}` : ""}`
    : t(`case.tl.actor.${a.kind}`));
  const what = (s) => {
    const [area, kind] = s.split(".");
    return t(`case.tl.${kind === "read" ? "read" : "change"}`, { area: t(`case.tl.area.${area}`) });
  };
  return section(t("case.tl.title"), page.items.length ? [
    h("p", { class: "hint" }, t("case.tl.lead", { total: page.total })),
    scroller(t("case.tl.title"), h("table", {},
      h("caption", {}, t("case.tl.caption", { ref: c.reference })),
      h("thead", {}, h("tr", {}, ["when", "what", "who"].map((k) => h("th", { scope: "col" }, t(`case.tl.col.${k}`))))),
      rows(page.items))),
    page.total > page.items.length && more(c, page.items.length, page.total)]
    : empty("case.tl.none"));

  function rows(items, body = h("tbody", {})) {
    body.append(...items.map((e) => h("tr", {},
      h("td", {}, whenTime(e.at)),
      h("td", {}, what(e.summary), " ", h("code", {}, e.action)),
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
