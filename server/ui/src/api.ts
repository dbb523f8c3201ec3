// Requests to the server's JSON API with the session's bearer token. Every failure becomes an
// ApiError whose `plain` text says, in the dashboard's language, what happened and what to do;
// a 401 on an authenticated call also tells the app the session is over.

import type { ErrorBody } from "./generated";
import { t } from "./i18n";

/** A failed request: HTTP status (0 when the server could not be reached), the server's
 * stable code and message, and a sentence for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    readonly plain: string,
    /** The parsed answer, when it was JSON (an import refused as a whole answers with its
     * summary, which the page shows rather than the error). */
    readonly body?: unknown,
  ) {
    super(`${status} ${code}: ${serverMessage}`);
  }
}

let token: string | null = null;
let onUnauthorized: () => void = () => {};

/** Sets the token sent with every request (null: none). */
export function setToken(value: string | null): void {
  token = value;
}

/** What to do when the server answers 401 to an authenticated request. */
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

/** A plain sentence for an error answer with no more specific handling. */
export function plainError(status: number, message: string): string {
  if (status === 0) return t("error.network");
  if (status === 401) return t("error.session");
  if (status >= 500) return t("error.server", { status });
  return t("error.request", { message });
}

/** Sends a request; resolves to the parsed JSON body (undefined for 204). A FormData body
 * goes as multipart (the browser writes its boundary into the content type), anything else as
 * JSON. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : multipart ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "network", String(e), t("error.network"));
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's error page): reported below by status.
  }
  if (!response.ok) {
    const err = (json ?? {}) as Partial<ErrorBody>;
    const code = err.code ?? "http_" + response.status;
    const message = err.message ?? response.statusText;
    if (response.status === 401 && token) onUnauthorized();
    throw new ApiError(response.status, code, message, plainError(response.status, message), json);
  }
  return json as T;
}

/** A file the server sent: its bytes and the name it suggested. */
export interface Download {
  blob: Blob;
  filename: string;
}

/** Fetches a file with the session's token (a plain link could not send it). The body is
 * read whole here: the server streams it, the browser keeps it until it is saved. */
export async function download(path: string): Promise<Download> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, { headers });
  } catch (e) {
    throw new ApiError(0, "network", String(e), t("error.network"));
  }
  if (!response.ok) {
    const err = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    const message = err.message ?? response.statusText;
    if (response.status === 401 && token) onUnauthorized();
    throw new ApiError(
      response.status,
      err.code ?? "http_" + response.status,
      message,
      plainError(response.status, message),
    );
  }
  let blob: Blob;
  try {
    blob = await response.blob();
  } catch (e) {
    // The server cut the body short: a file that looks whole but is not must not be saved.
    throw new ApiError(0, "cut", String(e), t("error.cut"));
  }
  const named = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "");
  return { blob, filename: named?.[1] ?? path.split("/").pop()!.split("?")[0] };
}
