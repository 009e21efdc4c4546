// Education (MAN-3): the prevention & education team's sessions — the yearly prevention training, a role of the
// manual's training, #WithU education and expert training for citizens' workplaces (WU-1) — attendance recorded by
// employee number (pasted) or by headcount, completion per organisation and unit, and content-free reminders.
// The case team reads exact counts; HR officers and auditors see "not shown" for a count below 5 (STAT-1).
import { alertBox, announce, h, section } from "/js/dom.js";
import { formatDate, t } from "/js/i18n.js";
import { navigate } from "../nav.js";
import { CASE_TEAM, call } from "../session.js";
import { count, fill, form, num, part, problem, select, table, text, value } from "../ui.js";

const KINDS = ["yearly_prevention", "role_training", "workplace_education", "expert_training"];
const WITHU = ["workplace_education", "expert_training"];
const AUDIENCES = ["all", "victim", "witness", "manager", "hr", "contractor", "case_team"];
const EDUCATION_TEAM = "prevention_education";

// The prevention & education team (its lead and members) and the division head schedule and record (the server
// decides: docs/manual.md, MAN-3).
const manages = (me) => me.role === "division_head" || (CASE_TEAM.includes(me.role) && me.team === EDUCATION_TEAM);

export async function render(ctx) {
  const screen = h("div", { class: "stack" });
  const year = Number(ctx.params.get("year")) || new Date().getFullYear();
  await paint(ctx, screen, year);
  return screen;
}

async function paint(ctx, screen, year, note) {
  const [sessions, completion] = await Promise.all([
    part(`/education/sessions?year=${year}`), part(`/education/completion?year=${year}`)]);
  const redo = async (said) => {
    await paint(ctx, screen, year, said);
    announce(said);
  };
  const years = [year + 1, year, year - 1, year - 2].map((y) => [String(y), String(y)]);
  const picker = select(t("edu.year"), years, { value: String(year), id: "edu-year",
    onchange: (e) => navigate(`education?year=${e.target.value}`) });
  const editor = manages(ctx.me) && !sessions.denied;
  fill(screen,
    h("h1", {}, t("admin.nav.education")),
    h("p", { class: "hint" }, t("edu.lead")),
    note ? h("p", { class: "notice", id: "edu-note" }, note) : null,
    picker,
    completion.denied ? null
      : section(t("edu.completion.title"), failed(completion) || completionPart(completion.data)),
    sessions.denied ? null : section(t("edu.sessions.title"), failed(sessions) || sessionPart(sessions.data)),
    editor ? section(t("edu.manage.title"), createForm(year, redo),
      sessions.data?.length ? attendanceForm(sessions.data, redo) : null, reminderForm(year, redo)) : null,
    sessions.denied && completion.denied ? h("p", { class: "note" }, t("edu.nothing")) : null,
  );
}

const failed = (loaded) => (loaded.error ? alertBox(problem(loaded.error, "edu")) : null);
const kindText = (s) => `${t(`edu.kind.${s.kind}`)} · ${t(`edu.role.${s.role}`)}`;
const share = (row) => (row.percent == null ? "" : `${num(row.percent, 1)} %`);

function completionPart(data) {
  const parts = data.requirements.map((r) => {
    const rows = r.organisations.flatMap((o) => [
      [o.name, count(o.required), count(o.completed), share(o)],
      ...o.units.map((u) => [h("span", { class: "indent" }, `— ${u.name || t("edu.noUnit")}`),
        count(u.required), count(u.completed), share(u)]),
    ]);
    return rows.length
      ? table(t("edu.completion.caption", { what: kindText(r) }),
        [t("edu.completion.where"), t("edu.completion.required"), t("edu.completion.completed"), "%"], rows)
      : h("p", { class: "note" }, t("edu.completion.none", { what: kindText(r) }));
  });
  return [h("p", { class: "hint" }, t(data.exact ? "edu.completion.rule" : "edu.completion.suppressed")), parts];
}

