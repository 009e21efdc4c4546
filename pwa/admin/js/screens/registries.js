// Registries (issue #7 item 5): publicity ambassadors and their memorial places (AMB-1, AMB-2), contracts with
// commissioned organisations and their follow-up obligations (CON-1, CON-2), the personnel system's sync status and
// the webhook delivery log. Each part is shown when the role may use it: a part the server refuses (403) is left
// out, not shown as an error. An obligation names its case only if it is one of the reader's (ACC-1); a delivery
// never shows what the event said (SEP-4).
import { alertBox, announce, field, h, section } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { call } from "../session.js";
import { busy, control, facts, fill, num, part, problem, select, table, value, whenTime } from "../ui.js";

const DECIDERS = ["team_lead", "division_head"];
const OBLIGATIONS = 50;
const DELIVERIES = 20;

export async function render(ctx) {
  const screen = h("div", { class: "stack" });
  await paint(ctx, screen);
  return screen;
}

async function paint(ctx, screen, note) {
  const [ambassadors, contracts, obligations, personnel, deliveries] = await Promise.all([
    part("/ambassadors"), part("/contracts"), part(`/obligations?limit=${OBLIGATIONS}`), part("/personnel/status"),
    part(`/personnel/deliveries?limit=${DELIVERIES}`)]);
  const decider = DECIDERS.includes(ctx.me.role);
  const redo = async (text) => {
    await paint(ctx, screen, text);
    announce(text);
  };
  const parts = [
    ambassadors.denied ? null
      : section(t("reg.amb.title"), failed(ambassadors) || ambassadorPart(ambassadors.data, decider, redo)),
    contracts.denied ? null
      : section(t("reg.con.title"), failed(contracts) || contractPart(contracts.data, decider, redo)),
    obligations.denied ? null : section(t("reg.obl.title"), failed(obligations) || obligationPart(obligations.data)),
    personnel.denied ? null : section(t("reg.sync.title"), failed(personnel) || syncPart(personnel.data)),
    personnel.denied && deliveries.denied ? null : section(t("reg.hooks.title"),
      personnel.denied ? null : failed(personnel) || deliveryPart(personnel.data),
      deliveries.denied ? null : failed(deliveries) || deliveryLog(deliveries.data)),
  ].filter(Boolean);
  fill(screen,
    h("h1", {}, t("admin.nav.registries")),
    note ? h("p", { class: "notice" }, note) : null,
    ...(parts.length ? parts : [h("p", { class: "note" }, t("reg.nothing"))]),
  );
}

const failed = (loaded) => (loaded.error ? alertBox(problem(loaded.error, "reg")) : null);
const badge = (text, off = false) => h("span", { class: `badge ${off ? "off" : ""}`.trim() }, text);

