// A case (issue #7, item 3): a heading with its state, then one part at a time behind links (#/case/<id>?tab=…),
// each part a module of its own under ./case/. After an action the case is read again and the change announced:
// a part calls `ctx.done(key, alert?)` for that (parts never import this module).
import { alertBox, h } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { call } from "../session.js";
import { facts } from "../ui.js";

const TABS = {
  overview: () => import("./case/overview.js"),
  messages: () => import("./case/messages.js"),
  evidence: () => import("./case/evidence.js"),
  protection: () => import("./case/protection.js"),
  sanctions: () => import("./case/sanctions.js"),
  timeline: () => import("./case/timeline.js"),
};

// A message kept for the next drawing of the screen (after a reload): [key, alert?].
let flash = null;

export async function render(ctx) {
  const id = ctx.args[0];
  const tab = TABS[ctx.params.get("tab")] ? ctx.params.get("tab") : "overview";
  let c;
  try {
    c = await call(`/cases/${id}`);
  } catch (err) {
    if (err.status !== 404 && err.status !== 422) throw err;
    return h("div", { class: "stack" },
      h("h1", {}, t("case.notFound.title")),
      alertBox(t("case.notFound")),
      h("p", {}, h("a", { href: "#/queue" }, t("case.backToQueue"))));
  }
  const said = flash;
  flash = null;
  const mod = await TABS[tab]();
  // After an action: its message kept for the next drawing (`alert`: shown as an error), the case read again, and
  // the words for the live region.
  const done = (key, alert = false) => {
    flash = [key, alert];
    ctx.refresh();
    return t(key);
  };
  const panel = await mod.render(c, { ...ctx, done });
  return h("div", { class: "stack case" },
    h("p", { class: "crumbs" }, h("a", { href: "#/queue" }, t("case.backToQueue"))),
    h("h1", {}, t("case.title", { ref: c.reference })),
    facts([
      [t("case.status"), [t(`status.${c.status}`), c.finding ? ` · ${t(`finding.${c.finding}`)}` : ""]],
      [t("case.team"), t(`team.${c.team}`)],
      [t("case.category"), t(`category.${c.category}`)],
      [t("case.opened"), formatDate(c.opened_on)],
    ]),
    said && (said[1] ? alertBox(t(said[0])) : h("p", { class: "notice" }, t(said[0]))),
    h("nav", { class: "tabs case-tabs", "aria-label": t("case.parts") },
      Object.keys(TABS).map((name) => h("a",
        { href: `#/case/${c.id}?tab=${name}`, "aria-current": name === tab ? "page" : null }, t(`case.tab.${name}`)))),
    panel);
}
