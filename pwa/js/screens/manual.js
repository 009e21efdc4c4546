// The guide for each role, from the copy the service worker keeps: readable offline.
import { alertBox, button, h, section } from "../dom.js";
import { lang, t } from "../i18n.js";
import { go, rerender } from "../nav.js";

const ROLES = ["victim", "witness", "manager"];
let role = "victim";
const loaded = {};

async function load(l) {
  try {
    const res = await fetch(`/offline/manual.${l}.json`);
    if (!res.ok) throw new Error(String(res.status));
    loaded[l] = await res.json();
  } catch {
    loaded[l] = { failed: true };
  }
  rerender();
}

export function render() {
  const doc = loaded[lang()];
  if (!doc) load(lang());
  const content = doc?.roles?.[role];
  return h("div", { class: "stack" },
    h("h1", {}, t("manual.title")),
    h("div", { class: "tabs", role: "group", "aria-label": t("manual.roles") },
      ROLES.map((r) => h("button", { type: "button", id: `role-${r}`, "aria-pressed": String(r === role),
        onclick: () => { role = r; rerender(); } }, t(`manual.role.${r}`)))),
    doc?.failed && alertBox(t("manual.unavailable")),
    !doc && h("p", {}, t("loading")),
    content && [
      h("p", { class: "lead" }, content.summary),
      content.sections.map((sec) => section(sec.title, h("ul", {}, sec.points.map((p) => h("li", {}, p))))),
      section(t("home.emergency"), h("ul", { class: "emergency" }, doc.emergency.map((e) =>
        h("li", {}, h("a", { href: `tel:${e.number}` }, e.number), " ", e.label)))),
    ],
    h("div", { class: "actions" }, button(t("back"), () => go("home"))));
}
