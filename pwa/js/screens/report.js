// Reporting: who you are and how you report → what happened (details and files optional) → review → receipt.
import { explain, openSession } from "../api.js";
import { alertBox, button, choices, field, h, section } from "../dom.js";
import { t } from "../i18n.js";
import { go, rerender } from "../nav.js";
import { flushOutbox, newKey, sendReport } from "../outbox.js";
import { clearDraft, draftsOn, loadDraft, saveDraft } from "../store.js";
import { ACCEPT, fileWarning, uploadFiles } from "./files.js";

const CATEGORIES = ["sexual_harassment", "sexual_assault", "stalking", "online", "other"];
const WORKPLACES = ["smg", "affiliated", "contractor", "citizen_workplace"];
const SUPPORT = ["legal_consultation", "counselling", "workplace_education"];
const NARRATIVE_MIN = 10;

const blank = () => ({ reporter_kind: "", identity_mode: "", narrative: "", category: "other", support: [] });
let state = { step: "who", data: blank(), files: [], key: null, error: null };

const reset = () => (state = { step: "who", data: blank(), files: [], key: null, error: null });

export function render(params) {
  if (params.receipt) state = { ...state, step: "receipt", receipt: params.receipt, uploads: [], saved: false };
  if (params.restore) state = { step: "review", data: params.restore, files: [], key: null, error: params.error };
  if (params.fresh) {
    reset();
    if (draftsOn()) loadDraft().then((d) => d && ((state.data = { ...blank(), ...d }), rerender()));
  }
  delete params.receipt, delete params.restore, delete params.fresh; // shown once: a re-render keeps the state
  return { who, what, review, receipt, queued }[state.step]();
}

const to = (step) => () => {
  state.error = null;
  state.step = step;
  rerender(false);
};

let saving = null;
function remember(key, value) {
  state.data[key] = value;
  clearTimeout(saving);
  if (draftsOn()) saving = setTimeout(() => saveDraft(state.data), 400);
}

const text = (key, attrs = {}) =>
  h(attrs.rows ? "textarea" : "input", {
    id: `f-${key}`, ...attrs, value: state.data[key] || "", oninput: (e) => remember(key, e.target.value),
  });

const heading = (title) => [
  h("h1", {}, title),
  state.step !== "receipt"
    && h("p", { class: "steps" }, t("report.step", { n: ["who", "what", "review"].indexOf(state.step) + 1 })),
];

function who() {
  const d = state.data;
  const named = d.identity_mode && d.identity_mode !== "anonymous";
  return h("form", { class: "stack", novalidate: true, onsubmit: next },
    heading(t("report.who.title")),
    choices(t("report.kind.legend"), "kind", [
      ["victim", t("kind.victim"), t("kind.victim.explain")],
      ["third_party", t("kind.third_party"), t("kind.third_party.explain")],
    ], d.reporter_kind, (v) => { remember("reporter_kind", v); }),
    choices(t("report.mode.legend"), "mode", [
      ["anonymous", t("mode.anonymous"), t("mode.anonymous.explain")],
      ["confidential", t("mode.confidential"), t("mode.confidential.explain")],
      ["named", t("mode.named"), t("mode.named.explain")],
    ], d.identity_mode, (v) => { remember("identity_mode", v); rerender(); }),
    named && section(t("report.you"),
      field(t("you.name"), text("name", { autocomplete: "name", required: true })),
      field(t("you.email"), text("email", { type: "email", autocomplete: "email" })),
      field(t("you.phone"), text("phone", { type: "tel", autocomplete: "tel" })),
      field(t("you.employee_number"), text("employee_number"), t("you.employee_number.hint"))),
    state.error && alertBox(state.error),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, t("next")),
      button(t("back"), () => go("home"))));

  function next(e) {
    e.preventDefault();
    if (!d.reporter_kind || !d.identity_mode) state.error = t("report.who.missing");
    else if (named && !(d.name || "").trim()) state.error = t("report.name.missing");
    else return to("what")();
    rerender();
  }
}

