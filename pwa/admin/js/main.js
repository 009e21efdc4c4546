// The case team's dashboard: sign-in, the menu for one's role, and hash routes (#/queue, #/case/<id>, …) so that
// Back, reload and links to a case work. Screens are loaded on demand; each exports `render(ctx)` → Node (or a
// promise of one). The server decides what anyone may see: the menu only leaves out what a role cannot use.
import { explain } from "/js/api.js";
import { alertBox, announce, field, h } from "/js/dom.js";
import { formatDate, lang, loadStrings, remember, t, useStrings } from "/js/i18n.js";
import { navigate } from "./nav.js";
import { CASE_TEAM, current, forget, resume, ROLES, signIn, signOut } from "./session.js";
import { problem } from "./ui.js";

useStrings(["/i18n/", "/admin/i18n/core.", "/admin/i18n/case.", "/admin/i18n/office.", "/admin/i18n/education."]);

// route → [module, roles that see it in the menu (null: not in the menu)]
const ROUTES = {
  queue: [() => import("./screens/queue.js"), CASE_TEAM],
  case: [() => import("./screens/case.js"), null],
  approvals: [() => import("./screens/approvals.js"), CASE_TEAM],
  registries: [() => import("./screens/registries.js"), [...CASE_TEAM, "hr_officer", "sysadmin"]],
  statistics: [() => import("./screens/statistics.js"), ROLES],
  education: [() => import("./screens/education.js"), [...CASE_TEAM, "hr_officer", "auditor"]],
  audit: [() => import("./screens/audit.js"), ["auditor"]],
  users: [() => import("./screens/users.js"), ["sysadmin"]],
  password: [() => import("./screens/password.js"), null], // from the header, for everyone
};
const HOME = { auditor: "audit", sysadmin: "users", hr_officer: "registries" };

const home = (me) => HOME[me.role] || "queue";

// "#/case/<id>?tab=messages" → { name: "case", args: ["<id>"], params: URLSearchParams }
function parse() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, ...args] = path.split("/").filter(Boolean);
  return { name, args, params: new URLSearchParams(query) };
}

let notice = null;
let failedNotice = null; // failed sign-in attempts since the last sign-in: shown once, on the first screen after it

// Shows a screen; the focus goes to its heading so that a screen reader starts at the top. A screen still loading
// when the address changes again is dropped (`drawn`), so that a slow answer never paints over a newer screen.
let drawn = 0;
async function show() {
  const turn = ++drawn;
  const view = document.getElementById("view");
  const me = current();
  if (!me) return view.replaceChildren(loginForm());
  const route = parse();
  if (!ROUTES[route.name]) return navigate(home(me));
  paintShell();
  view.replaceChildren(h("h1", {}, t("admin.loading")));
  try {
    const mod = await ROUTES[route.name][0]();
    const node = await mod.render({ ...route, me, refresh: show, signedOut });
    if (turn !== drawn) return;
    view.replaceChildren(...[node].flat());
    if (failedNotice) {
      view.querySelector("h1").after(h("p", { class: "notice", id: "failed-sign-ins" }, failedNotice));
      failedNotice = null;
    }
  } catch (err) {
    if (turn !== drawn) return;
    if (err.status === 401) return expired();
    // In our words, e.g. a case whose key is not shared with this reader yet (409, issue 18).
    view.replaceChildren(h("h1", {}, t(`admin.nav.${route.name}`)), alertBox(problem(err)));
  }
  document.title = `${view.querySelector("h1")?.textContent || "WithU"} · WithU`;
  const heading = view.querySelector("h1");
  heading.tabIndex = -1;
  heading.focus();
}

function expired() {
  forget();
  notice = t("admin.expired");
  show();
}

// Every sign-in ended on purpose (a new password): the sign-in form saying why, then the home screen.
function signedOut(why) {
  forget();
  notice = why;
  if (parse().name) location.hash = ""; // the hash change draws the form
  else show();
}

function paintShell() {
  const me = current();
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("admin.nav"));
  nav.hidden = !me;
  const active = parse().name;
  const link = (name) =>
    h("a", { href: `#/${name}`, "aria-current": name === active ? "page" : null }, t(`admin.nav.${name}`));
  nav.replaceChildren(...(me ? Object.entries(ROUTES)
    .filter(([, [, roles]]) => roles?.includes(me.role))
    .map(([name]) => link(name)) : []));
  document.getElementById("who").textContent = me ? `${me.display_name} · ${t(`role.${me.role}`)}` : "";
  for (const [id, key] of [["password-change", "admin.password"], ["signout", "admin.signout"],
    ["signout-all", "admin.signoutAll"]]) {
    const button = document.getElementById(id);
    button.hidden = !me;
    button.textContent = t(key);
  }
  document.getElementById("password-change").setAttribute("aria-label", t("password.title")); // "Password" in short
  const toggle = document.getElementById("lang-toggle");
  toggle.textContent = t("lang.switchTo");
  toggle.lang = lang() === "ko" ? "en" : "ko";
  document.querySelector(".skip").textContent = t("skip");
}

function loginForm() {
  paintShell();
  const error = notice; // kept until the next sign-in: the form may be drawn twice (hash change and reload)
  const email = h("input", { id: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "password", type: "password", autocomplete: "current-password", required: true });
  const totp = h("input", { id: "totp", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}",
    maxlength: 6, required: true });
  const box = h("div", {});
  const form = h("form", { class: "stack narrow", onsubmit: submit },
    h("h1", {}, t("admin.login.title")),
    h("p", {}, t("admin.login.lead")),
    field(t("admin.login.email"), email),
    field(t("admin.login.password"), password),
    field(t("admin.login.totp"), totp, t("admin.login.totp.hint")),
    box,
    h("button", { type: "submit", class: "primary" }, t("admin.login.submit")));
  if (error) box.replaceChildren(alertBox(error));
  return form;

  async function submit(e) {
    e.preventDefault();
    try {
      const { me, failed, lastFailedOn } = await signIn(email.value, password.value, totp.value.trim());
      notice = null;
      failedNotice = failed ? t("admin.login.failedSince", { n: failed, day: formatDate(lastFailedOn) }) : null;
      if (parse().name) await show();
      else navigate(home(me));
    } catch (err) {
      box.replaceChildren(alertBox(err.status === 401 ? t("admin.login.refused") : explain(err)));
      box.querySelector("[role=alert]").tabIndex = -1;
      box.querySelector("[role=alert]").focus();
    }
  }
}

async function start() {
  await loadStrings();
  document.getElementById("lang-toggle").addEventListener("click", async () => {
    const next = lang() === "ko" ? "en" : "ko";
    await loadStrings(next);
    remember(next);
    await show();
    announce(t("lang.switched"));
  });
  for (const [id, everywhere] of [["signout", false], ["signout-all", true]]) {
    document.getElementById(id).addEventListener("click", async () => {
      await signOut(everywhere).catch(() => {});
      notice = t(everywhere ? "admin.signedOutAll" : "admin.signedOut");
      location.hash = "";
      await show();
    });
  }
  document.getElementById("password-change").addEventListener("click", () => navigate("password"));
  addEventListener("hashchange", show);
  await resume();
  await show();
}

start();
