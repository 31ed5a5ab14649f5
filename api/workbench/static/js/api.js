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

  /** A write as the outbox sends it: the body's exact text, its key, maybe If-Match. An item
   * with a file (a document) goes as multipart/form-data: the body's fields and the file. */
  async function send(item) {
    const sent = { ...headers, "Idempotency-Key": item.key };
    if (item.ifMatch) sent["If-Match"] = item.ifMatch;
    let payload = item.body;
    if (item.file) {
      payload = new FormData();
      for (const [name, value] of Object.entries(JSON.parse(item.body))) payload.append(name, value);
      payload.append("file", item.file, item.fileName || "document");
    } else {
      sent["Content-Type"] = "application/json";
    }
    const response = await fetch(item.path, { method: "POST", headers: sent, body: payload, cache: "no-store" });
    const body = await response.json().catch(() => null);
    return { status: response.status, body };
  }

  /** Bytes to show as they are (a document, the agreement's page); a problem as an error. */
  async function blob(path, accept = "*/*") {
    const response = await fetch(`/api/v1/${path}`, { headers: { ...headers, Accept: accept }, cache: "no-store" });
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    return response.blob();
  }

  return { get, send, blob, token };
}

/** Runs `work` over `items`, at most `width` at a time. */
export async function inTurn(items, width, work) {
  const queue = [...items];
  const runners = Array.from({ length: Math.min(width, queue.length) }, async () => {
    while (queue.length) await work(queue.shift());
  });
  await Promise.all(runners);
}