// --- ambassadors and memorial places ---------------------------------------------------------------------------
function ambassadorPart(list, decider, redo) {
  const rows = list.map((a) => [
    a.public_name,
    [badge(t(`reg.amb.status.${a.status}`), a.status !== "active"), " ",
      h("span", { class: "hint" }, a.promotional_use_allowed ? t("reg.amb.promoYes") : t("reg.amb.promoNo"))],
    formatDate(a.designated_on),
    a.places.length ? h("ul", { class: "plain" }, a.places.map(place)) : t("reg.amb.noPlaces"),
    a.status === "cancelled"
      ? [t(`reg.amb.basis.${a.cancel_basis}`, { date: formatDate(a.cancelled_on) }), conviction(a.conviction)]
      : "",
  ]);
  const open = list.filter((a) => a.status === "active");
  const notCancelled = list.filter((a) => a.status !== "cancelled");
  return [
    h("p", { class: "hint" }, t("reg.amb.lead")),
    list.length
      ? table(t("reg.amb.caption", { n: num(list.length) }),
        [t("reg.amb.name"), t("reg.amb.status"), t("reg.amb.designated"), t("reg.amb.places"), t("reg.amb.cancelled")],
        rows)
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
      out.replaceChildren(alertBox(problem(err, "reg")));
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
  return disclosure(t("reg.amb.new"),
    [[t("reg.amb.name"), name], [t("reg.amb.designated"), day, t("reg.amb.designated.hint")]],
    t("reg.amb.designate"), async () => {
      const body = { public_name: name.value.trim() };
      if (day.value) body.designated_on = day.value;
      const made = await call("/ambassadors", { method: "POST", body });
      await redo(t("reg.amb.designated.note", { name: made.public_name }));
    });
}

function placeForm(active, redo) {
  const who = select(t("reg.place.ambassador"), active.map((a) => [a.id, a.public_name]), {}, t("reg.place.hint"));
  const name = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const where = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  return disclosure(t("reg.place.new"), [who, [t("reg.place.name"), name], [t("reg.place.location"), where]],
    t("reg.place.add"), async () => {
      const body = { name: name.value.trim(), location: where.value.trim() };
      const made = await call(`/ambassadors/${value(who)}/places`, { method: "POST", body });
      await redo(t("reg.place.added", { name: made.name }));
    });
}

function convictionForm(list, redo) {
  const who = select(t("reg.place.ambassador"), list.map((a) => [a.id, a.public_name]));
  const court = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const day = h("input", { type: "date", required: true });
  const note = h("textarea", { rows: 2, maxlength: 2000 });
  return disclosure(t("reg.conv.new"), [
    h("p", { class: "alert-soft" }, t("reg.conv.warning")),
    who, [t("reg.conv.court"), court], [t("reg.conv.date"), day], [t("reg.conv.note"), note, t("reg.conv.note.hint")],
  ], t("reg.conv.record"), async () => {
    const body = { court: court.value.trim(), convicted_on: day.value };
    if (note.value.trim()) body.note = note.value.trim();
    const made = await call(`/ambassadors/${value(who)}/convictions`, { method: "POST", body });
    await redo(t("reg.conv.recorded", { name: made.public_name }));
  }, "danger");
}

const place = (p) => h("li", {}, `${p.name} · ${p.location} `, badge(p.status === "open"
  ? t("reg.place.open", { date: formatDate(p.opened_on) })
  : t("reg.place.shut", { date: formatDate(p.shut_on) }), p.status !== "open"));

const conviction = (c) => (c
  ? h("p", { class: "hint" }, t("reg.amb.conviction", { court: c.court || "", date: formatDate(c.convicted_on) }))
  : null);

// --- contracts with commissioned organisations -----------------------------------------------------------------
function contractPart(list, decider, redo) {
  const rows = list.map((c) => [
    h("span", {}, h("code", {}, c.number), h("br"), c.title),
    [c.organisation_name, h("br"), h("span", { class: "hint" }, c.organisation)],
    h("code", {}, c.client_id),
    [badge(t(`reg.con.status.${c.status}`), c.status !== "active"),
      c.status !== "active" && c.cancellation_ground
        ? h("p", { class: "hint" }, t(`reg.con.ground.${c.cancellation_ground}`))
        : null,
      c.cancellation_reason ? h("p", { class: "hint" }, c.cancellation_reason) : null],
    [c.cancellation_initiated_on
      ? h("p", {}, t("reg.con.initiatedOn", { date: formatDate(c.cancellation_initiated_on) }))
      : null,
      c.initiated_automatically ? h("p", { class: "hint" }, t("reg.con.automatic")) : null,
      c.cancelled_on ? h("p", {}, t("reg.con.cancelledOn", { date: formatDate(c.cancelled_on) })) : null],
    c.status === "cancellation_initiated" && decider
      ? (c.you_may_confirm ? confirmButton(c, redo) : h("p", { class: "hint" }, t("reg.con.notYou")))
      : "",
  ]);
  const active = list.filter((c) => c.status === "active");
  return [
    h("p", { class: "hint" }, t("reg.con.lead")),
    list.length
      ? table(t("reg.con.caption", { n: num(list.length) }),
        [t("reg.con.contract"), t("reg.con.organisation"), t("reg.con.portal"), t("reg.con.status"), t("reg.con.days"),
          t("reg.con.actions")], rows)
      : h("p", { class: "note" }, t("reg.con.none")),
    decider ? [registerForm(redo), active.length ? cancelForm(active, redo) : null] : null,
  ];
}

// The second decider confirms a cancellation (CON-2); a refusal is shown in the row.
function confirmButton(c, redo) {
  return h("button", { type: "button", class: "danger", "aria-label": t("reg.con.confirm.for", { number: c.number }),
    onclick: async (e) => {
      const cell = e.target.closest("td");
      try {
        await call(`/contracts/${c.id}/cancellation/confirm`, { method: "POST" });
        await redo(t("reg.con.confirmed", { number: c.number }));
      } catch (err) {
        cell.append(alertBox(problem(err, "reg")));
      }
    } }, t("reg.con.confirm"));
}

function registerForm(redo) {
  const org = h("input", { type: "text", required: true, maxlength: 64, autocomplete: "off", spellcheck: "false" });
  const number = h("input", { type: "text", required: true, maxlength: 64, pattern: "[A-Za-z0-9./\\-]{1,64}",
    autocomplete: "off", spellcheck: "false" });
  const title = h("input", { type: "text", required: true, maxlength: 200, autocomplete: "off" });
  const client = h("input", { type: "text", required: true, maxlength: 64, autocomplete: "off", spellcheck: "false" });
  return disclosure(t("reg.con.new"), [
    [t("reg.con.orgId"), org, t("reg.con.orgId.hint")], [t("reg.con.number"), number, t("reg.con.number.hint")],
    [t("reg.con.titleField"), title], [t("reg.con.clientId"), client, t("reg.con.clientId.hint")],
  ], t("reg.con.register"), async () => {
    const body = {
      organisation: org.value.trim(), number: number.value.trim(), title: title.value.trim(),
      client_id: client.value.trim(),
    };
    const made = await call("/contracts", { method: "POST", body });
    await redo(t("reg.con.registered", { number: made.number }));
  });
}

function cancelForm(active, redo) {
  const which = select(t("reg.con.contract"), active.map((c) => [c.id, `${c.number} · ${c.title}`]));
  const reason = h("textarea", { rows: 3, required: true, minlength: 10, maxlength: 2000 });
  return disclosure(t("reg.con.cancel"), [
    h("p", { class: "hint" }, t("reg.con.cancel.lead")),
    which, [t("reg.con.reason"), reason, t("reg.con.reason.hint")],
  ], t("reg.con.initiate"), async () => {
    const body = { reason: reason.value.trim() };
    const made = await call(`/contracts/${value(which)}/cancellation`, { method: "POST", body });
    await redo(t("reg.con.initiated", { number: made.number }));
  }, "danger");
}

// --- the personnel system: sync status and webhook deliveries --------------------------------------------------
const never = (x) => (x ? whenTime(x) : t("reg.sync.never"));

function syncPart(s) {
  return [
    h("p", { class: "hint" }, t("reg.sync.lead")),
    facts([
      [t("reg.sync.lastFull"), never(s.last_full_sync_at)],
      [t("reg.sync.asOf"), never(s.last_full_sync_as_of)],
      [t("reg.sync.employees"), t("reg.sync.employeesValue", { n: num(s.employees), active: num(s.active_employees) })],
      [t("reg.sync.units"), num(s.units)],
      [t("reg.sync.assignments"), num(s.assignments)],
      [t("reg.sync.lastEvent"), never(s.last_event_at)],
      [t("reg.sync.events24h"), num(s.events_last_24h)],
    ], "grid-facts"),
  ];
}

function deliveryPart(s) {
  const failing = s.webhook_deliveries_failing;
  return [
    table(t("reg.hooks.caption"), [t("reg.hooks.state"), t("reg.hooks.count")], [
      [t("reg.hooks.pending"), num(s.webhook_deliveries_pending)],
      [t("reg.hooks.failing"), failing ? h("strong", { class: "overdue" }, num(failing)) : num(failing)],
    ]),
    h("p", { class: failing ? "alert" : "hint" },
      failing ? t("reg.hooks.failingNote", { n: num(failing) }) : t("reg.hooks.allWell")),
  ];
}

// --- paged parts: a table with "newer / older" that reloads only its own part ---------------------------------
// `load(offset)` answers a page {items, total, offset, limit}; `draw(page)` makes its table (or a note when empty).
function paged(page, load, draw, label) {
  const box = h("div", { class: "stack" });
  const show = (p) => {
    const first = p.offset + 1;
    const last = p.offset + p.items.length;
    const go = (offset) => async (e) => {
      e.target.disabled = true;
      try {
        show(await load(offset));
        box.querySelector("table")?.closest(".table-wrap")?.focus();
      } catch (err) {
        box.append(alertBox(problem(err, "reg"))); // a 401 says the sign-in ended and starts again
        e.target.disabled = false;
      }
    };
    fill(box,
      draw(p),
      p.total > p.items.length ? h("nav", { class: "pager", "aria-label": label },
        p.offset > 0
          ? h("button", { type: "button", onclick: go(Math.max(0, p.offset - p.limit)) }, t("reg.page.newer"))
          : null,
        p.items.length
          ? h("span", {}, t("reg.page.range", { first: num(first), last: num(last), total: num(p.total) }))
          : null,
        last < p.total
          ? h("button", { type: "button", onclick: go(p.offset + p.limit) }, t("reg.page.older"))
          : null) : null);
  };
  show(page);
  return box;
}

// --- the follow-up obligations of every contract (CON-1, CON-2) -------------------------------------------------
const day = (d) => (d ? formatDate(d) : t("reg.obl.notYet"));

function obligationPart(page) {
  const draw = (p) => (p.items.length
    ? table(t("reg.obl.caption", { n: num(p.total) }),
      [t("reg.obl.case"), t("reg.obl.contract"), t("reg.obl.status"), t("reg.obl.opened"), t("reg.obl.due"),
        t("reg.obl.recorded"), t("reg.obl.reviewed")],
      p.items.map((o) => [
        o.case_id
          ? h("a", { href: `#/case/${o.case_id}` }, o.case_reference)
          : h("span", { class: "hint" }, t("reg.obl.notYours")),
        [h("code", {}, o.contract_number), h("br"), o.organisation_name],
        o.status === "overdue" || o.status === "rejected"
          ? h("strong", { class: "overdue" }, t(`reg.obl.status.${o.status}`))
          : t(`reg.obl.status.${o.status}`),
        formatDate(o.opened_on),
        formatDate(o.due_on),
        day(o.recorded_on),
        day(o.reviewed_on),
      ]))
    : h("p", { class: "note" }, t("reg.obl.none")));
  return [
    h("p", { class: "hint" }, t("reg.obl.lead")),
    paged(page, (offset) => call(`/obligations?offset=${offset}&limit=${OBLIGATIONS}`), draw, t("reg.obl.pages")),
  ];
}

// --- the webhook delivery log (never the event's content) --------------------------------------------------------
function deliveryState(d) {
  if (d.status === "delivered") return t("reg.log.status.delivered");
  return d.attempts ? h("strong", { class: "overdue" }, t("reg.log.status.retrying")) : t("reg.log.status.pending");
}

function outcome(d) {
  if (!d.last_attempt_at) return t("reg.log.noAttempt");
  const what = d.last_error === "http_status" ? t("reg.log.error.http_status", { code: d.last_status_code })
    : d.last_error ? t(`reg.log.error.${d.last_error}`)
      : t("reg.log.answered", { code: d.last_status_code });
  return [whenTime(d.last_attempt_at), h("br"), h("span", { class: "hint" }, what)];
}

function deliveryLog(page) {
  const status = select(t("reg.log.filter"), [
    ["", t("reg.log.filter.all")],
    ["pending", t("reg.log.filter.pending")],
    ["delivered", t("reg.log.filter.delivered")],
  ]);
  const load = (offset) => call(`/personnel/deliveries?${new URLSearchParams({
    offset, limit: DELIVERIES, ...(value(status) ? { status: value(status) } : {}) })}`);
  const draw = (p) => (p.items.length
    ? table(t("reg.log.caption", { n: num(p.total) }),
      [t("reg.log.created"), t("reg.log.receiver"), t("reg.log.topic"), t("reg.log.status"), t("reg.log.attempts"),
        t("reg.log.last"), t("reg.log.delivered")],
      p.items.map((d) => [
        whenTime(d.created_at),
        [d.client_name, h("br"), d.url_host ? h("code", {}, d.url_host) : ""],
        h("code", {}, d.topic),
        deliveryState(d),
        num(d.attempts),
        outcome(d),
        d.delivered_at ? whenTime(d.delivered_at) : t("reg.obl.notYet"),
      ]))
    : h("p", { class: "note" }, t("reg.log.none")));
  const holder = h("div", {}, paged(page, load, draw, t("reg.log.pages")));
  control(status).addEventListener("change", async () => {
    try {
      fill(holder, paged(await load(0), load, draw, t("reg.log.pages")));
    } catch (err) {
      fill(holder, alertBox(problem(err, "reg")));
    }
  });
  return [
    h("h3", {}, t("reg.log.title")),
    h("p", { class: "hint" }, t("reg.log.lead")),
    h("div", { class: "filters" }, status),
    holder,
  ];
}
