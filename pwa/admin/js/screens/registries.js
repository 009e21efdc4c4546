// Registries (issue #7 item 5): publicity ambassadors and their memorial places (AMB-1, AMB-2), contracts with
// commissioned organisations (CON-1, CON-2), the personnel system's sync status and its webhook deliveries.
// Each part is shown when the role may use it: a part the server refuses (403) is left out, not shown as an error.
import { alertBox, field, h, section } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { announce } from "../main.js";
import { busy, facts, fill, num, part, say, select, table, when } from "../office.js";
import { call } from "../session.js";

const DECIDERS = ["team_lead", "division_head"];

export async function render(ctx) {
  const screen = h("div", { class: "stack" });
  await paint(ctx, screen);
  return screen;
}

async function paint(ctx, screen, note) {
  const [ambassadors, contracts, personnel] = await Promise.all([part("/ambassadors"), part("/contracts"), part("/personnel/status")]);
  const decider = DECIDERS.includes(ctx.me.role);
  const redo = async (text) => {
    await paint(ctx, screen, text);
    announce(text);
  };
  const parts = [
    ambassadors.denied ? null : section(t("reg.amb.title"), failed(ambassadors) || ambassadorPart(ambassadors.data, decider, redo)),
    contracts.denied ? null : section(t("reg.con.title"), failed(contracts) || contractPart(contracts.data, decider, redo)),
    personnel.denied ? null : section(t("reg.sync.title"), failed(personnel) || syncPart(personnel.data)),
    personnel.denied ? null : section(t("reg.hooks.title"), failed(personnel) || deliveryPart(personnel.data)),
  ].filter(Boolean);
  fill(screen,
    h("h1", {}, t("admin.nav.registries")),
    note ? h("p", { class: "notice" }, note) : null,
    ...(parts.length ? parts : [h("p", { class: "note" }, t("reg.nothing"))]),
  );
}

const failed = (loaded) => (loaded.error ? alertBox(say(loaded.error, "reg")) : null);
const badge = (text, off = false) => h("span", { class: `badge ${off ? "off" : ""}`.trim() }, text);

// --- ambassadors and memorial places ---------------------------------------------------------------------------
function ambassadorPart(list, decider, redo) {
  const rows = list.map((a) => [
    a.public_name,
    [badge(t(`reg.amb.status.${a.status}`), a.status !== "active"), " ",
      h("span", { class: "hint" }, a.promotional_use_allowed ? t("reg.amb.promoYes") : t("reg.amb.promoNo"))],
    formatDate(a.designated_on),
    a.places.length ? h("ul", { class: "plain" }, a.places.map((p) => h("li", {}, `${p.name} · ${p.location} `,
      badge(p.status === "open" ? t("reg.place.open", { date: formatDate(p.opened_on) }) : t("reg.place.shut", { date: formatDate(p.shut_on) }), p.status !== "open"))))
      : t("reg.amb.noPlaces"),
    a.status === "cancelled"
      ? [t(`reg.amb.basis.${a.cancel_basis}`, { date: formatDate(a.cancelled_on) }),
        a.conviction ? h("p", { class: "hint" }, t("reg.amb.conviction", { court: a.conviction.court || "", date: formatDate(a.conviction.convicted_on) })) : null]
      : "",
  ]);
  const open = list.filter((a) => a.status === "active");
  const notCancelled = list.filter((a) => a.status !== "cancelled");
  return [
    h("p", { class: "hint" }, t("reg.amb.lead")),
    list.length
      ? table(t("reg.amb.caption", { n: num(list.length) }),
        [t("reg.amb.name"), t("reg.amb.status"), t("reg.amb.designated"), t("reg.amb.places"), t("reg.amb.cancelled")], rows)
      : h("p", { class: "note" }, t("reg.amb.none")),
    decider ? [
      designateForm(redo),
      open.length ? placeForm(open, redo) : null,
      notCancelled.length ? convictionForm(notCancelled, redo) : null,
    ] : h("p", { class: "hint" }, t("reg.deciders")),
  ];
}