function what() {
  const d = state.data;
  const third = d.reporter_kind === "third_party";
  const choose = (e, key) => {
    remember(key, e.target.value);
    rerender();
  };
  const select = (key, values, prefix) => h("select", { id: `f-${key}`, onchange: (e) => choose(e, key) },
    values.map((v) =>
      h("option", { value: v, selected: (d[key] || "") === v }, v ? t(`${prefix}.${v}`) : t("choose"))));
  return h("form", { class: "stack", novalidate: true, onsubmit: next },
    heading(t("report.what.title")),
    field(t("report.narrative"), text("narrative", { rows: 8, maxlength: 20000, required: true }),
      t("report.narrative.hint")),
    h("details", { open: state.detailsOpen, ontoggle: (e) => (state.detailsOpen = e.target.open) },
      h("summary", {}, t("report.details")),
      h("div", { class: "stack" },
        field(t("details.category"), select("category", CATEGORIES, "category")),
        field(t("details.occurred_on"), text("occurred_on", { type: "date" })),
        field(t("details.occurred_when"), text("occurred_when"), t("details.occurred_when.hint")),
        field(t("details.location"), text("location")),
        section(t("details.respondent"),
          field(t("details.person.name"), text("respondent_name")),
          field(t("details.person.employee_number"), text("respondent_number")),
          field(t("details.person.description"), text("respondent_description", { rows: 2 }))),
        third && section(t("details.victim"),
          field(t("details.person.name"), text("victim_name")),
          field(t("details.person.description"), text("victim_description", { rows: 2 }))),
        field(t("details.witnesses"), text("witnesses", { rows: 3 }), t("details.witnesses.hint")),
        section(t("details.workplace"),
          field(t("details.workplace.kind"), select("workplace_kind", ["", ...WORKPLACES], "workplace")),
          field(t("details.workplace.name"), text("workplace_name")),
          field(t("details.workplace.unit"), text("workplace_unit")),
          d.workplace_kind === "contractor" && field(t("details.workplace.contract"), text("contract_number")),
          d.workplace_kind === "citizen_workplace" && h("fieldset", { class: "choices" },
            h("legend", {}, t("details.support")),
            SUPPORT.map((s) => h("div", { class: "choice" },
              h("input", { type: "checkbox", id: `support-${s}`, checked: d.support.includes(s),
                onchange: (e) =>
                  remember("support", e.target.checked ? [...d.support, s] : d.support.filter((x) => x !== s)) }),
              h("label", { for: `support-${s}` }, t(`support.${s}`)))))),
        field(t("details.wishes"), text("wishes", { rows: 3 }), t("details.wishes.hint")),
        !third && h("div", { class: "choice" },
          h("input", { type: "checkbox", id: "ministry", checked: !!d.objects_to_ministry_notification,
            onchange: (e) => remember("objects_to_ministry_notification", e.target.checked) }),
          h("label", { for: "ministry" }, t("details.ministry"))))),
    filesSection(),
    h("p", { class: "hint" }, draftsOn() ? t("drafts.on.note") : t("drafts.off.note")),
    state.error && alertBox(state.error),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, t("next")),
      button(t("back"), to("who"))));

  function next(e) {
    e.preventDefault();
    if ((d.narrative || "").trim().length < NARRATIVE_MIN) {
      state.error = t("report.narrative.short", { n: NARRATIVE_MIN });
      return rerender();
    }
    to("review")();
  }
}

function filesSection() {
  return section(t("files.title"),
    fileWarning(),
    field(t("files.choose"), h("input", { id: "files", type: "file", multiple: true, accept: ACCEPT,
      onchange: (e) => { state.files = [...state.files, ...e.target.files]; rerender(); } })),
    state.files.length > 0 && h("ul", { class: "files" }, state.files.map((f, i) => h("li", {}, f.name, " ",
      button(t("files.remove", { name: f.name }), () => { state.files.splice(i, 1); rerender(); }, "link")))));
}

