// Statistics (issue #7 item 6, STAT-1): cases by category, team and month; days to acknowledge / decide / close;
// deadline breaches; the secondary-damage share; intake by workplace and #WithU (WU-1). Each chart has a table
// with the same figures; a count the server suppressed reads "not shown", never 0 (outside the case team, who
// also pick one ended calendar quarter rather than any days: STAT-1, docs/registry.md).
// uPlot is loaded here only, on demand (vendored: pwa/admin/vendor/uplot/README.md).
import { field, h, section } from "/js/dom.js";
import { formatDate, lang, t } from "/js/i18n.js";
import { navigate } from "../nav.js";
import { CASE_TEAM, call, current } from "../session.js";
import { count, num, percent, select, table, value as chosen } from "../ui.js";

const CATEGORIES = ["sexual_harassment", "sexual_assault", "stalking", "online", "secondary_damage", "other"];
const TEAMS = ["intake_counselling", "investigation", "victim_support_legal", "prevention_education"];
const DEADLINES = [
  "acknowledgement", "triage", "feedback", "investigation", "ministry_notification", "prevention_plan", "contract_link",
];
const STAGES = ["acknowledge", "decide", "close"];
// Series colours (each ≥ 3:1 against white, WCAG 1.4.11); the legend's swatches use the same (office.css).
const COLOURS = ["#2f4f6f", "#b35c00", "#1f7a4d", "#8a1c12", "#6b3fa0", "#4a5768"];

let uPlot = null;
async function chartLibrary() {
  if (!uPlot) {
    if (!document.querySelector("link[data-uplot]")) {
      const href = "/admin/vendor/uplot/uPlot.min.css";
      document.head.append(h("link", { rel: "stylesheet", href, "data-uplot": "" }));
    }
    uPlot = (await import("/admin/vendor/uplot/uPlot.esm.js")).default;
  }
  return uPlot;
}

const iso = (d) => d.toISOString().slice(0, 10);
function defaultWindow() {
  const today = new Date();
  const from = new Date(Date.UTC(today.getFullYear(), today.getMonth() - 5, 1));
  return [iso(from), iso(today)];
}

// Outside the case team the server answers only for one calendar quarter that has ended: the last twelve of them,
// newest first, as [from, to, year, quarter].
function endedQuarters(n = 12) {
  const today = new Date();
  let year = today.getFullYear();
  let q = Math.floor(today.getMonth() / 3); // the running quarter is q + 1; start with the one before it
  const found = [];
  while (found.length < n) {
    if (q === 0) [year, q] = [year - 1, 4];
    found.push([iso(new Date(Date.UTC(year, 3 * q - 3, 1))), iso(new Date(Date.UTC(year, 3 * q, 0))), year, q]);
    q -= 1;
  }
  return found;
}

// Months short and alike ("Sep 2026", en-US: en-GB writes "Sept" beside "Aug").
const monthName = (ym, short = false) => {
  const [y, m] = ym.split("-").map(Number);
  const style = short ? { year: "2-digit", month: "numeric" } : { year: "numeric", month: "short" };
  return new Intl.DateTimeFormat(lang() === "ko" ? "ko-KR" : "en-US", { ...style, timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, 1)));
};
const value = (cell) => (cell && !cell.suppressed && cell.count != null ? cell.count : null);