// A form in a disclosure: `fields` are [label, input, hint?]; `send` returns the note to show after success.
function disclosure(summary, fields, button, send, cls = "primary") {
  const out = h("div", {});
  const form = h("form", { class: "stack", onsubmit: async (e) => {
    e.preventDefault();
    try {
      await busy(form, send);
    } catch (err) {
      out.replaceChildren(alertBox(say(err, "reg")));
    }
  } },
  fields.map((f) => (f instanceof Node ? f : field(f[0], f[1], f[2]))),
  out,
  h("button", { type: "submit", class: cls }, button));
  return h("details", { class: "add" }, h("summary", {}, summary), form);
}

function designateForm(redo) {
  const name = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const day = h("input", { type: "date" });
  return disclosure(t("reg.amb.new"), [[t("reg.amb.name"), name], [t("reg.amb.designated"), day, t("reg.amb.designated.hint")]],
    t("reg.amb.designate"), async () => {
      const body = { public_name: name.value.trim() };
      if (day.value) body.designated_on = day.value;
      const made = await call("/ambassadors", { method: "POST", body });
      await redo(t("reg.amb.designated.note", { name: made.public_name }));
    });
}

function placeForm(active, redo) {
  const who = select(active.map((a) => [a.id, a.public_name]));
  const name = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const where = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  return disclosure(t("reg.place.new"), [[t("reg.place.ambassador"), who, t("reg.place.hint")], [t("reg.place.name"), name], [t("reg.place.location"), where]],
    t("reg.place.add"), async () => {
      const made = await call(`/ambassadors/${who.value}/places`, { method: "POST", body: { name: name.value.trim(), location: where.value.trim() } });
      await redo(t("reg.place.added", { name: made.name }));
    });
}

function convictionForm(list, redo) {
  const who = select(list.map((a) => [a.id, a.public_name]));
  const court = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const day = h("input", { type: "date", required: true });
  const note = h("textarea", { rows: 2, maxlength: 2000 });
  return disclosure(t("reg.conv.new"), [
    h("p", { class: "alert-soft" }, t("reg.conv.warning")),
    [t("reg.place.ambassador"), who], [t("reg.conv.court"), court], [t("reg.conv.date"), day], [t("reg.conv.note"), note, t("reg.conv.note.hint")],
  ], t("reg.conv.record"), async () => {
    const body = { court: court.value.trim(), convicted_on: day.value };
    if (note.value.trim()) body.note = note.value.trim();
    const made = await call(`/ambassadors/${who.value}/convictions`, { method: "POST", body });
    await redo(t("reg.conv.recorded", { name: made.public_name }));
  }, "danger");
}

// --- contracts with commissioned organisations -----------------------------------------------------------------
function contractPart(list, decider, redo) {
  const rows = list.map((c) => [
    h("span", {}, h("code", {}, c.number), h("br"), c.title),
    [c.organisation_name, h("br"), h("span", { class: "hint" }, c.organisation)],
    h("code", {}, c.client_id),
    [badge(t(`reg.con.status.${c.status}`), c.status !== "active"),
      c.status !== "active" && c.cancellation_ground ? h("p", { class: "hint" }, t(`reg.con.ground.${c.cancellation_ground}`)) : null,
      c.cancellation_reason ? h("p", { class: "hint" }, c.cancellation_reason) : null],
    [c.cancellation_initiated_on ? h("p", {}, t("reg.con.initiatedOn", { date: formatDate(c.cancellation_initiated_on) })) : null,
      c.initiated_automatically ? h("p", { class: "hint" }, t("reg.con.automatic")) : null,
      c.cancelled_on ? h("p", {}, t("reg.con.cancelledOn", { date: formatDate(c.cancelled_on) })) : null],
    c.status === "cancellation_initiated" && decider
      ? (c.you_may_confirm
        ? h("button", { type: "button", class: "danger", "aria-label": t("reg.con.confirm.for", { number: c.number }), onclick: async (e) => {
          const cell = e.target.closest("td");
          try {
            await call(`/contracts/${c.id}/cancellation/confirm`, { method: "POST" });
            await redo(t("reg.con.confirmed", { number: c.number }));
          } catch (err) {
            cell.append(alertBox(say(err, "reg")));
          }
        } }, t("reg.con.confirm"))
        : h("p", { class: "hint" }, t("reg.con.notYou")))
      : "",
  ]);
  const active = list.filter((c) => c.status === "active");
  return [
    h("p", { class: "hint" }, t("reg.con.lead")),
    list.length
      ? table(t("reg.con.caption", { n: num(list.length) }),
        [t("reg.con.contract"), t("reg.con.organisation"), t("reg.con.portal"), t("reg.con.status"), t("reg.con.days"), t("reg.con.actions")], rows)
      : h("p", { class: "note" }, t("reg.con.none")),
    decider ? [registerForm(redo), active.length ? cancelForm(active, redo) : null] : null,
  ];
}

