// Reporting: who you are and how you report → what happened (details and files optional) → review → receipt.
import { api, explain, openSession } from "../api.js";
import { alertBox, announce, button, choices, field, h, section } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { go, rerender } from "../nav.js";
import { flushOutbox, newKey, sendReport } from "../outbox.js";
import { clearDraft, draftsOn, loadDraft, saveDraft } from "../store.js";
import { ACCEPT, fileWarning, uploadFiles } from "./files.js";

const CATEGORIES = ["sexual_harassment", "sexual_assault", "stalking", "online", "secondary_damage", "other"];
const WORKPLACES = ["smg", "affiliated", "contractor", "citizen_workplace"];
const SUPPORT = ["legal_consultation", "counselling", "workplace_education", "expert_training"];
const NARRATIVE_MIN = 10;
const CASE_REFERENCE = /^WU-[0-9A-Z]{5}-[0-9A-Z]{5}$/i; // SD-2: the reference a reporter was given

// No category until the reporter chooses one: unchosen, the case team decides (sent as the API's default, `other`).
const blank = () => ({ reporter_kind: "", identity_mode: "", narrative: "", category: "", support: [] });
let state = { step: "who", data: blank(), files: [], key: null, error: null };

const reset = () => (state = { step: "who", data: blank(), files: [], key: null, error: null });

// AMB-2: the city's public list of ambassadors, asked for once; the report names one by its public id.
let ambassadors = null;
function listAmbassadors() {
  if (ambassadors) return;
  ambassadors = [];
  api("/public/ambassadors").then((list) => {
    ambassadors = list;
    if (state.step === "what" && document.getElementById("f-narrative")) rerender();
  }, () => (ambassadors = null));
}

// Employee numbers as typed: separated by commas, spaces or lines, each once.
const numbers = (text) => [...new Set((text || "").split(/[\s,]+/).filter(Boolean))];

export function render(params) {
  if (params.receipt) state = { ...state, step: "receipt", receipt: params.receipt, uploads: [], said: null };
  if (params.restore) state = { step: "review", data: params.restore, files: [], key: null, error: params.error };
  if (params.fresh) {
    reset();
    if (draftsOn()) loadDraft().then((d) => d && ((state.data = { ...blank(), ...d }), rerender()));
  }
  delete params.receipt, delete params.restore, delete params.fresh; // shown once: a re-render keeps the state
  listAmbassadors();
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
  clearFixedError();
}

// An error goes as soon as what caused it is fixed, without waiting for "Next".
function clearFixedError() {
  const check = { who: whoError, what: whatError }[state.step];
  if (!state.error || !check || check(state.data)) return;
  state.error = null;
  document.getElementById("form-error")?.remove();
}

const formError = () => state.error && h("p", { class: "alert", role: "alert", id: "form-error" }, state.error);

const text = (key, attrs = {}) =>
  h(attrs.rows ? "textarea" : "input", {
    id: `f-${key}`, value: state.data[key] || "", oninput: (e) => remember(key, e.target.value), ...attrs,
  });

// A checkbox whose label carries one sentence of what it does.
const check = (key, label, hint) => h("div", { class: "choice" },
  h("input", { type: "checkbox", id: `f-${key}`, checked: !!state.data[key], "aria-describedby": `${key}-hint`,
    onchange: (e) => remember(key, e.target.checked) }),
  h("label", { for: `f-${key}` }, h("strong", {}, label), h("span", { id: `${key}-hint` }, hint)));

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
    formError(),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, t("next")),
      button(t("back"), () => go("home"))));

  function next(e) {
    e.preventDefault();
    state.error = whoError(d);
    if (!state.error) return to("what")();
    rerender();
  }
}

function whoError(d) {
  if (!d.reporter_kind || !d.identity_mode) return t("report.who.missing");
  const named = d.identity_mode !== "anonymous";
  return named && !(d.name || "").trim() ? t("report.name.missing") : null;
}

function whatError(d) {
  const reference = d.category === "secondary_damage" && (d.original_case_reference || "").trim();
  if ((d.narrative || "").trim().length < NARRATIVE_MIN) return t("report.narrative.short", { n: NARRATIVE_MIN });
  if (d.escrow && !(d.respondent_number || "").trim()) return t("report.escrow.missing");
  if (reference && !CASE_REFERENCE.test(reference)) return t("report.reference.invalid");
  return null;
}

// How much is written, said politely: shown as one types, read out only when it becomes enough (or no longer is).
const counted = (n) => (n < NARRATIVE_MIN ? t("report.narrative.count", { n, min: NARRATIVE_MIN })
  : t("report.narrative.enough"));

