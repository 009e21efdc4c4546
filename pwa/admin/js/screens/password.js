// Changing one's own password, for every signed-in staff member (security review F17; issue 18, point 3): the current
// password and the new one twice (the two compared here, before anything is sent). The server checks the rules of
// enrolment, wraps the account's private key — and so its cases' keys — under the new password, and ends every
// sign-in of the account, this one too: the page says so and shows the sign-in form (`ctx.signedOut`).
import { alertBox, field, h } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { call } from "../session.js";
import { busy, problem } from "../ui.js";

const secret = (autocomplete, attrs = {}) =>
  h("input", { type: "password", autocomplete, required: true, maxlength: 1024, ...attrs });

export function render({ signedOut }) {
  const current = secret("current-password");
  const next = secret("new-password", { minlength: 15 });
  const again = secret("new-password");
  const box = h("div", {});
  const form = h("form", { class: "stack narrow", onsubmit: submit },
    h("h1", {}, t("password.title")),
    h("p", {}, t("password.lead")),
    field(t("password.current"), current),
    field(t("enrol.password"), next, t("enrol.password.hint")),
    field(t("enrol.password.again"), again),
    box,
    h("button", { type: "submit", class: "primary" }, t("password.submit")));
  return form;

  async function submit(e) {
    e.preventDefault();
    box.replaceChildren();
    if (next.value !== again.value) return fail(t("enrol.password.mismatch"));
    try {
      const body = { current_password: current.value, new_password: next.value };
      await busy(form, () => call("/auth/password", { method: "POST", body }));
      signedOut(t("password.done"));
    } catch (err) {
      fail(problem(err, "enrol")); // the enrolment page's words for the password rules (422)
    }
  }

  function fail(text) {
    box.replaceChildren(alertBox(text));
    box.firstChild.tabIndex = -1;
    box.firstChild.focus();
  }
}
