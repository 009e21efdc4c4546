// Korean and English. Every key exists in both files (tests/unit/test_pwa_strings.py fails otherwise).

export const LANGS = ["ko", "en"];
const PREF = "withu.lang"; // the only thing kept in localStorage: a language, never anything about a report
let strings = {};
let current = "ko";

export const lang = () => current;

function preferred() {
  try {
    const saved = localStorage.getItem(PREF);
    if (LANGS.includes(saved)) return saved;
  } catch { /* storage may be blocked: fall through */ }
  const asked = (navigator.languages || [navigator.language || "ko"]).map((l) => l.slice(0, 2));
  return asked.find((l) => LANGS.includes(l)) || "ko";
}

// `files` are paths without the language: the reporter's app has one ("/i18n/"), the dashboard several.
let sources = ["/i18n/"];
export const useStrings = (files) => (sources = files);

export async function loadStrings(wanted = preferred()) {
  const parts = await Promise.all(sources.map((f) => fetch(`${f}${wanted}.json`).then((r) => r.json())));
  strings = Object.assign({}, ...parts);
  current = wanted;
  document.documentElement.lang = wanted;
  return wanted;
}

export function remember(choice) {
  try {
    localStorage.setItem(PREF, choice);
  } catch { /* private mode: the choice lasts for this visit */ }
}

export function t(key, vars = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? vars[name] : `{${name}}`));
}

export function formatDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(current === "ko" ? "ko-KR" : "en-GB", { dateStyle: "long", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}
