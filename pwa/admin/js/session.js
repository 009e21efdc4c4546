// A staff member's sign-in: the access token in memory only; the refresh token in sessionStorage (this tab, until
// it closes), so that a reload does not sign out. One renewal at a time: a refresh token works once, and a reused
// one ends the whole sign-in (the server's reuse detection).
import { api, Problem } from "/js/api.js";

// The roles a staff member signs in with: the case team first, then the office roles.
export const CASE_TEAM = ["intake", "investigator", "team_lead", "division_head"];
export const ROLES = [...CASE_TEAM, "hr_officer", "auditor", "sysadmin"];

const REFRESH = "withu.staff.refresh";
let access = null;
let expiresAt = 0;
let me = null;
let renewing = null;

const stored = () => sessionStorage.getItem(REFRESH);

function keep(tokens) {
  access = tokens.access_token;
  expiresAt = Date.now() + (tokens.expires_in - 30) * 1000;
  sessionStorage.setItem(REFRESH, tokens.refresh_token);
}

export function forget() {
  access = null;
  me = null;
  sessionStorage.removeItem(REFRESH);
}

function renew() {
  renewing ||= (async () => {
    const token = stored();
    if (!token) throw new Problem(401, { code: "invalid-token" });
    try {
      keep(await api("/auth/refresh", { method: "POST", body: { refresh_token: token } }));
    } catch (err) {
      if (err instanceof Problem) forget();
      throw err;
    }
  })().finally(() => (renewing = null));
  return renewing;
}

// Every staff call goes through here: the token renewed when it is about to expire, and once more after a 401.
export async function call(path, options = {}) {
  if (!access || Date.now() > expiresAt) await renew();
  try {
    return await api(path, { ...options, token: access });
  } catch (err) {
    if (err.status !== 401 || !stored()) throw err;
    await renew();
    return api(path, { ...options, token: access });
  }
}

// → { me, failed, lastFailedOn }: who signed in, and how many sign-in attempts with their e-mail failed since their
// last sign-in (from any device) and on which day the last did — the owner is told.
export async function signIn(email, password, totp) {
  const answer = await api("/auth/login", { method: "POST", body: { email, password, totp } });
  keep(answer);
  me = await call("/auth/me");
  return { me, failed: answer.failed_attempts_since_last_login, lastFailedOn: answer.last_failed_attempt_on };
}

export async function resume() {
  if (!stored()) return null;
  try {
    await renew();
    me = await call("/auth/me");
    return me;
  } catch {
    forget();
    return null;
  }
}

export async function signOut(everywhere = false) {
  try {
    await call(everywhere ? "/auth/logout-all" : "/auth/logout", { method: "POST" });
  } finally {
    forget();
  }
}

export const current = () => me;
