// SD-3, CASE-3: correcting the case's category, with a reason, against the version read (If-Match). The server
// routes the case anew; a correction out of secondary damage removes SD-3's floor, so it waits for a team lead or
// the division head who did not propose it (Approvals).
import { h, section } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { call } from "../../session.js";
import { form, select, text, value } from "../../ui.js";

const CATEGORIES = ["sexual_harassment", "sexual_assault", "stalking", "online", "secondary_damage", "other"];

// What a category proposal would do, in words (the approvals list and the case's pending proposal).
export const correctionText = (p) => t("case.category.proposal", { category: t(`category.${p.category}`) });

export function category(c, done) {
  const to = select(t("case.category.to"),
    CATEGORIES.filter((k) => k !== c.category).map((k) => [k, t(`category.${k}`)]));
  const reason = text(t("case.category.reason"), { rows: 2, required: true, minlength: 10 }, t("case.reason.hint"));
  return section(t("case.category.correct"), h("p", { class: "hint" }, t("case.category.lead")),
    form(null, [to, reason], t("case.category.submit"), async () => {
      let answer;
      try {
        answer = await call(`/cases/${c.id}/category`, { method: "POST",
          body: { category: value(to), reason: value(reason) }, headers: { "If-Match": `"${c.version}"` } });
      } catch (err) {
        if (err.status !== 412) throw err;
        return done("case.stale", true);
      }
      return done(answer.applied ? "case.category.corrected" : "case.category.proposed");
    }, ""));
}