function registerForm(redo) {
  const org = h("input", { type: "text", required: true, maxlength: 64, autocomplete: "off", spellcheck: "false" });
  const number = h("input", { type: "text", required: true, maxlength: 64, pattern: "[A-Za-z0-9./\\-]{1,64}", autocomplete: "off", spellcheck: "false" });
  const title = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const client = h("input", { type: "text", required: true, maxlength: 64, autocomplete: "off", spellcheck: "false" });
  return disclosure(t("reg.con.new"), [
    [t("reg.con.orgId"), org, t("reg.con.orgId.hint")], [t("reg.con.number"), number, t("reg.con.number.hint")],
    [t("reg.con.titleField"), title], [t("reg.con.clientId"), client, t("reg.con.clientId.hint")],
  ], t("reg.con.register"), async () => {
    const made = await call("/contracts", { method: "POST",
      body: { organisation: org.value.trim(), number: number.value.trim(), title: title.value.trim(), client_id: client.value.trim() } });
    await redo(t("reg.con.registered", { number: made.number }));
  });
}

function cancelForm(active, redo) {
  const which = select(active.map((c) => [c.id, `${c.number} · ${c.title}`]));
  const reason = h("textarea", { rows: 3, required: true, minlength: 10, maxlength: 2000 });
  return disclosure(t("reg.con.cancel"), [
    h("p", { class: "hint" }, t("reg.con.cancel.lead")),
    [t("reg.con.contract"), which], [t("reg.con.reason"), reason, t("reg.con.reason.hint")],
  ], t("reg.con.initiate"), async () => {
    const made = await call(`/contracts/${which.value}/cancellation`, { method: "POST", body: { reason: reason.value.trim() } });
    await redo(t("reg.con.initiated", { number: made.number }));
  }, "danger");
}

// --- the personnel system: sync status and webhook deliveries --------------------------------------------------
const never = (x) => (x ? when(x) : t("reg.sync.never"));

function syncPart(s) {
  return [
    h("p", { class: "hint" }, t("reg.sync.lead")),
    facts([
      [t("reg.sync.lastFull"), never(s.last_full_sync_at)],
      [t("reg.sync.asOf"), s.last_full_sync_as_of ? when(s.last_full_sync_as_of) : t("reg.sync.never")],
      [t("reg.sync.employees"), t("reg.sync.employeesValue", { n: num(s.employees), active: num(s.active_employees) })],
      [t("reg.sync.units"), num(s.units)],
      [t("reg.sync.assignments"), num(s.assignments)],
      [t("reg.sync.lastEvent"), never(s.last_event_at)],
      [t("reg.sync.events24h"), num(s.events_last_24h)],
    ], "facts grid-facts"),
  ];
}

function deliveryPart(s) {
  const failing = s.webhook_deliveries_failing;
  return [
    table(t("reg.hooks.caption"), [t("reg.hooks.state"), t("reg.hooks.count")], [
      [t("reg.hooks.pending"), num(s.webhook_deliveries_pending)],
      [t("reg.hooks.failing"), failing ? h("strong", { class: "overdue" }, num(failing)) : num(failing)],
    ]),
    h("p", { class: failing ? "alert" : "hint" }, failing ? t("reg.hooks.failingNote", { n: num(failing) }) : t("reg.hooks.allWell")),
    h("p", { class: "hint" }, t("reg.hooks.where")),
  ];
}