function narrativeField() {
  const length = () => (state.data.narrative || "").trim().length;
  const count = h("p", { id: "narrative-count", class: "hint" }, counted(length()));
  const input = text("narrative", { rows: 8, maxlength: 20000, required: true, oninput: (e) => {
    const enough = length() >= NARRATIVE_MIN;
    remember("narrative", e.target.value);
    count.textContent = counted(length());
    if (enough !== length() >= NARRATIVE_MIN) announce(count.textContent);
  } });
  const labelled = field(t("report.narrative"), input, t("report.narrative.hint", { n: NARRATIVE_MIN }));
  input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby")} narrative-count`);
  return [labelled, count];
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
    narrativeField(),
    field(t("details.category"), select("category", ["", ...CATEGORIES], "category"), t("details.category.hint")),
    d.category === "secondary_damage" && field(t("details.reference"),
      text("original_case_reference", { autocapitalize: "characters" }), t("details.reference.hint")),
    h("details", { open: state.detailsOpen, ontoggle: (e) => (state.detailsOpen = e.target.open) },
      h("summary", {}, t("report.details")),
      h("div", { class: "stack" },
        field(t("details.occurred_on"), text("occurred_on", { type: "date" })),
        field(t("details.occurred_when"), text("occurred_when"), t("details.occurred_when.hint")),
        field(t("details.location"), text("location")),
        section(t("details.respondent"),
          field(t("details.person.name"), text("respondent_name")),
          field(t("details.person.employee_number"), text("respondent_number"), t("details.respondent.number.hint")),
          field(t("details.person.description"), text("respondent_description", { rows: 2 })),
          ambassadors?.length > 0 && ambassadorField(),
          check("escrow", t("details.escrow"), t("details.escrow.hint"))),
        third && section(t("details.victim"),
          field(t("details.person.name"), text("victim_name")),
          field(t("details.person.employee_number"), text("victim_number"), t("details.victim.number.hint")),
          field(t("details.person.description"), text("victim_description", { rows: 2 }))),
        field(t("details.witnesses"), text("witnesses", { rows: 3 }), t("details.witnesses.hint")),
        field(t("details.witness_numbers"), text("witness_numbers"), t("details.witness_numbers.hint")),
        field(t("details.helper_numbers"), text("helper_numbers"), t("details.helper_numbers.hint")),
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
    formError(),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, t("next")),
      button(t("back"), to("who"))));

  function next(e) {
    e.preventDefault();
    state.error = whatError(d);
    if (!state.error) return to("review")();
    rerender();
  }
}

