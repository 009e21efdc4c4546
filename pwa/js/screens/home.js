// The start: what happens to your data, emergency numbers, and the ways in.
import { button, h, section } from "../dom.js";
import { t } from "../i18n.js";
import { go } from "../nav.js";

const EMERGENCY = [["112", "emergency.112"], ["1366", "emergency.1366"], ["119", "emergency.119"]];

export function render() {
  return h("div", { class: "stack" },
    h("h1", {}, t("home.title")),
    h("p", { class: "lead" }, t("home.lead")),
    h("div", { class: "actions column" },
      button(t("home.report"), () => go("report", { fresh: true }), "primary"),
      button(t("home.followup"), () => go("followup")),
      button(t("home.manual"), () => go("manual"))),
    section(t("home.emergency"),
      h("ul", { class: "emergency" }, EMERGENCY.map(([n, key]) =>
        h("li", {}, h("a", { href: `tel:${n}` }, n), " ", t(key))))),
    section(t("home.data"),
      h("ul", {}, ["home.data.1", "home.data.2", "home.data.3", "home.data.4"].map((k) => h("li", {}, t(k))))),
    section(t("home.modes"),
      h("dl", {}, ["anonymous", "confidential", "named"].map((m) =>
        [h("dt", {}, t(`mode.${m}`)), h("dd", {}, t(`mode.${m}.explain`))]))),
    h("p", {}, button(t("home.device"), () => go("device"), "link")));
}
