// Users and machine clients, for the system administrator (ACC-1: nothing of any case here, nor anywhere the
// sysadmin goes). A new account's TOTP secret and initial password, and a new client's secret, are shown once.
import { alertBox, field, h, section } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { announce, CASE_TEAM } from "../main.js";
import { busy, facts, fill, num, say, select, table, when } from "../office.js";
import { call } from "../session.js";

const ROLES = [...CASE_TEAM, "hr_officer", "auditor", "sysadmin"];
const TEAM_ROLES = ["intake", "investigator", "team_lead"];
const TEAMS = ["intake_counselling", "investigation", "victim_support_legal", "prevention_education"];
const KINDS = ["hr_system", "contractor_portal"];
const LIMIT = 50;

export async function render(ctx) {
  const screen = h("div", { class: "stack" });
  const state = { ctx, screen, once: null, editing: null, note: null };
  await paint(state);
  return screen;
}

// Draws the whole screen again from the server's lists (after every change).
async function paint(state) {
  const { params, me } = state.ctx;
  const offset = Math.max(0, Number(params.get("offset")) || 0);
  const query = new URLSearchParams({ offset, limit: LIMIT });
  if (params.get("role")) query.set("role", params.get("role"));
  const [users, clients] = await Promise.all([call(`/users?${query}`), call("/clients?limit=200")]);
  const editing = state.editing && users.items.find((u) => u.id === state.editing);
  fill(state.screen,
    h("h1", {}, t("admin.nav.users")),
    h("p", { class: "lead" }, t("users.lead")),
    state.once,
    state.note ? h("p", { class: "notice", role: "status" }, state.note) : null,
    section(t("users.title"),
      usersTable(state, users, me),
      editing ? editForm(state, editing, me) : null,
      createUser(state)),
    section(t("users.clients"),
      clientsTable(state, clients),
      createClient(state)),
  );
  state.note = null;
}

async function again(state, note) {
  state.note = note;
  await paint(state);
  if (note) announce(note);
}

const teamText = (team) => (team ? t(`team.${team}`) : t("users.noTeam"));
const status = (u) => [
  h("span", { class: `badge ${u.active ? "" : "off"}`.trim() }, u.active ? t("users.active") : t("users.inactive")),
  u.locked ? [" ", h("span", { class: "badge off" }, t("users.locked"))] : null,
];

function usersTable(state, page, me) {
  const rows = page.items.map((u) => [
    u.email, u.display_name, t(`role.${u.role}`), teamText(u.team), u.employee_number || "", status(u), when(u.created_at),
    h("button", { type: "button", class: "link", "aria-label": t("users.edit.for", { email: u.email }),
      onclick: async () => {
        state.editing = u.id;
        await paint(state);
        state.screen.querySelector("#user-edit h3")?.focus();
      } }, u.id === me.id ? t("users.edit.self") : t("users.edit")),
  ]);
  const offset = page.offset;
  const link = (o, label) => h("a", { class: "button", href: `#/users?offset=${o}` }, label);
  return [
    table(t("users.caption", { total: num(page.total) }),
      [t("users.email"), t("users.name"), t("users.role"), t("users.team"), t("users.employeeNumber"), t("users.status"),
        t("users.created"), t("users.actions")], rows, { cls: "users-table" }),
    page.total > LIMIT ? h("nav", { class: "pager", "aria-label": t("audit.pages") },
      offset > 0 ? link(Math.max(0, offset - LIMIT), t("audit.previous")) : null,
      offset + LIMIT < page.total ? link(offset + LIMIT, t("audit.next")) : null) : null,
  ];
}

function roleTeamFields(role, team) {
  const roleSel = select(ROLES.map((r) => [r, t(`role.${r}`)]), role);
  const teamSel = select([["", t("users.noTeam")], ...TEAMS.map((x) => [x, t(`team.${x}`)])], team || "");
  return [roleSel, teamSel];
}

function editForm(state, u, me) {
  const own = u.id === me.id;
  const name = h("input", { type: "text", value: u.display_name, required: true, maxlength: 200 });
  const number = h("input", { type: "text", value: u.employee_number || "", autocomplete: "off" });
  const [roleSel, teamSel] = roleTeamFields(u.role, u.team);
  const out = h("div", {});
  const form = h("form", { id: "user-edit", class: "stack card", onsubmit: (e) => {
    e.preventDefault();
    const body = { display_name: name.value.trim() };
    if (number.value.trim() !== (u.employee_number || "")) body.employee_number = number.value.trim() || null;
    if (roleSel.value !== u.role) body.role = roleSel.value;
    if ((teamSel.value || null) !== u.team) body.team = teamSel.value || null;
    save(body, t("users.saved", { email: u.email }));
  } },
  h("h3", { tabindex: "-1" }, t("users.edit.title", { email: u.email })),
  own ? h("p", { class: "hint" }, t("users.edit.ownHint")) : null,
  field(t("users.name"), name),
  field(t("users.employeeNumber"), number),
  field(t("users.role"), roleSel),
  field(t("users.team"), teamSel, t("users.team.hint")),
  out,
  h("div", { class: "actions" },
    h("button", { type: "submit", class: "primary" }, t("users.save")),
    u.active
      ? h("button", { type: "button", class: "danger", onclick: () => save({ active: false }, t("users.deactivated", { email: u.email })) }, t("users.deactivate"))
      : h("button", { type: "button", onclick: () => save({ active: true }, t("users.reactivated", { email: u.email })) }, t("users.reactivate")),
    h("button", { type: "button", onclick: async () => {
      state.editing = null;
      await paint(state);
    } }, t("users.cancel"))),
  u.active ? h("p", { class: "hint" }, t("users.deactivate.hint")) : null);
  return form;

  async function save(body, note) {
    try {
      await busy(form, () => call(`/users/${u.id}`, { method: "PATCH", body, headers: { "If-Match": `"${u.version}"` } }));
      state.editing = null;
      await again(state, note);
    } catch (err) {
      out.replaceChildren(alertBox(say(err, "users")));
      out.firstChild.tabIndex = -1;
      out.firstChild.focus();
    }
  }
}

