// The HTTP API as the workbench calls it: the token on every request, problems as errors.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (Array.isArray(value)) value.forEach((v) => search.append(name, String(v)));
    else if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function createApi(token) {
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };

  async function get(path, params) {
    const response = await fetch(`/api/v1/${path}${query(params)}`, { headers, cache: "no-store" });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  /** A write as the outbox sends it: the body's exact text, its key, maybe If-Match. */
  async function send(item) {
    const sent = { ...headers, "Content-Type": "application/json", "Idempotency-Key": item.key };
    if (item.ifMatch) sent["If-Match"] = item.ifMatch;
    const response = await fetch(item.path, { method: "POST", headers: sent, body: item.body, cache: "no-store" });
    const body = await response.json().catch(() => null);
    return { status: response.status, body };
  }

  return { get, send, token };
}

/** Runs `work` over `items`, at most `width` at a time. */
export async function inTurn(items, width, work) {
  const queue = [...items];
  const runners = Array.from({ length: Math.min(width, queue.length) }, async () => {
    while (queue.length) await work(queue.shift());
  });
  await Promise.all(runners);
}
