// Users and machine clients, for the system administrator (ACC-1: nothing of any case here, nor anywhere the
// sysadmin goes). The sysadmin never chooses or sees a password or TOTP secret (F1): a new account gets a one-time
// enrolment link, shown once, where its owner sets both; a new client's secret is shown once. Case-role accounts
// and changes to them wait for a division head (the approvals screen).
import { alertBox, announce, field, h, section } from "/js/dom.js";
import { t } from "/js/i18n.js";
import { call, ROLES } from "../session.js";
import { busy, facts, fill, num, problem, select, table, value, whenTime } from "../ui.js";

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
  u.pending_change
    ? h("span", { class: "badge wait" }, t("users.awaitingApproval"))
    : h("span", { class: `badge ${u.active ? "" : "off"}`.trim() }, u.active ? t("users.active") : t("users.inactive")),
  u.enrolled ? null : [" ", h("span", { class: "badge wait" }, t("users.notEnrolled"))],
];
// "Investigator · Investigation · E-123 · active": an account's access as a change shows it.
export const accessText = (a) => [t(`role.${a.role}`), a.team ? t(`team.${a.team}`) : null, a.employee_number,
  a.active ? t("users.active") : t("users.inactive")].filter(Boolean).join(" · ");

// The enrolment link as the owner opens it: this server's address and the path the API gave.
const linkOf = (enrolment) => new URL(enrolment.enrolment_url, location.origin).href;

// What waits for a division head, on the account's edit form.
function pendingNote(change) {
  return h("div", { class: "notice pending" },
    h("p", {}, t(`users.pending.${change.kind}`, { when: whenTime(change.requested_at) })),
    facts([
      change.before && [t("users.pending.before"), accessText(change.before)],
      [t("users.pending.after"), accessText(change.after)],
    ]),
    h("p", { class: "hint" }, t("users.pending.withdraw")));
}

function usersTable(state, page, me) {
  const rows = page.items.map((u) => [
    u.email, u.display_name, t(`role.${u.role}`), teamText(u.team), u.employee_number || "", status(u),
    whenTime(u.created_at),
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
      [t("users.email"), t("users.name"), t("users.role"), t("users.team"), t("users.employeeNumber"),
        t("users.status"), t("users.created"), t("users.actions")], rows, { cls: "users-table" }),
    page.total > LIMIT ? h("nav", { class: "pager", "aria-label": t("audit.pages") },
      offset > 0 ? link(Math.max(0, offset - LIMIT), t("audit.previous")) : null,
      offset + LIMIT < page.total ? link(offset + LIMIT, t("audit.next")) : null) : null,
  ];
}

function roleTeamFields(role, team) {
  const teams = [["", t("users.noTeam")], ...TEAMS.map((x) => [x, t(`team.${x}`)])];
  return [
    select(t("users.role"), ROLES.map((r) => [r, t(`role.${r}`)]), { value: role }),
    select(t("users.team"), teams, { value: team || "" }, t("users.team.hint")),
  ];
}

function editForm(state, u, me) {
  const own = u.id === me.id;
  const name = h("input", { type: "text", value: u.display_name, required: true, maxlength: 200 });
  const number = h("input", { type: "text", value: u.employee_number || "", autocomplete: "off" });
  const [roleField, teamField] = roleTeamFields(u.role, u.team);
  const out = h("div", {});
  const form = h("form", { id: "user-edit", class: "stack card", onsubmit: (e) => {
    e.preventDefault();
    const body = { display_name: name.value.trim() };
    if (number.value.trim() !== (u.employee_number || "")) body.employee_number = number.value.trim() || null;
    if (value(roleField) !== u.role) body.role = value(roleField);
    if ((value(teamField) || null) !== u.team) body.team = value(teamField) || null;
    save(body, t("users.saved", { email: u.email }));
  } },
  h("h3", { tabindex: "-1" }, t("users.edit.title", { email: u.email })),
  own ? h("p", { class: "hint" }, t("users.edit.ownHint")) : null,
  u.pending_change ? pendingNote(u.pending_change) : null,
  u.enrolled ? null : h("div", { class: "actions" },
    h("button", { type: "button", onclick: newLink }, t("users.link.new")),
    h("p", { class: "hint" }, u.enrolment_expires_at
      ? t("users.link.until", { when: whenTime(u.enrolment_expires_at) }) : t("users.link.none"))),
  field(t("users.name"), name),
  field(t("users.employeeNumber"), number, t("users.employeeNumber.hint")),
  roleField,
  teamField,
  h("p", { class: "hint" }, t("users.approval.hint")),
  out,
  h("div", { class: "actions" },
    h("button", { type: "submit", class: "primary" }, t("users.save")),
    u.active
      ? h("button", { type: "button", class: "danger",
        onclick: () => save({ active: false }, t("users.deactivated", { email: u.email })) }, t("users.deactivate"))
      : h("button", { type: "button",
        onclick: () => save({ active: true }, t("users.reactivated", { email: u.email })) }, t("users.reactivate")),
    h("button", { type: "button", onclick: async () => {
      state.editing = null;
      await paint(state);
    } }, t("users.cancel"))),
  u.active ? h("p", { class: "hint" }, t("users.deactivate.hint")) : null);
  return form;

  async function save(body, note) {
    try {
      const headers = { "If-Match": `"${u.version}"` };
      const saved = await busy(form, () => call(`/users/${u.id}`, { method: "PATCH", body, headers }));
      const waits = saved.pending_change && saved.pending_change.id !== u.pending_change?.id;
      state.editing = null;
      await again(state, waits ? t("users.pending.note", { email: u.email }) : note);
    } catch (err) {
      failed(err);
    }
  }

  async function newLink() {
    try {
      const link = await busy(form, () => call(`/users/${u.id}/enrolment`, { method: "POST" }));
      state.once = linkShownOnce(state, u.email, link, false);
      state.editing = null;
      await again(state, t("users.link.issued", { email: u.email }));
      state.screen.querySelector(".once h2")?.focus();
    } catch (err) {
      failed(err);
    }
  }

  function failed(err) {
    out.replaceChildren(alertBox(problem(err, "users")));
    out.firstChild.tabIndex = -1;
    out.firstChild.focus();
  }
}