function createUser(state) {
  const email = h("input", { type: "email", required: true, autocomplete: "off" });
  const name = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const number = h("input", { type: "text", autocomplete: "off" });
  const password = h("input", { type: "password", autocomplete: "new-password", minlength: 12 });
  const [roleSel, teamSel] = roleTeamFields("intake", "intake_counselling");
  const out = h("div", {});
  const form = h("form", { class: "stack", onsubmit: submit },
    field(t("users.email"), email),
    field(t("users.name"), name),
    field(t("users.role"), roleSel),
    field(t("users.team"), teamSel, t("users.team.hint")),
    field(t("users.employeeNumber"), number, t("users.employeeNumber.hint")),
    field(t("users.password"), password, t("users.password.hint")),
    out,
    h("button", { type: "submit", class: "primary" }, t("users.create")));
  return h("details", { class: "add" }, h("summary", {}, t("users.new")), form);

  async function submit(e) {
    e.preventDefault();
    const body = { email: email.value.trim(), display_name: name.value.trim(), role: roleSel.value,
      team: TEAM_ROLES.includes(roleSel.value) ? teamSel.value || null : null };
    if (number.value.trim()) body.employee_number = number.value.trim();
    if (password.value) body.password = password.value;
    try {
      const made = await busy(form, () => call("/users", { method: "POST", body }));
      state.once = shownOnce(state, t("users.once.title", { email: made.user.email }), [
        [t("users.email"), h("code", {}, made.user.email)],
        made.initial_password ? [t("users.once.password"), h("code", { class: "secret" }, made.initial_password)] : [t("users.once.password"), t("users.once.passwordChosen")],
        [t("users.once.totp"), h("code", { class: "secret" }, made.totp_secret)],
        [t("users.once.uri"), h("code", { class: "secret" }, made.totp_uri)],
      ]);
      await again(state, t("users.created.note", { email: made.user.email }));
      state.screen.querySelector(".once h2")?.focus();
    } catch (err) {
      out.replaceChildren(alertBox(say(err, "users")));
    }
  }
}

// What the server shows once: until the person says it is handed over, or leaves the screen.
function shownOnce(state, title, pairs) {
  return h("section", { class: "once", "aria-labelledby": "once-title" },
    h("h2", { id: "once-title", tabindex: "-1" }, title),
    h("p", { class: "once-note" }, t("users.once.note")),
    facts(pairs, "facts secrets"),
    h("button", { type: "button", class: "primary", onclick: async () => {
      state.once = null;
      await paint(state);
      state.screen.querySelector("h1")?.focus();
    } }, t("users.once.done")));
}

function clientsTable(state, page) {
  if (!page.items.length) return h("p", { class: "note" }, t("users.clients.none"));
  const rows = page.items.map((c) => [
    c.name, h("code", {}, c.client_id), t(`users.kind.${c.kind}`), c.scopes.join(", "),
    h("span", { class: `badge ${c.active ? "" : "off"}`.trim() }, c.active ? t("users.active") : t("users.inactive")),
    when(c.created_at),
    c.active ? h("button", { type: "button", class: "link", "aria-label": t("users.clients.deactivate.for", { name: c.name }),
      onclick: async (e) => {
        const cell = e.target.closest("td");
        try {
          await call(`/clients/${c.id}/deactivation`, { method: "POST" });
          await again(state, t("users.clients.deactivated", { name: c.name }));
        } catch (err) {
          cell.append(alertBox(say(err, "users")));
        }
      } }, t("users.deactivate")) : "",
  ]);
  return table(t("users.clients.caption", { total: num(page.total) }),
    [t("users.clients.name"), t("users.clients.id"), t("users.clients.kind"), t("users.clients.scopes"), t("users.status"),
      t("users.created"), t("users.actions")], rows, { cls: "users-table" });
}

function createClient(state) {
  const name = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const kind = select(KINDS.map((k) => [k, t(`users.kind.${k}`)]), "hr_system");
  const out = h("div", {});
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const made = await busy(form, () => call("/clients", { method: "POST", body: { name: name.value.trim(), kind: kind.value } }));
      state.once = shownOnce(state, t("users.once.clientTitle", { name: made.client.name }), [
        [t("users.clients.id"), h("code", {}, made.client.client_id)],
        [t("users.once.secret"), h("code", { class: "secret" }, made.client_secret)],
        [t("users.clients.scopes"), made.client.scopes.join(", ")],
      ]);
      await again(state, t("users.clients.created", { name: made.client.name }));
      state.screen.querySelector(".once h2")?.focus();
    } catch (err) {
      out.replaceChildren(alertBox(say(err, "users")));
    }
  } },
  field(t("users.clients.name"), name),
  field(t("users.clients.kind"), kind, t("users.clients.kind.hint")),
  out,
  h("button", { type: "submit", class: "primary" }, t("users.clients.create")));
  return h("details", { class: "add" }, h("summary", {}, t("users.clients.new")), form);
}
