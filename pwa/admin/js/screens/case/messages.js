// Messages with the reporter's inbox and internal notes the reporter never sees (CASE-4).
import { h, section } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { call } from "../../session.js";
import { empty, form, text, value } from "../../ui.js";

export function render(c, ctx) {
  const body = text(t("case.msg.body"), { rows: 4, required: true, maxlength: 10000 });
  const internal = h("input", { type: "checkbox", id: "msg-internal" });
  const asNote = h("div", { class: "choice" }, internal, h("label", { for: "msg-internal" },
    h("strong", {}, t("case.msg.asNote")), h("span", {}, t("case.msg.asNote.hint"))));
  const closed = ["closed", "withdrawn"].includes(c.status);
  return h("div", { class: "stack" },
    section(t("case.msg.title"), c.messages.length
      ? h("ol", { class: "messages" }, c.messages.map(message))
      : empty("case.msg.none")),
    section(t("case.msg.write"),
      closed ? h("p", { class: "note" }, t("case.msg.closed")) : null,
      form(null, [body, asNote], t("case.msg.send"), async () => {
        const note = internal.checked;
        await call(`/cases/${c.id}/messages`, { method: "POST", body: { body: value(body), internal: note } });
        return ctx.done(note ? "case.msg.noted" : "case.msg.sent");
      })));
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