export async function render({ params }) {
  const caseTeam = CASE_TEAM.includes(current()?.role);
  const quarters = endedQuarters();
  const [defFrom, defTo] = caseTeam ? defaultWindow() : quarters[0];
  const from = params.get("from") || defFrom;
  const to = params.get("to") || defTo;
  const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const [stats, intake, lib] = await Promise.all([
    call(`/statistics/cases?${q}`), call(`/statistics/intake?${q}`), chartLibrary(),
  ]);
  const width = Math.max(260, Math.min(960, (document.getElementById("view")?.clientWidth || 360) - 40));
  const narrow = width < 520;
  // `columns`: which columns of the table below hold each series (the tests compare them with the chart's data).
  const chart = (title, opts, data, names, columns) => {
    const wrap = h("div", { class: "chart-box", role: "img", "aria-label": t("stats.chart.label", { title }),
      "data-columns": columns.join(" ") });
    const legend = h("ul", { class: "legend", "aria-hidden": "true" },
      names.map((name, i) => h("li", {}, h("span", { class: `swatch c${i}` }), name)));
    // The figures stay on the element (`.chart`): the tests compare them with the table's.
    wrap.chart = new lib({ width, height: 240, legend: { show: false }, cursor: { show: false }, ...opts }, data, wrap);
    return h("div", { class: "chart" }, wrap, legend);
  };

  const months = stats.months;
  const monthly = (rows, keys, prefix, title, caption) => {
    const data = [months.map((_, i) => i), ...keys.map((k) => rows.map((r) => value(r.cells[k])))];
    const names = keys.map((k) => t(`${prefix}.${k}`));
    return [
      chart(title, {
        scales: {
          x: { time: false, range: [-0.5, months.length - 0.5] },
          y: { range: (_, lo, hi) => [0, Math.max(5, hi)] },
        },
        axes: [axis({
          values: (_, ticks) => ticks.map((i) => (months[i] ? monthName(months[i], narrow) : "")),
          splits: () => months.map((_, i) => i),
        }), axis({})],
        series: [{}, ...names.map((label, i) => ({
          label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false,
          points: { show: true, size: 7, fill: COLOURS[i % COLOURS.length] },
        }))],
      }, data, names, keys.map((_, i) => i + 1)),
      table(caption, [t("stats.month"), ...names, t("stats.total")],
        rows.map((r) => [monthName(r.month), ...keys.map((k) => count(r.cells[k])), count(r.total)]),
        { cls: "stats-table" }),
    ];
  };

  const bars = (keys, prefix, series, title, columns) => {
    const n = series.length;
    const data = [keys.map((_, i) => i), ...series.map((s) => s.values)];
    return chart(title, {
      scales: {
        x: { time: false, range: [-0.5, keys.length - 0.5] },
        y: { range: (_, lo, hi) => [0, Math.max(5, hi || 0)] },
      },
      axes: [axis({
        values: (_, ticks) => ticks.map((i) => (keys[i] ? t(`${prefix}.${keys[i]}`) : "")),
        splits: () => keys.map((_, i) => i),
        rotate: keys.length > 3 ? 35 : 0,
        size: keys.length > 3 ? 110 : 40,
      }), axis({})],
      series: [{}, ...series.map((s, i) => ({
        label: s.label, stroke: COLOURS[i], fill: COLOURS[i], width: 0, points: { show: false },
        paths: lib.paths.bars({ size: [0.7 / n, 60], align: n === 1 ? 0 : i === 0 ? -1 : 1 }),
      }))],
    }, data, series.map((s) => s.label), columns);
  };

  const d = stats.durations;
  const durationRow = (k) => {
    const r = d[k];
    const hidden = r.suppressed;
    const days = (x) => (hidden
      ? h("span", { class: "suppressed" }, t("stats.suppressedFigure"))
      : x == null ? t("stats.none") : num(x, 1));
    return [t(`stats.stage.${k}`), count(r.cases), days(r.median_days), days(r.p90_days)];
  };
  const br = stats.deadline_breaches;
  const sd = stats.secondary_damage;
  const ec = intake.employee_cases;
  const wu = intake.withu;

  const form = h("form", { class: "filters", onsubmit: (e) => {
    e.preventDefault();
    const [start, end] = caseTeam ? [fromInput.value, toInput.value] : chosen(quarterField).split("/");
    navigate(`statistics?from=${start}&to=${end}`);
  } });
  const fromInput = h("input", { type: "date", value: from, required: true });
  const toInput = h("input", { type: "date", value: to, required: true });
  const quarterOptions = quarters.map(([start, end, year, q]) =>
    [`${start}/${end}`, t("stats.quarterOption", { year: String(year), quarter: String(q) })]);
  const quarterField = select(t("stats.quarter"), quarterOptions, { value: `${from}/${to}` });
  form.append(...(caseTeam ? [field(t("stats.from"), fromInput), field(t("stats.to"), toInput)] : [quarterField]),
    h("button", { type: "submit", class: "primary" }, t("stats.show")));

  const node = h("div", { class: "stack" },
    h("h1", {}, t("admin.nav.statistics")),
    form,
    h("p", { class: "note" }, stats.exact
      ? t("stats.exact", { from: formatDate(stats.start), to: formatDate(stats.end) })
      : t("stats.suppressedNote", { from: formatDate(stats.start), to: formatDate(stats.end) })),
    section(t("stats.byCategory"),
      monthly(stats.by_category, CATEGORIES, "category", t("stats.byCategory"), t("stats.byCategory.caption"))),
    stats.by_team.length === 0 ? null // the case team's only (STAT-1: teams follow from categories)
      : section(t("stats.byTeam"), monthly(stats.by_team, TEAMS, "team", t("stats.byTeam"), t("stats.byTeam.caption"))),
    section(t("stats.durations"),
      h("p", { class: "hint" }, t("stats.durations.hint")),
      bars(STAGES, "stats.stage", [
        { label: t("stats.median"), values: STAGES.map((k) => (d[k].suppressed ? null : d[k].median_days)) },
        { label: t("stats.p90"), values: STAGES.map((k) => (d[k].suppressed ? null : d[k].p90_days)) },
      ], t("stats.durations"), [2, 3]),
      table(t("stats.durations.caption"), [t("stats.stage"), t("stats.cases"), t("stats.median"), t("stats.p90")],
        STAGES.map(durationRow), { cls: "stats-table" })),
    section(t("stats.breaches"),
      h("p", { class: "hint" }, t("stats.breaches.hint")),
      bars(DEADLINES, "case.deadline",
        [{ label: t("stats.breaches.count"), values: DEADLINES.map((k) => value(br.cells[k])) }],
        t("stats.breaches"), [1]),
      table(t("stats.breaches.caption"), [t("stats.deadline"), t("stats.breaches.count")],
        [...DEADLINES.map((k) => [t(`case.deadline.${k}`), count(br.cells[k])]), [t("stats.total"), count(br.total)]],
        { cls: "stats-table" })),
    section(t("stats.sd"),
      table(t("stats.sd.caption"), [t("stats.figure"), t("stats.value")], [
        [t("stats.sd.cases"), count(sd.cases)],
        [t("stats.sd.all"), count(sd.all_cases)],
        [t("stats.sd.share"), sd.share == null
          ? h("span", { class: "suppressed" }, sd.suppressed ? t("stats.suppressed") : t("stats.none"))
          : percent(sd.share)],
      ], { cls: "stats-table" })),
    section(t("stats.intake"),
      h("p", { class: "hint" }, t("stats.intake.hint", { from: formatDate(intake.from), to: formatDate(intake.to) })),
      table(t("stats.intake.employees"), [t("stats.workplace"), t("stats.cases")],
        [...["smg", "affiliated", "contractor", "unspecified"].map((k) => [t(`stats.workplace.${k}`), count(ec[k])]),
          [t("stats.total"), count(ec.total)]], { cls: "stats-table" }),
      table(t("stats.intake.withu"), [t("stats.figure"), t("stats.cases")],
        ["cases", "legal_consultation", "counselling", "workplace_education", "expert_training"]
          .map((k) => [t(`stats.withu.${k}`), count(wu[k])]),
        { cls: "stats-table" })),
  );
  return node;
}

function axis(extra) {
  return {
    stroke: "#1d2733",
    grid: { stroke: "#dde3ea", width: 1 },
    ticks: { stroke: "#c4ccd6", width: 1 },
    font: "13px system-ui, sans-serif",
    ...extra,
  };
}