// The enrolment link, shown once: whoever opens it sets the account's password, so it goes to its owner only.
function linkShownOnce(state, email, enrolment, waits) {
  return shownOnce(state, t("users.once.title", { email }), [
    [t("users.email"), h("code", {}, email)],
    [t("users.once.link"), h("code", { class: "secret" }, linkOf(enrolment))],
    [t("users.once.until"), whenTime(enrolment.expires_at)],
    waits && [t("users.once.approval"), t("users.once.approvalWaits")],
  ], t("users.once.linkNote"));
}

function createUser(state) {
  const email = h("input", { type: "email", required: true, autocomplete: "off" });
  const name = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const number = h("input", { type: "text", autocomplete: "off" });
  const [roleField, teamField] = roleTeamFields("intake", "intake_counselling");
  const out = h("div", {});
  const form = h("form", { class: "stack", onsubmit: submit },
    field(t("users.email"), email),
    field(t("users.name"), name),
    roleField,
    teamField,
    field(t("users.employeeNumber"), number, t("users.employeeNumber.hint")),
    h("p", { class: "hint" }, t("users.create.hint")),
    out,
    h("button", { type: "submit", class: "primary" }, t("users.create")));
  return h("details", { class: "add" }, h("summary", {}, t("users.new")), form);

  async function submit(e) {
    e.preventDefault();
    const role = value(roleField);
    const body = { email: email.value.trim(), display_name: name.value.trim(), role,
      team: TEAM_ROLES.includes(role) ? value(teamField) || null : null };
    if (number.value.trim()) body.employee_number = number.value.trim();
    try {
      const made = await busy(form, () => call("/users", { method: "POST", body }));
      state.once = linkShownOnce(state, made.user.email, made.enrolment, Boolean(made.user.pending_change));
      await again(state, t("users.created.note", { email: made.user.email }));
      state.screen.querySelector(".once h2")?.focus();
    } catch (err) {
      out.replaceChildren(alertBox(problem(err, "users")));
    }
  }
}

// What the server shows once: until the person says it is handed over, or leaves the screen.
function shownOnce(state, title, pairs, note = t("users.once.note")) {
  return h("section", { class: "once", "aria-labelledby": "once-title" },
    h("h2", { id: "once-title", tabindex: "-1" }, title),
    h("p", { class: "once-note" }, note),
    facts(pairs, "secrets"),
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
    whenTime(c.created_at),
    c.active ? h("button", { type: "button", class: "link",
      "aria-label": t("users.clients.deactivate.for", { name: c.name }),
      onclick: async (e) => {
        const cell = e.target.closest("td");
        try {
          await call(`/clients/${c.id}/deactivation`, { method: "POST" });
          await again(state, t("users.clients.deactivated", { name: c.name }));
        } catch (err) {
          cell.append(alertBox(problem(err, "users")));
        }
      } }, t("users.deactivate")) : "",
  ]);
  return table(t("users.clients.caption", { total: num(page.total) }),
    [t("users.clients.name"), t("users.clients.id"), t("users.clients.kind"), t("users.clients.scopes"),
      t("users.status"), t("users.created"), t("users.actions")], rows, { cls: "users-table" });
}

function createClient(state) {
  const name = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const kind = select(t("users.clients.kind"), KINDS.map((k) => [k, t(`users.kind.${k}`)]), { value: "hr_system" },
    t("users.clients.kind.hint"));
  const out = h("div", {});
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const body = { name: name.value.trim(), kind: value(kind) };
      const made = await busy(form, () => call("/clients", { method: "POST", body }));
      state.once = shownOnce(state, t("users.once.clientTitle", { name: made.client.name }), [
        [t("users.clients.id"), h("code", {}, made.client.client_id)],
        [t("users.once.secret"), h("code", { class: "secret" }, made.client_secret)],
        [t("users.clients.scopes"), made.client.scopes.join(", ")],
      ]);
      await again(state, t("users.clients.created", { name: made.client.name }));
      state.screen.querySelector(".once h2")?.focus();
    } catch (err) {
      out.replaceChildren(alertBox(problem(err, "users")));
    }
  } },
  field(t("users.clients.name"), name),
  kind,
  out,
  h("button", { type: "submit", class: "primary" }, t("users.clients.create")));
  return h("details", { class: "add" }, h("summary", {}, t("users.clients.new")), form);
}
