// The recovery key, a part of the division head's approvals screen (issue 18, point 5; ACC-2, AUD-1): which key
// gives the cases back when every reader has lost their password — how many of whose shares, since when — and every
// use of it, newest first. Never a share or a key. Any other role is refused (403) and the part is left out.
import { alertBox, h, section } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { empty, part, problem, table, whenDay } from "../ui.js";

export async function recoveryPart() {
  const { data, denied, error } = await part("/recovery");
  if (denied) return null;
  return section(t("recovery.title"),
    h("p", { class: "hint" }, t("recovery.lead")),
    error ? alertBox(problem(error)) : [keyText(data.key), uses(data.uses)]);
}

// "Recovery key K…: 2 of 3 shares, held by A, B, C; created on …", or how to make one.
function keyText(key) {
  const words = key ? t("recovery.key", { id: key.id, threshold: key.threshold, total: key.holders.length,
    holders: key.holders.join(", "), day: whenDay(key.created_on) }) : t("recovery.none");
  return h("p", { class: "notice", id: "recovery-key" }, words);
}

// "recovery.case_restored" → its words; an action this screen does not know yet stays as the server named it.
function what(action) {
  const key = `recovery.action.${action.replace(/^recovery\./, "")}`;
  return t(key) === key ? action : t(key);
}

function uses(list) {
  const rows = list.map((u) => [whenDay(u.on), what(u.action), u.case_reference || u.key_id || "", u.for || ""]);
  return rows.length
    ? table(t("recovery.uses.caption", { n: rows.length }),
      [t("recovery.uses.on"), t("recovery.uses.what"), t("recovery.uses.case"), t("recovery.uses.for")], rows,
      { cls: "recovery-uses" })
    : empty("recovery.uses.none");
}
