// The API as the page calls it: the token on every request, X-Position read from every answer.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * What went wrong, in the API's own words: its problem's `detail` and, for a 422, each field's
 * message; never a bare status code.
 */
export function problemText(error, fallback) {
  const problem = error?.problem;
  const fields = Array.isArray(problem?.errors)
    ? problem.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).filter(Boolean)
    : [];
  const detail = problem?.detail || problem?.title || (error instanceof ApiError ? null : fallback);
  const parts = [detail, ...fields].filter(Boolean);
  return parts.length ? [...new Set(parts)].join("；") : fallback;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (Array.isArray(value)) value.forEach((each) => search.append(name, String(each)));
    else if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function createApi(token) {
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };

  async function get(path, params, options = {}) {
    const response = await fetch(`/api/v1/${path}${query(params)}`, {
      headers,
      cache: "no-store",
      signal: options.signal,
    });
    if (response.status === 504 && params?.min_position != null) {
      // The view has not reached that position within the wait: show what it has.
      return get(path, { ...params, min_position: null }, options);
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      throw new ApiError(response.status, problem);
    }
    const position = response.headers.get("X-Position");
    const sources = {};
    const body = JSON.parse(await response.text(), function keepSource(key, value, context) {
      // The number's own text ("1.0" stays "1.0"), where the browser gives it, for data-value.
      if (typeof value === "number" && context?.source !== undefined) sources[key] = context.source;
      return value;
    });
    const period = { from: response.headers.get("X-Period-From"), to: response.headers.get("X-Period-To") };
    return { body, sources, period, position: position === null ? null : Number(position) };
  }

  async function failed(response) {
    const problem = await response.json().catch(() => null);
    return new ApiError(response.status, problem);
  }

  /** A JSON body sent; the answer's JSON body, or an ApiError with the API's problem. */
  async function post(path, body) {
    const response = await fetch(`/api/v1/${path}`, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
    });
    if (!response.ok) throw await failed(response);
    return { body: await response.json(), position: Number(response.headers.get("X-Position")) };
  }

  /** A file the API gives for `accept` (a report's workbook or CSV): its bytes and its name. */
  async function download(path, accept) {
    const response = await fetch(`/api/v1/${path}`, { headers: { ...headers, Accept: accept }, cache: "no-store" });
    if (!response.ok) throw await failed(response);
    const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return { blob: await response.blob(), filename: named ? named[1] : path.split("/").pop() };
  }

  return { get, post, download, token };
}

/** Display names of users by login (`/names`): a login stays itself if it has none. */
export async function userNames(api, logins) {
  const wanted = [...new Set(logins.filter(Boolean))];
  if (!wanted.length) return {};
  try {
    return (await api.get("names", { login: wanted })).body.users || {};
  } catch (error) {
    if (error?.status === 401) throw error;
    return {};
  }
}

/** A list answer's items, whatever envelope the endpoint uses (`[...]`, `{items}`, `{rows}`). */
export function itemsOf(body, ...names) {
  if (Array.isArray(body)) return body;
  for (const name of [...names, "items", "rows"]) {
    if (Array.isArray(body?.[name])) return body[name];
  }
  return [];
}
