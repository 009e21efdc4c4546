// The shell: language, screens, quick exit, and the outbox that sends waiting reports when the connection returns.
import { announce } from "./dom.js";
import { lang, loadStrings, remember, t } from "./i18n.js";
import { go, rerender, useScreens } from "./nav.js";

// A neutral public page (the weather). `location.replace` leaves no history entry of WithU's page behind it.
export const EXIT_URL = "https://www.weather.go.kr/w/index.do";

useScreens({
  home: () => import("./screens/home.js"),
  report: () => import("./screens/report.js"),
  followup: () => import("./screens/followup.js"),
  manual: () => import("./screens/manual.js"),
  device: () => import("./screens/device.js"),
});

function quickExit() {
  document.body.replaceChildren();
  try {
    sessionStorage.clear();
  } catch { /* nothing kept there */ }
  location.replace(EXIT_URL);
}

function paintShell() {
  const other = lang() === "ko" ? "en" : "ko";
  const toggle = document.getElementById("lang-toggle");
  toggle.textContent = t("lang.switchTo");
  toggle.lang = other;
  document.getElementById("quick-exit").textContent = t("exit.button");
  document.getElementById("quick-exit").title = t("exit.hint");
  document.querySelector(".skip").textContent = t("skip");
}

async function switchLanguage() {
  const next = lang() === "ko" ? "en" : "ko";
  await loadStrings(next);
  remember(next);
  paintShell();
  await rerender(false);
  announce(t("lang.switched"));
}

function watchShift() {
  let presses = [];
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Shift" || e.repeat) return;
    const now = performance.now();
    presses = [...presses.filter((at) => now - at < 1000), now];
    if (presses.length >= 3) quickExit();
  });
}

async function sendWaiting() {
  const { flushOutbox } = await import("./outbox.js");
  await flushOutbox();
}

async function start() {
  document.getElementById("quick-exit").addEventListener("click", quickExit);
  watchShift();
  // A page brought back by Back/Forward from the browser's memory is blanked and loaded afresh.
  addEventListener("pageshow", (e) => {
    if (e.persisted) {
      document.body.replaceChildren();
      location.replace("/");
    }
  });
  await loadStrings();
  paintShell();
  document.getElementById("lang-toggle").addEventListener("click", switchLanguage);
  await go("home");
  addEventListener("online", sendWaiting);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  const { purgeExpired } = await import("./store.js");
  await purgeExpired();
  if (navigator.onLine) await sendWaiting();
}

start();
