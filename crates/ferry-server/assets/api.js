// The console's client of ferry's JSON API (see /api/openapi.json). Sends the bearer token
// kept in localStorage; a `?token=` in the page URL is moved there on load and removed from
// the address bar. URLs are relative so the console also works behind a path prefix.

const TOKEN_KEY = "ferry.token";
// Used when localStorage is unavailable (private windows with storage disabled).
let memoryToken = "";

/** The API answered 401: the console must ask for a token. */
export class Unauthorized extends Error {}

/** The API answered with another error status; `message` is its `error` text. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function token() {
  try {
    return localStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

export function setToken(value) {
  try {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lasts until the page reloads.
  }
  memoryToken = value;
}

/** Moves `?token=` from the page URL into storage. */
export function adoptTokenFromUrl() {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get("token");
  if (fromUrl === null) return;
  setToken(fromUrl);
  params.delete("token");
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : "") + location.hash);
}

/** `api/schemes/<name>/...` with each segment URI-encoded. */
export function path(...segments) {
  return "api/" + segments.map((segment) => encodeURIComponent(String(segment))).join("/");
}

/** Calls the API; resolves to the parsed JSON body, rejects with Unauthorized or ApiError. */
export async function call(method, url, body) {
  const headers = { Accept: "application/json" };
  const bearer = token() || memoryToken;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json; charset=utf-8";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new ApiError(0, `ferry is unreachable (${error.message})`);
  }
  if (response.status === 401) throw new Unauthorized("a valid token is required");
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const message = json && typeof json.error === "string" ? json.error : text || response.statusText;
    throw new ApiError(response.status, `${method} ${url}: ${response.status} ${message}`);
  }
  return json;
}

export const get = (url) => call("GET", url);
export const post = (url, body) => call("POST", url, body);