// The report as the API takes it: empty fields left out.
function payload(d) {
  const person = (name, number, description) => {
    const p = { name: name?.trim(), employee_number: number?.trim(), description: description?.trim() };
    Object.keys(p).forEach((k) => !p[k] && delete p[k]);
    return Object.keys(p).length ? p : undefined;
  };
  const body = {
    reporter_kind: d.reporter_kind, identity_mode: d.identity_mode, narrative: d.narrative.trim(), category: d.category,
    occurred_on: d.occurred_on || undefined, occurred_when: d.occurred_when?.trim() || undefined,
    location: d.location?.trim() || undefined, wishes: d.wishes?.trim() || undefined,
    respondent: person(d.respondent_name, d.respondent_number, d.respondent_description),
    victim: d.reporter_kind === "third_party" ? person(d.victim_name, "", d.victim_description) : undefined,
    witnesses: (d.witnesses || "").split("\n").map((w) => w.trim()).filter(Boolean).slice(0, 20)
      .map((description) => ({ description })),
    objects_to_ministry_notification: d.reporter_kind === "victim" && !!d.objects_to_ministry_notification,
  };
  if (d.identity_mode !== "anonymous") body.reporter = person(d.name, d.employee_number);
  if (body.reporter) {
    Object.assign(body.reporter, { email: d.email?.trim() || undefined, phone: d.phone?.trim() || undefined });
  }
  if (d.workplace_kind) {
    body.workplace = {
      kind: d.workplace_kind, name: d.workplace_name?.trim() || undefined, unit: d.workplace_unit?.trim() || undefined,
      contract_number: d.workplace_kind === "contractor" ? d.contract_number?.trim() || undefined : undefined,
    };
    if (d.workplace_kind === "citizen_workplace") body.support_requested = d.support;
  }
  return JSON.parse(JSON.stringify(body)); // drops the undefined fields
}

function review() {
  const d = state.data;
  const rows = [
    [t("report.kind.legend"), t(`kind.${d.reporter_kind}`)],
    [t("report.mode.legend"), t(`mode.${d.identity_mode}`)],
    [t("report.narrative"), d.narrative],
    [t("details.category"), t(`category.${d.category}`)],
    [t("files.title"), state.files.length ? state.files.map((f) => f.name).join(", ") : t("none")],
  ];
  return h("div", { class: "stack" },
    heading(t("report.review.title")),
    h("dl", { class: "review" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    !navigator.onLine && h("p", { class: "note" }, t("report.offline")),
    state.error && alertBox(state.error),
    h("div", { class: "actions" },
      button(t("report.send"), send, "primary"),
      button(t("report.change"), to("what"))));

  async function send(e) {
    e.target.disabled = true;
    state.key ||= newKey(); // kept for every retry of this report: the server answers a repeat with the same receipt
    try {
      const result = await sendReport(payload(d), state.key, d);
      await clearDraft();
      if (result.queued) return to("queued")();
      state = { ...state, step: "receipt", receipt: result.receipt, uploads: [], saved: false, error: null };
      rerender();
      if (state.files.length) await upload();
    } catch (err) {
      state.error = explain(err);
      rerender();
    }
  }
}

async function upload() {
  try {
    const token = await openSession(state.receipt.receipt_code);
    state.uploads = await uploadFiles(state.files, token, (u) => ((state.uploads = u), rerender()), state.uploads);
  } catch (err) {
    state.uploads = state.files.map((f) => ({ name: f.name, done: false, error: explain(err) }));
  }
  rerender();
}

function receipt() {
  const r = state.receipt;
  return h("div", { class: "stack" },
    h("h1", {}, t("receipt.title")),
    h("p", {}, t("receipt.once")),
    h("p", { class: "code", id: "receipt-code", translate: "no" }, r.receipt_code),
    h("div", { class: "actions" },
      button(t("receipt.copy"), async () => {
        await navigator.clipboard.writeText(r.receipt_code)
          .then(() => (state.copied = true), () => (state.copied = false));
        rerender();
      }),
      state.copied && h("span", { role: "status" }, t("receipt.copied"))),
    h("p", {}, t("receipt.reference", { ref: r.case_reference })),
    state.uploads?.length > 0 && section(t("files.title"), h("ul", { class: "files" },
      state.uploads.map((u) => h("li", {}, `${u.name}: ${u.done ? t("files.sent") : u.error || t("files.sending")}`)))),
    state.files.length > 0 && state.uploads?.some((u) => u.error) && button(t("files.retry"), upload),
    h("div", { class: "actions" },
      button(t("receipt.saved"), async () => {
        reset();
        await go("home");
        await flushOutbox();
      }, "primary")));
}

function queued() {
  return h("div", { class: "stack" },
    h("h1", {}, t("queued.title")),
    h("p", {}, t("queued.body")),
    state.files.length > 0 && h("p", {}, t("queued.files")),
    h("div", { class: "actions" }, button(t("home"), () => { reset(); go("home"); }, "primary")));
}