function ambassadorField() {
  const pick = (e) => {
    remember("ambassador_id", e.target.value);
    remember("ambassador_name", e.target.selectedOptions[0].textContent);
  };
  return field(t("details.ambassador"), h("select", { id: "f-ambassador_id", onchange: pick },
    h("option", { value: "" }, t("details.ambassador.none")),
    ambassadors.map((a) => h("option", { value: a.id, selected: state.data.ambassador_id === a.id }, a.public_name))),
  t("details.ambassador.hint"));
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
  const third = d.reporter_kind === "third_party";
  const byNumber = (text) => numbers(text).map((employee_number) => ({ employee_number }));
  const respondent = person(d.respondent_name, d.respondent_number, d.respondent_description);
  const body = {
    reporter_kind: d.reporter_kind, identity_mode: d.identity_mode, narrative: d.narrative.trim(),
    category: d.category || undefined, // unchosen: the API's `other` ("something else or not sure")
    occurred_on: d.occurred_on || undefined, occurred_when: d.occurred_when?.trim() || undefined,
    location: d.location?.trim() || undefined, wishes: d.wishes?.trim() || undefined,
    respondent: d.ambassador_id ? { ...respondent, ambassador_id: d.ambassador_id } : respondent, // AMB-2
    // SEP-1: a third party may name the victim by employee number.
    victim: third ? person(d.victim_name, d.victim_number, d.victim_description) : undefined,
    // RET-1: witnesses and helpers named by employee number are protected persons.
    witnesses: [...(d.witnesses || "").split("\n").map((w) => w.trim()).filter(Boolean)
      .map((description) => ({ description })), ...byNumber(d.witness_numbers)].slice(0, 20),
    helpers: byNumber(d.helper_numbers).slice(0, 20),
    escrow: !!d.escrow, // CASE-8
    original_case_reference: d.category === "secondary_damage" ? d.original_case_reference?.trim() || undefined
      : undefined, // SD-2
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

// What "Check and send" lists: every input that `payload()` sends, as [label, value, step, id of its control].
function summary(d) {
  const third = d.reporter_kind === "third_party";
  const named = d.identity_mode !== "anonymous";
  const work = d.workplace_kind;
  const lines = (text) => (text || "").split("\n").map((w) => w.trim()).filter(Boolean).join("\n");
  return [
    [t("report.kind.legend"), t(`kind.${d.reporter_kind}`), "who", `kind-${d.reporter_kind}`],
    [t("report.mode.legend"), t(`mode.${d.identity_mode}`), "who", `mode-${d.identity_mode}`],
    [t("you.name"), named && d.name, "who", "f-name"],
    [t("you.email"), named && d.email, "who", "f-email"],
    [t("you.phone"), named && d.phone, "who", "f-phone"],
    [t("you.employee_number"), named && d.employee_number, "who", "f-employee_number"],
    [t("report.narrative"), d.narrative, "what", "f-narrative"],
    [t("details.category"), t(d.category ? `category.${d.category}` : "category.none"), "what", "f-category"],
    [t("details.reference"), d.category === "secondary_damage" && d.original_case_reference, "what",
      "f-original_case_reference"],
    [t("details.occurred_on"), formatDate(d.occurred_on), "what", "f-occurred_on"],
    [t("details.occurred_when"), d.occurred_when, "what", "f-occurred_when"],
    [t("details.location"), d.location, "what", "f-location"],
    [t("review.respondent_name"), d.respondent_name, "what", "f-respondent_name"],
    [t("review.respondent_number"), d.respondent_number, "what", "f-respondent_number"],
    [t("review.respondent_description"), d.respondent_description, "what", "f-respondent_description"],
    [t("details.ambassador"), d.ambassador_id && d.ambassador_name, "what", "f-ambassador_id"],
    [t("details.escrow"), d.escrow && t("yes"), "what", "f-escrow"],
    [t("review.victim_name"), third && d.victim_name, "what", "f-victim_name"],
    [t("review.victim_number"), third && d.victim_number, "what", "f-victim_number"],
    [t("review.victim_description"), third && d.victim_description, "what", "f-victim_description"],
    [t("details.witnesses"), lines(d.witnesses), "what", "f-witnesses"],
    [t("details.witness_numbers"), numbers(d.witness_numbers).join(", "), "what", "f-witness_numbers"],
    [t("details.helper_numbers"), numbers(d.helper_numbers).join(", "), "what", "f-helper_numbers"],
    [t("details.workplace"), work && t(`workplace.${work}`), "what", "f-workplace_kind"],
    [t("details.workplace.name"), work && d.workplace_name, "what", "f-workplace_name"],
    [t("details.workplace.unit"), work && d.workplace_unit, "what", "f-workplace_unit"],
    [t("details.workplace.contract"), work === "contractor" && d.contract_number, "what", "f-contract_number"],
    [t("details.support"), work === "citizen_workplace" && d.support.map((x) => t(`support.${x}`)).join(", "),
      "what", `support-${d.support[0]}`],
    [t("details.wishes"), d.wishes, "what", "f-wishes"],
    [t("deadline.ministry_notification"), !third && d.objects_to_ministry_notification && t("details.ministry"),
      "what", "ministry"],
    [t("files.title"), state.files.length ? t("review.files.after", { names: state.files.map((f) => f.name)
      .join(", ") }) : t("review.files.none"), "what", "files"],
  ].filter(([, v]) => v && String(v).trim());
}

// "Edit" goes back to the step and puts the focus on the control (the details opened if it is among them).
const edit = (step, id) => async () => {
  state.error = null;
  state.step = step;
  if (!["f-narrative", "files"].includes(id)) state.detailsOpen = true;
  await rerender(false);
  document.getElementById(id)?.focus();
};

function review() {
  const d = state.data;
  return h("div", { class: "stack" },
    heading(t("report.review.title")),
    h("p", {}, t("review.lead")),
    h("dl", { class: "review" }, summary(d).map(([k, v, step, id]) => h("div", {},
      h("dt", {}, k), h("dd", {}, v),
      h("dd", { class: "edit" }, h("button", { type: "button", class: "link", onclick: edit(step, id) },
        t("review.edit"), h("span", { class: "sr-only" }, `: ${k}`)))))),
    !navigator.onLine && h("p", { class: "note" }, t("report.offline")),
    state.error && alertBox(state.error),
    h("div", { class: "actions" },
      h("button", { type: "button", id: "send", class: "primary", disabled: !!state.sending, onclick: send },
        state.sending ? t("report.sending") : t("report.send")),
      button(t("report.change"), to("what"))));

  async function send() {
    if (state.sending) return;
    state.sending = true; // the button says "Sending…" and cannot be pressed twice; the live region says it too
    state.error = null;
    rerender();
    announce(t("report.sending"));
    state.key ||= newKey(); // kept for every retry of this report: the server answers a repeat with the same receipt
    try {
      const result = await sendReport(payload(d), state.key, d);
      await clearDraft();
      if (result.queued) return to("queued")();
      state = { ...state, step: "receipt", receipt: result.receipt, uploads: [], said: null, error: null };
      rerender(false);
      if (state.files.length) await upload();
    } catch (err) {
      state.error = explain(err);
      rerender();
    } finally {
      state.sending = false;
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

// The receipt as a text file, made here (a Blob): nothing is sent anywhere and nothing is kept by the app.
function receiptText(r) {
  return [t("receipt.code.label"), r.receipt_code, "", t("receipt.instructions"),
    t("receipt.reference", { ref: r.case_reference }), ""].join("\n");
}

function saveFile() {
  const url = URL.createObjectURL(new Blob([receiptText(state.receipt)], { type: "text/plain;charset=utf-8" }));
  const link = h("a", { href: url, download: t("receipt.file.name"), hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  state.said = "receipt.file.saved";
  rerender();
}

// Leaving the receipt (home, or the inbox opened with the code just shown) is confirmed in a dialog first: the code
// is shown only now. The code goes to the inbox as an argument; nothing stores it.
async function leave() {
  const going = state.leaving;
  const code = state.receipt.receipt_code;
  document.getElementById("leave")?.close();
  if (going === "inbox") {
    const { openInbox } = await import("./followup.js");
    try {
      await openInbox(code);
    } catch (err) {
      state.error = explain(err);
      return rerender();
    }
  }
  reset();
  await go(going === "inbox" ? "followup" : "home");
  await flushOutbox();
}

function confirmLeave(going) {
  return () => {
    state.leaving = going;
    document.getElementById("leave").showModal();
  };
}

function receipt() {
  const r = state.receipt;
  return h("div", { class: "stack receipt" },
    h("h1", {}, t("receipt.title")),
    h("p", {}, t("receipt.once")),
    h("section", { class: "printable stack", "aria-labelledby": "receipt-code-label" },
      h("h2", { id: "receipt-code-label" }, t("receipt.code.label")),
      h("p", { class: "code", id: "receipt-code", translate: "no" }, r.receipt_code),
      h("p", {}, t("receipt.instructions")),
      h("p", {}, t("receipt.reference", { ref: r.case_reference }))),
    h("div", { class: "actions" },
      button(t("receipt.copy"), async () => {
        await navigator.clipboard.writeText(r.receipt_code)
          .then(() => (state.said = "receipt.copied"), () => (state.said = null));
        rerender();
      }),
      button(t("receipt.file"), saveFile),
      button(t("receipt.print"), () => window.print())),
    state.said && h("p", { role: "status" }, t(state.said)),
    state.uploads?.length > 0 && section(t("files.title"), h("ul", { class: "files" },
      state.uploads.map((u) => h("li", {}, `${u.name}: ${u.done ? t("files.sent") : u.error || t("files.sending")}`)))),
    state.files.length > 0 && state.uploads?.some((u) => u.error) && button(t("files.retry"), upload),
    state.error && alertBox(state.error),
    h("div", { class: "actions" },
      button(t("receipt.openInbox"), confirmLeave("inbox"), "primary"),
      button(t("receipt.saved"), confirmLeave("home"))),
    h("dialog", { id: "leave", "aria-labelledby": "leave-title", "aria-describedby": "leave-body" },
      h("h2", { id: "leave-title" }, t("receipt.leave.title")),
      h("p", { id: "leave-body" }, t("receipt.leave.body")),
      h("div", { class: "actions" },
        button(t("receipt.leave.stay"), () => document.getElementById("leave").close(), "primary"),
        button(t("receipt.leave.go"), leave))));
}

function queued() {
  return h("div", { class: "stack" },
    h("h1", {}, t("queued.title")),
    h("p", {}, t("queued.body")),
    state.files.length > 0 && h("p", {}, t("queued.files")),
    h("div", { class: "actions" }, button(t("home"), () => { reset(); go("home"); }, "primary")));
}
