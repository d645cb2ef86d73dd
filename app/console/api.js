/**
 * The one place the console talks to the server: the API key (kept in sessionStorage, so it dies with the tab and
 * is never written to disk the way localStorage would), `Authorization: Bearer` on every call, and every failure
 * turned into an ApiError carrying the RFC 9457 problem's `code` and `detail`.
 */

const STORAGE = "facegate.console.key";

export function savedKey() {
  return sessionStorage.getItem(STORAGE);
}

export function saveKey(key) {
  sessionStorage.setItem(STORAGE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(STORAGE);
}

/** A failed call: the problem the server answered, or one made here for a network failure or a bare answer. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = typeof problem.code === "string" ? problem.code : "";
    this.title = typeof problem.title === "string" ? problem.title : "";
    this.detail = typeof problem.detail === "string" ? problem.detail : "";
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }

  /** The key itself was refused (unknown, revoked, expired) or lacks the scope or gallery asked for. */
  get keyRefused() {
    return this.status === 401 || this.status === 403;
  }
}

async function readBody(response) {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * Calls the API at `path` (relative to this page, e.g. "v1/enroll", so a server behind a path prefix works too).
 * `query`: parameters, empty ones left out; `form`: a FormData body (multipart); `key`: defaults to the saved one.
 * Resolves to the JSON answer (null for an empty one); rejects with an ApiError.
 */
export async function call(method, path, { query = {}, form, key = savedKey() } = {}) {
  const url = new URL(path, document.baseURI);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const headers = new Headers({ Accept: "application/json" });
  if (key) headers.set("Authorization", `Bearer ${key}`);
  let response;
  try {
    response = await fetch(url, { method, headers, body: form, credentials: "omit", cache: "no-store" });
  } catch (cause) {
    throw new ApiError(0, {
      code: "NETWORK_ERROR", title: "The server could not be reached",
      detail: `The request did not reach the server (${cause.message}). Is it running?`,
    });
  }
  const body = await readBody(response);
  if (response.ok) return body;
  const isProblem = body !== null && typeof body === "object" && typeof body.detail === "string";
  throw new ApiError(response.status, isProblem ? body : {
    code: `HTTP_${response.status}`, title: response.statusText || "Request failed",
    detail: `The server answered ${response.status} ${response.statusText} without an explanation.`,
  });
}

/** A subject's path: its id goes into the URL, so it is escaped (ids may hold `:`, `@`, `+`). */
export function subjectPath(subject, rest = "") {
  return `v1/subjects/${encodeURIComponent(subject)}${rest}`;
}
