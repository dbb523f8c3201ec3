// The signed-in supervisor. The token is kept in localStorage so the session survives reloads
// and new tabs, and mirrored into a `terreno_token` cookie scoped to the live feed's path:
// browsers cannot put an Authorization header on a WebSocket, and a cookie keeps the token out
// of URLs and server logs. SameSite=Strict keeps other sites' pages from opening the feed.

import { api, setToken } from "./api";
import type { LoginRequest, LoginResponse, UserInfo } from "./generated";

/** A user as `/api/v1/auth/me` shows them. */
export type User = UserInfo;

interface Stored {
  token: string;
  expires_at: string;
}

const STORAGE_KEY = "terreno.session";
const FEED_PATH = "/api/v1/live";

let user: User | null = null;

/** The signed-in user, if any. */
export function currentUser(): User | null {
  return user;
}

function remember(s: Stored): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  setToken(s.token);
  const expires = new Date(s.expires_at).toUTCString();
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `terreno_token=${s.token}; Path=${FEED_PATH}; Expires=${expires}; SameSite=Strict${secure}`;
}

/** Forgets the session locally (token, cookie, user). */
export function forget(): void {
  localStorage.removeItem(STORAGE_KEY);
  setToken(null);
  document.cookie = `terreno_token=; Path=${FEED_PATH}; Max-Age=0; SameSite=Strict`;
  user = null;
}

/** Signs in; rejects with an ApiError (401 wrong credentials, 403 disabled, 429 too many). */
export async function login(username: string, password: string): Promise<User> {
  const request: LoginRequest = { username, password };
  const answer = await api<LoginResponse>("POST", "/api/v1/auth/login", request);
  remember({ token: answer.token, expires_at: answer.expires_at });
  user = answer.user;
  return user;
}

/** The session kept from an earlier visit, checked with the server; null when there is none
 * or the server no longer knows the token. Network failures reject (the session may be fine). */
export async function restore(): Promise<User | null> {
  const raw = localStorage.getItem(STORAGE_KEY);
  if (!raw) return null;
  let stored: Stored;
  try {
    stored = JSON.parse(raw) as Stored;
  } catch {
    forget();
    return null;
  }
  if (!stored.token || new Date(stored.expires_at).getTime() <= Date.now()) {
    forget();
    return null;
  }
  remember(stored);
  try {
    user = await api<User>("GET", "/api/v1/auth/me");
    return user;
  } catch (e) {
    if ((e as { status?: number }).status === 401) {
      forget();
      return null;
    }
    throw e;
  }
}

/** Signs out: the server revokes the token; locally it is forgotten even if that fails. */
export async function logout(): Promise<void> {
  try {
    await api<void>("POST", "/api/v1/auth/logout");
  } finally {
    forget();
  }
}
