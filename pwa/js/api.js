// The only way the app talks to the server: same origin, JSON in and out, problem+json errors as exceptions.
import { t } from "./i18n.js";

export class Problem extends Error {
  constructor(status, body, retryAfter) {
    super(body.title || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || "";
    this.errors = body.errors || [];
    this.retryAfter = retryAfter;
  }
}

// A failed fetch (no connection) is a TypeError; callers tell it apart from an answer with `isOffline`.
export const isOffline = (err) => !(err instanceof Problem);

// `raw: true` answers the Response itself (a file download); errors are still thrown as problems.
export async function api(path, { method = "GET", body, form, token, headers = {}, raw = false } = {}) {
  const sent = { Accept: "application/json, application/problem+json", ...headers };
  if (token) sent.Authorization = `Bearer ${token}`;
  let payload = form;
  if (body !== undefined) {
    sent["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(`/api/v1${path}`, {
    method, headers: sent, body: payload, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
  });
  if (raw && res.ok) return res;
  const data = res.status === 204 ? null : await res.json().catch(() => ({}));
  if (!res.ok) throw new Problem(res.status, data || {}, res.headers.get("Retry-After"));
  return data;
}

// What to tell a person about an error: never the server's English title, always our own words.
export function explain(err) {
  if (isOffline(err)) return t("err.offline");
  const byCode = { "receipt-not-accepted": "err.receipt", "invalid-token": "err.session", "case-closed": "err.closed" };
  if (byCode[err.code]) return t(byCode[err.code]);
  const byStatus = {
    401: "err.session", 404: "err.notFound", 409: "err.conflict", 413: "err.tooLarge", 415: "err.fileType",
    422: "err.invalid",
  };
  if (err.status === 429) return t("err.tooMany", { s: err.retryAfter || 60 });
  return t(byStatus[err.status] || "err.generic");
}

// The receipt code is exchanged for a short-lived inbox token, kept in memory only (never stored).
export const openSession = (code) =>
  api("/inbox/session", { method: "POST", body: { receipt_code: code } }).then((r) => r.access_token);
