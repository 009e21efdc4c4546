// Coming back with the receipt code: status, deadlines, messages, measures, files, secondary damage.
import { api, explain, openSession } from "../api.js";
import { alertBox, button, field, h, section } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { go, rerender } from "../nav.js";
import { ACCEPT, fileWarning, uploadFiles } from "./files.js";

const SD_KINDS = [
  "ridicule", "victim_blaming", "ostracism", "disclosure", "pressure_to_withdraw", "rumours",
  "unfair_personnel_treatment", "other",
];

// The token lives in this module only: gone when the tab closes, on sign-out and on quick exit.
const signedOut = () =>
  ({ token: null, inbox: null, error: null, notice: null, files: [], sd: { narrative: "", kinds: [] } });
let s = signedOut();

export function render() {
  return s.token && s.inbox ? inbox() : login();
}

function fail(err) {
  if (err.status === 401 && s.token) {
    s = { ...s, token: null, inbox: null };
  }
  s.error = explain(err);
  rerender();
}

// `notice` is a string key (and its values), so that it follows a change of language.
async function refresh(...notice) {
  s.inbox = await api("/inbox", { token: s.token });
  s.error = null;
  s.notice = notice.length ? notice : null;
  rerender();
}

// Signing in: the inbox is loaded and, once shown, the focus goes to the first new reply (`data-focus`, nav.js).
async function signIn(code) {
  s.token = await openSession(code);
  s.inbox = await api("/inbox", { token: s.token });
  s.error = null;
  s.focusNew = true;
}

// "Open my inbox now" on the receipt: signed in with the code just shown; the caller then shows this screen.
export const openInbox = (code) => signIn(code);

function login() {
  const code = h("input", { id: "receipt", type: "password", autocomplete: "current-password", required: true,
    spellcheck: "false", autocapitalize: "characters" });
  return h("form", { class: "stack", onsubmit: submit },
    h("h1", {}, t("followup.title")),
    h("p", {}, t("followup.lead")),
    // Password managers pair a secret with a user name: this hidden one names what the secret is.
    h("input", { type: "text", name: "username", autocomplete: "username", value: "WithU", hidden: true,
      "aria-hidden": "true", tabindex: "-1" }),
    field(t("followup.code"), code, t("followup.code.hint")),
    h("div", { class: "choice" },
      h("input",
        { type: "checkbox", id: "show-code", onchange: (e) => (code.type = e.target.checked ? "text" : "password") }),
      h("label", { for: "show-code" }, t("followup.show"))),
    s.error && alertBox(s.error),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, t("followup.open")),
      button(t("back"), () => go("home"))));

  async function submit(e) {
    e.preventDefault();
    try {
      await signIn(code.value);
      rerender(false);
    } catch (err) {
      fail(err);
    }
  }
}

function inbox() {
  const b = s.inbox;
  return h("div", { class: "stack" },
    h("h1", {}, t("inbox.title", { ref: b.case_reference })),
    s.notice && h("p", { role: "status", class: "notice" }, t(...s.notice)),
    s.error && alertBox(s.error),
    h("dl", { class: "review" },
      h("div", {}, h("dt", {}, t("inbox.status")), h("dd", {}, t(`status.${b.status}`))),
      h("div", {}, h("dt", {}, t("inbox.received")), h("dd", {}, formatDate(b.received_on)))),
    b.sealed && h("p", { class: "note" }, t("inbox.sealed")),
    deadlines(b), measures(b), messages(b), opinion(b), evidence(b), secondaryDamage(b),
    section(t("inbox.signout"),
      h("p", {}, t("inbox.signout.note")),
      h("div", { class: "actions" }, button(t("inbox.signout"), () => {
        s = signedOut();
        go("home");
      }))));
}

function deadlines(b) {
  return b.deadlines.length > 0 && section(t("inbox.deadlines"), deadlineList(b.deadlines));
}

const deadlineList = (list) => h("ul", {}, list.map((d) => h("li", {},
  `${t(`deadline.${d.kind}`)}: ${formatDate(d.due_on)} — `,
  d.met_on ? t("deadline.met", { date: formatDate(d.met_on) })
    : d.breached ? t("deadline.breached") : t("deadline.open"))));

