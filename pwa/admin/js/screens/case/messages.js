// Messages with the reporter's inbox and internal notes the reporter never sees (CASE-4).
import { h, section } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { call } from "../../session.js";
import { empty, form, text, value } from "../../ui.js";

export function render(c, ctx) {
  const body = text(t("case.msg.body"), { rows: 4, required: true, maxlength: 10000 });
  // CASE-4: two buttons, never one checkbox: "Send to the reporter" or "Save as an internal note".
  const asNote = h("button", { type: "submit", name: "note" }, t("case.msg.saveNote"));
  // CASE-2: only a message to the reporter can be the feedback on the outcome (it meets the feedback deadline).
  const feedback = h("input", { type: "checkbox", id: "msg-feedback" });
  const asFeedback = h("div", { class: "choice" }, feedback, h("label", { for: "msg-feedback" },
    h("strong", {}, t("case.msg.asFeedback")), h("span", {}, t("case.msg.asFeedback.hint"))));
  const closed = ["closed", "withdrawn"].includes(c.status);
  // The queue's unread marker: you have seen these messages.
  call(`/cases/${c.id}/messages/read`, { method: "POST" }).catch(() => null);
  return h("div", { class: "stack" },
    section(t("case.msg.title"), c.messages.length
      ? h("ol", { class: "messages" }, c.messages.map(message))
      : empty("case.msg.none")),
    section(t("case.msg.write"),
      closed ? h("p", { class: "note" }, t("case.msg.closed")) : null,
      h("p", { class: "hint" }, t("case.msg.asNote.hint")),
      form(null, [body, asFeedback], t("case.msg.send"), async (pressed) => {
        const note = pressed === asNote;
        const sent = { body: value(body), internal: note, feedback: !note && feedback.checked };
        await call(`/cases/${c.id}/messages`, { method: "POST", body: sent });
        return ctx.done(note ? "case.msg.noted" : "case.msg.sent");
      }, "primary", [asNote])));
}

function message(m) {
  const cls = [m.author === "reporter" ? "from-reporter" : "", m.internal ? "internal" : ""].join(" ").trim() || null;
  const author = m.author === "staff" && m.author_name ? m.author_name : t(`case.msg.author.${m.author}`);
  return h("li", { class: cls },
    h("p", { class: "meta" },
      m.internal ? h("strong", { class: "badge" }, t("case.msg.internal")) : null, m.internal ? " " : null,
      author, " · ", formatDate(m.sent_on)),
    h("p", {}, m.body));
}
