// The service worker keeps the app's own files (and the public manual) for offline use. It never keeps an API
// answer: requests under /api/ go to the network untouched. VERSION is a hash of the files below, written by
// scripts/pwa-version.py; tests/unit/test_pwa_files.py fails when a file changed and VERSION did not.
const VERSION = "2841af72f2ca";
const CACHE = `withu-${VERSION}`;
const PRECACHE = [
  "/",
  "/css/app.css",
  "/favicon.ico",
  "/i18n/en.json",
  "/i18n/ko.json",
  "/icon-192.png",
  "/icon-512.png",
  "/icon.svg",
  "/js/api.js",
  "/js/app.js",
  "/js/dom.js",
  "/js/i18n.js",
  "/js/nav.js",
  "/js/outbox.js",
  "/js/screens/device.js",
  "/js/screens/files.js",
  "/js/screens/followup.js",
  "/js/screens/home.js",
  "/js/screens/manual.js",
  "/js/screens/report.js",
  "/js/store.js",
  "/manifest.webmanifest",
  "/offline/manual.en.json",
  "/offline/manual.ko.json",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => names.filter((n) => n.startsWith("withu-") && n !== CACHE))
      .then((old) => Promise.all(old.map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (url.pathname.startsWith("/admin/") || url.pathname === "/docs") return; // the staff dashboard is online only
  const key = event.request.mode === "navigate" ? "/" : url.pathname;
  // The network first, so that an online visit always gets the current files; the cache when offline.
  event.respondWith(
    fetch(event.request).then((res) => res, () => caches.match(key).then((hit) => hit || Response.error())),
  );
});