function sessionPart(list) {
  if (!list.length) return h("p", { class: "note" }, t("edu.sessions.none"));
  const rows = list.map((s) => [
    s.title, formatDate(s.day), kindText(s), s.workplace || [s.organisation, s.unit].filter(Boolean).join(" / ") || "",
    count(s.attendees), s.capacity == null ? "" : num(s.capacity),
  ]);
  return table(t("edu.sessions.caption", { n: num(list.length) }),
    [t("edu.title"), t("edu.day"), t("edu.kind"), t("edu.scope"), t("edu.attendees"), t("edu.capacity")], rows);
}

function createForm(year, redo) {
  const kind = select(t("edu.kind"), KINDS.map((k) => [k, t(`edu.kind.${k}`)]), { id: "edu-kind" });
  const role = select(t("edu.role"), AUDIENCES.map((a) => [a, t(`edu.role.${a}`)]), { id: "edu-role" });
  const title = text(t("edu.title"), { id: "edu-title", required: true, maxlength: 200 });
  const today = new Date().toISOString().slice(0, 10);
  const first = today.startsWith(String(year)) ? today : `${year}-01-01`;
  const day = text(t("edu.day"), { id: "edu-day", type: "date", required: true, value: first });
  const org = text(t("edu.organisation"), { id: "edu-org", maxlength: 64 }, t("edu.organisation.hint"));
  const unit = text(t("edu.unit"), { id: "edu-unit", maxlength: 64 });
  const workplace = text(t("edu.workplace"), { id: "edu-workplace", maxlength: 200 }, t("edu.workplace.hint"));
  const capacity = text(t("edu.capacity"), { id: "edu-capacity", type: "number", min: 1 });
  return form(t("edu.create.title"), [kind, role, title, day, org, unit, workplace, capacity], t("edu.create.submit"),
    async () => {
      const optional = (el) => value(el) || null;
      const body = { kind: value(kind), role: value(role), title: value(title), day: value(day),
        organisation: optional(org), unit: optional(unit), workplace: optional(workplace),
        capacity: value(capacity) ? Number(value(capacity)) : null };
      await call("/education/sessions", { method: "POST", body });
      const said = t("edu.create.done", { title: body.title });
      await redo(said);
      return said;
    });
}

function attendanceForm(list, redo) {
  const session = select(t("edu.attend.session"),
    list.map((s) => [s.id, `${formatDate(s.day)} · ${s.title}`]), { id: "edu-session" });
  const numbers = text(t("edu.attend.numbers"), { id: "edu-numbers", rows: 4 }, t("edu.attend.numbers.hint"));
  const headcount = text(t("edu.attend.headcount"), { id: "edu-headcount", type: "number", min: 0 },
    t("edu.attend.headcount.hint"));
  const box = h("div", { id: "edu-attend-problem" });
  return form(t("edu.attend.title"), [session, numbers, headcount, box], t("edu.attend.submit"), async () => {
    const chosen = list.find((s) => s.id === value(session));
    const body = WITHU.includes(chosen.kind)
      ? { headcount: Number(value(headcount) || 0) }
      : { employee_numbers: value(numbers).split(/[\s,;]+/).filter(Boolean) };
    box.replaceChildren();
    let answer;
    try {
      answer = await call(`/education/sessions/${chosen.id}/attendance`, { method: "POST", body });
    } catch (err) {
      if (err.status === 401) throw err;
      box.replaceChildren(alertBox(problem(err, "edu"))); // in our words, e.g. unknown numbers: nothing recorded
      return null;
    }
    const said = t("edu.attend.done", { recorded: num(answer.recorded), again: num(answer.already_recorded) });
    await redo(said);
    return said;
  });
}

function reminderForm(year, redo) {
  return form(t("edu.remind.title"), [h("p", { class: "hint" }, t("edu.remind.lead", { year }))],
    t("edu.remind.submit"), async () => {
      const answer = await call("/education/reminders", { method: "POST", body: { year } });
      const n = Object.values(answer.reminded).reduce((a, b) => a + b, 0);
      const said = t("edu.remind.done", { n: num(n) });
      await redo(said);
      return said;
    }, "secondary");
}
