// This device: drafts on or off, and "Erase this device".
import { button, h, section } from "../dom.js";
import { t } from "../i18n.js";
import { go, rerender } from "../nav.js";
import { draftsOn, eraseDevice, setDraftsOn } from "../store.js";

let confirming = false;
let erased = false;

export function render() {
  if (erased) {
    return h("div", { class: "stack" }, h("h1", {}, t("device.erased.title")), h("p", {}, t("device.erased.body")));
  }
  return h("div", { class: "stack" },
    h("h1", {}, t("device.title")),
    section(t("device.drafts"),
      h("p", {}, t("device.drafts.explain")),
      h("div", { class: "choice" },
        h("input", { type: "checkbox", id: "drafts-on", checked: draftsOn(),
          onchange: async (e) => { await setDraftsOn(e.target.checked); rerender(); } }),
        h("label", { for: "drafts-on" }, t("device.drafts.toggle")))),
    section(t("device.erase"),
      h("p", {}, t("device.erase.explain")),
      confirming
        ? h("div", { class: "actions" },
          h("button", { type: "button", id: "erase-confirm", class: "danger", onclick: erase },
            t("device.erase.confirm")),
          button(t("cancel"), () => { confirming = false; rerender(); }))
        : h("button", { type: "button", id: "erase", onclick: () => { confirming = true; rerender(); } },
          t("device.erase.button"))),
    h("div", { class: "actions" }, button(t("back"), () => go("home"))));
}

async function erase() {
  await eraseDevice();
  erased = true;
  confirming = false;
  rerender(false);
}
