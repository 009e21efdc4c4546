// What WithU keeps on the device, and only when the person chose it: an encrypted draft (if drafts are on) and
// reports waiting to be sent (the outbox). Both are sealed with AES-GCM under a key the browser keeps and never
// lets out (non-extractable), and both expire after 7 days. Nothing about a report goes to localStorage.

const DB = "withu";
const STORES = ["keys", "drafts", "outbox"];
const WEEK_MS = 7 * 24 * 3600 * 1000;
const DRAFTS_PREF = "withu.drafts";

const wrap = (req) => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

let opened = null;
function open() {
  if (opened) return opened;
  const req = indexedDB.open(DB, 1);
  req.onupgradeneeded = () => STORES.forEach((s) => req.result.createObjectStore(s));
  opened = wrap(req);
  return opened;
}

async function run(store, mode, fn) {
  const db = await open();
  const tx = db.transaction(store, mode);
  const result = await wrap(fn(tx.objectStore(store)));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  return result;
}

// Has WithU stored anything here? Asked before opening, so that a visit without drafts leaves no database.
async function exists() {
  if (opened) return true;
  if (!indexedDB.databases) return false;
  return (await indexedDB.databases()).some((d) => d.name === DB);
}

async function key() {
  let k = await run("keys", "readonly", (s) => s.get("main"));
  if (!k) {
    k = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    await run("keys", "readwrite", (s) => s.put(k, "main"));
  }
  return k;
}

async function seal(value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await key(), plain);
  return { iv, data, expires: Date.now() + WEEK_MS };
}

async function unseal(record) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv }, await key(), record.data);
  return JSON.parse(new TextDecoder().decode(plain));
}

async function readAll(store) {
  if (!(await exists())) return [];
  const [keys, values] = await Promise.all([
    run(store, "readonly", (s) => s.getAllKeys()),
    run(store, "readonly", (s) => s.getAll()),
  ]);
  return keys.map((k, i) => [k, values[i]]);
}

// Expired drafts and outbox entries are removed at every start.
export async function purgeExpired(now = Date.now()) {
  for (const store of ["drafts", "outbox"]) {
    for (const [k, v] of await readAll(store)) {
      if (v.expires <= now) await run(store, "readwrite", (s) => s.delete(k));
    }
  }
}

export const draftsOn = () => {
  try {
    return localStorage.getItem(DRAFTS_PREF) === "on";
  } catch {
    return false;
  }
};

export async function setDraftsOn(on) {
  try {
    if (on) localStorage.setItem(DRAFTS_PREF, "on");
    else localStorage.removeItem(DRAFTS_PREF);
  } catch { /* private mode: drafts stay off */ }
  if (!on) await clearDraft();
}

export async function saveDraft(value) {
  if (!draftsOn()) return;
  const sealed = await seal(value); // before the transaction: it would close while encryption is awaited
  await run("drafts", "readwrite", (s) => s.put(sealed, "report"));
}

export async function loadDraft() {
  if (!draftsOn()) return null;
  const found = (await readAll("drafts")).find(([k, v]) => k === "report" && v.expires > Date.now());
  return found ? unseal(found[1]) : null;
}

export async function clearDraft() {
  if (await exists()) await run("drafts", "readwrite", (s) => s.delete("report"));
}

// The outbox: a report sent without a connection waits here, with the idempotency key it will be sent with.
export async function queue(idempotencyKey, body) {
  const sealed = await seal(body);
  await run("outbox", "readwrite", (s) => s.put(sealed, idempotencyKey));
}

export async function queued() {
  const out = [];
  for (const [k, v] of await readAll("outbox")) {
    if (v.expires > Date.now()) out.push({ key: k, body: await unseal(v) });
  }
  return out;
}

export async function dequeue(idempotencyKey) {
  await run("outbox", "readwrite", (s) => s.delete(idempotencyKey));
}

// "Erase this device": the database, the key with it, every cache, both storages and the service worker.
export async function eraseDevice() {
  if (opened) (await opened).close();
  opened = null;
  await wrap(indexedDB.deleteDatabase(DB)).catch(() => {});
  if (self.caches) for (const name of await caches.keys()) await caches.delete(name);
  try {
    localStorage.clear();
    sessionStorage.clear();
  } catch { /* nothing to clear */ }
  if (navigator.serviceWorker) {
    for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
  }
}