function measures(b) {
  if (!b.measures.length) return null;
  const answer = (id, accept) => async () => {
    try {
      await api(`/inbox/measures/${id}/answer`, { method: "POST", body: { accept }, token: s.token });
      await refresh(accept ? "measure.accepted" : "measure.declined");
    } catch (err) {
      fail(err);
    }
  };
  return section(t("inbox.measures"), h("ul", { class: "cards" }, b.measures.map((m) => h("li", {},
    h("p", {},
      h("strong", {}, t(`measure.${m.kind}`)), " — ", t(`measure.status.${m.status}`), " · ", formatDate(m.offered_on)),
    m.status === "offered" && b.can_answer_measures && h("div", { class: "actions" },
      button(t("measure.accept"), answer(m.id, true), "primary"),
      button(t("measure.decline"), answer(m.id, false)))))));
}

// A message of the system in the reader's language (its code, INT-7); any other stored bilingual text keeps each
// paragraph marked with its language.
function messageText(m) {
  if (m.code) return h("p", {}, t(`system.${m.code}`));
  if (m.author !== "system") return h("p", {}, m.body);
  return m.body.split("\n\n").map((p) => h("p", { lang: /[\uac00-\ud7a3]/.test(p) ? "ko" : "en" }, p));
}

// SD-2: the cases this inbox follows — its own first, then the secondary-damage cases reported through it.
const caseLabel = (b, ref) => t(ref === b.case_reference ? "inbox.case.own" : "inbox.case.sd", { ref });
const writable = (b) => [{ reference: b.case_reference, can_write: b.can_write }, ...b.secondary_damage_cases]
  .filter((c) => c.can_write);

// New replies: the case team's messages after the reporter's own last one. Nothing about reading is kept, on the
// device or on the server (docs/pwa.md): a reply stays "new" until the reporter writes back. With secondary-damage
// cases, each message says which case it belongs to; the reporter chooses the case to write to (CASE-4: a closed
// one is read only).
function messages(b) {
  const body = h("textarea", { id: "message", rows: 4, maxlength: 10000, required: true });
  const several = b.secondary_damage_cases.length > 0;
  const targets = writable(b);
  const about = h("select", { id: "message-case" }, targets.map((c) =>
    h("option", { value: c.reference }, caseLabel(b, c.reference))));
  const lastOwn = b.messages.findLastIndex((m) => m.author === "reporter");
  const isNew = b.messages.map((m, i) => m.author === "staff" && i > lastOwn);
  const first = isNew.indexOf(true);
  const focus = s.focusNew && first >= 0;
  s.focusNew = false;
  return section(t("inbox.messages"),
    first >= 0 && h("p", { class: "notice" }, t("inbox.newCount", { n: isNew.filter(Boolean).length })),
    b.messages.length ? h("ol", { class: "messages" }, b.messages.map((m, i) => h("li", {
      class: `from-${m.author}${isNew[i] ? " new" : ""}`, id: `message-${i}`,
      tabindex: i === first ? "-1" : null, "data-focus": focus && i === first },
    h("p", { class: "meta" }, isNew[i] && [h("strong", { class: "badge" }, t("inbox.new")), " "],
      `${t(`author.${m.author}`)} · ${formatDate(m.sent_on)}`,
      several && [" · ", h("span", { class: "about" }, caseLabel(b, m.case_reference))]), messageText(m))))
      : h("p", {}, t("inbox.noMessages")),
    !b.can_write && h("p", { class: "note" }, t("inbox.readonly")),
    targets.length > 0 && h("form", { class: "stack", onsubmit: send },
      several && field(t("inbox.writeAbout"), about),
      field(t("inbox.write"), body),
      h("button", { type: "submit", class: "primary" }, t("inbox.send"))));

  async function send(e) {
    e.preventDefault();
    if (!body.value.trim()) return;
    const ref = several ? about.value : b.case_reference;
    const payload = ref === b.case_reference ? { body: body.value } : { body: body.value, case_reference: ref };
    try {
      await api("/inbox/messages", { method: "POST", body: payload, token: s.token });
      await refresh("inbox.sent");
    } catch (err) {
      fail(err);
    }
  }
}

