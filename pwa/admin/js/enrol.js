// The enrolment page (ACC-1, security review F1, F17): the owner of a new staff account sets their own password
// and scans their own TOTP secret — the system administrator who made the account sees neither. The link's token
// is in the address's fragment, which browsers never send to a server; it is read once, kept in memory and taken
// out of the address bar (and so out of the history). The server refuses a short, common or breached password.
import { api, explain } from "/js/api.js";
import { alertBox, announce, field, h } from "/js/dom.js";
import { lang, loadStrings, remember, t, useStrings } from "/js/i18n.js";
import { whenTime } from "./ui.js";

useStrings(["/i18n/", "/admin/i18n/core.", "/admin/i18n/office."]);

const token = location.hash.replace(/^#/, "");
if (token) history.replaceState(null, "", location.pathname);

let offer = null; // { email, display_name, totp_secret, totp_uri, expires_at } once the link was accepted
let failure = null; // why the link was not accepted
let done = false;

// An error in our own words: the page's text for its code, else the shared wording.
function problem(err) {
  const key = `enrol.err.${err?.code}`;
  return err?.code && t(key) !== key ? t(key) : explain(err);
}

// The secret in groups of four, easier to type into an app by hand.
const grouped = (secret) => secret.match(/.{1,4}/g).join(" ");

function show(node) {
  const view = document.getElementById("view");
  view.replaceChildren(node);
  document.title = `${view.querySelector("h1").textContent} · WithU`;
  const toggle = document.getElementById("lang-toggle");
  toggle.textContent = t("lang.switchTo");
  toggle.lang = lang() === "ko" ? "en" : "ko";
  document.querySelector(".skip").textContent = t("skip");
}

function page() {
  if (done) {
    return h("div", { class: "stack narrow" },
      h("h1", {}, t("enrol.done.title")),
      h("p", {}, t("enrol.done.lead")),
      h("p", {}, h("a", { class: "button primary", href: "/admin/" }, t("enrol.done.signIn"))));
  }
  if (!offer) {
    return h("div", { class: "stack narrow" },
      h("h1", {}, t("enrol.title")),
      alertBox(token ? failure || t("admin.loading") : t("enrol.noLink")));
  }
  const password = h("input", { type: "password", autocomplete: "new-password", required: true, minlength: 15,
    maxlength: 1024 });
  const again = h("input", { type: "password", autocomplete: "new-password", required: true });
  const totp = h("input", { inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: 6,
    required: true });
  const box = h("div", {});
  const form = h("form", { class: "stack narrow", onsubmit: submit },
    h("h1", {}, t("enrol.title")),
    h("p", {}, t("enrol.lead", { name: offer.display_name, email: offer.email })),
    h("section", { class: "stack", "aria-labelledby": "enrol-totp" },
      h("h2", { id: "enrol-totp" }, t("enrol.totp.title")),
      h("p", {}, t("enrol.totp.lead")),
      h("img", { class: "qr", src: offer.totp_qr, alt: t("enrol.totp.qr"), width: 240, height: 240 }),
      h("p", { class: "hint" }, t("enrol.totp.typeInstead")),
      h("dl", { class: "facts secrets" },
        h("dt", {}, t("enrol.totp.secret")), h("dd", {}, h("code", { class: "secret" }, grouped(offer.totp_secret))),
        h("dt", {}, t("enrol.totp.uri")), h("dd", {}, h("code", { class: "secret" }, offer.totp_uri))),
      field(t("enrol.totp.code"), totp, t("enrol.totp.code.hint"))),
    h("section", { class: "stack", "aria-labelledby": "enrol-password" },
      h("h2", { id: "enrol-password" }, t("enrol.password.title")),
      field(t("enrol.password"), password, t("enrol.password.hint")),
      field(t("enrol.password.again"), again)),
    box,
    h("button", { type: "submit", class: "primary" }, t("enrol.submit")),
    h("p", { class: "hint" }, t("enrol.expires", { when: whenTime(offer.expires_at) })));
  return form;

  async function submit(e) {
    e.preventDefault();
    box.replaceChildren();
    if (password.value !== again.value) return fail(t("enrol.password.mismatch"));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api("/enrolment", { method: "POST", body: { token, password: password.value, totp: totp.value.trim() } });
      done = true;
      offer = null;
      show(page());
      announce(t("enrol.done.title"));
      document.querySelector("#view h1").focus();
    } catch (err) {
      fail(problem(err));
    } finally {
      button.disabled = false;
    }
  }

  function fail(text) {
    box.replaceChildren(alertBox(text));
    box.firstChild.tabIndex = -1;
    box.firstChild.focus();
  }
}

async function start() {
  await loadStrings();
  document.getElementById("lang-toggle").addEventListener("click", async () => {
    const next = lang() === "ko" ? "en" : "ko";
    await loadStrings(next);
    remember(next);
    show(page());
    announce(t("lang.switched"));
  });
  if (token) {
    try {
      offer = await api("/enrolment/offer", { method: "POST", body: { token } });
    } catch (err) {
      failure = problem(err);
    }
  }
  show(page());
}

start();