// CASE-6: the victim's own view on discipline, heard before any sanction is decided.
function opinion(b) {
  if (!b.can_answer_measures || !b.can_write) return null;
  const text = h("textarea", { id: "opinion", rows: 3, maxlength: 10000 });
  return section(t("opinion.title"),
    h("p", {}, t("opinion.lead")),
    h("form", { class: "stack", onsubmit: send },
      field(t("opinion.text"), text),
      h("button", { type: "submit" }, t("opinion.send"))));

  async function send(e) {
    e.preventDefault();
    if (!text.value.trim()) return;
    try {
      await api("/inbox/victim-opinion", { method: "POST", body: { text: text.value }, token: s.token });
      await refresh("opinion.sent");
    } catch (err) {
      fail(err);
    }
  }
}

function evidence(b) {
  if (!b.can_write) return null;
  return section(t("files.title"),
    fileWarning(),
    field(t("files.choose"), h("input", { id: "inbox-files", type: "file", multiple: true, accept: ACCEPT,
      onchange: (e) => (s.files = [...e.target.files]) })),
    s.uploads?.length > 0 && h("ul", { class: "files" }, s.uploads.map((u) =>
      h("li", {}, `${u.name}: ${u.done ? t("files.sent") : u.error || t("files.sending")}`))),
    button(t("files.send"), async () => {
      if (!s.files.length) return;
      s.uploads = await uploadFiles(s.files, s.token, (u) => ((s.uploads = u), rerender()));
      if (s.uploads.every((u) => u.done)) s.files = [];
      rerender();
    }));
}

function secondaryDamage(b) {
  const sd = s.sd;
  return section(t("sd.title"),
    b.secondary_damage_cases.length > 0 && h("ul", { class: "cards" }, b.secondary_damage_cases.map((c) =>
      h("li", { id: `sd-case-${c.reference}` },
        h("p", {}, h("strong", {}, caseLabel(b, c.reference)), ": ", t(`status.${c.status}`)),
        c.deadlines.length > 0 && deadlineList(c.deadlines),
        !c.can_write && h("p", { class: "note" }, t("inbox.readonly.sd"))))),
    h("p", {}, t("sd.lead")),
    h("form", { class: "stack", novalidate: true, onsubmit: report },
      h("fieldset", { class: "choices" }, h("legend", {}, t("sd.kinds")),
        SD_KINDS.map((k) => h("div", { class: "choice" },
          h("input", { type: "checkbox", id: `sd-${k}`, checked: sd.kinds.includes(k),
            onchange: (e) => (sd.kinds = e.target.checked ? [...sd.kinds, k] : sd.kinds.filter((x) => x !== k)) }),
          h("label", { for: `sd-${k}` }, t(`sd.kind.${k}`))))),
      field(t("sd.narrative"), h("textarea", { id: "sd-narrative", rows: 4, maxlength: 20000, value: sd.narrative,
        oninput: (e) => (sd.narrative = e.target.value) })),
      field(t("sd.who"), h("input", { id: "sd-who", value: sd.who || "", oninput: (e) => (sd.who = e.target.value) })),
      h("button", { type: "submit" }, t("sd.send"))));

  async function report(e) {
    e.preventDefault();
    if (sd.narrative.trim().length < 10) {
      s.error = t("report.narrative.short", { n: 10 });
      return rerender();
    }
    const body = { narrative: sd.narrative.trim(), kinds: sd.kinds };
    if (sd.who?.trim()) body.respondent = { description: sd.who.trim() };
    try {
      const r = await api("/inbox/secondary-damage", { method: "POST", body, token: s.token });
      s.sd = { narrative: "", kinds: [] };
      await refresh("sd.sent", { ref: r.case_reference });
    } catch (err) {
      fail(err);
    }
  }
}
