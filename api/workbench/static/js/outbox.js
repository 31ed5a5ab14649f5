// The outbox: every write is kept on the device (IndexedDB) before it is sent, with the
// Idempotency-Key it was given when entered, and sent until the server has it.
//
// An answer 2xx: stored, the item goes. 409, 412, 422 (and any other refusal a retry cannot
// change: 400, 403, 404, 413): the item stays, refused, with the server's problem, until it is
// corrected (a new item with a new key) or discarded. No answer at all, 5xx, 429: it stays
// waiting and is sent again later with the same key and the same body, so the server stores
// it once however often it arrives. 401: it waits for the user to sign in again.

const DB = "tongjie-workbench";
const STORE = "outbox";
const RETRY_MS = [2000, 5000, 15000, 30000, 60000];
const REFUSALS = new Set([400, 403, 404, 409, 412, 413, 422]);

let dbPromise = null;

function database() {
  dbPromise ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "key" });
      store.createIndex("owner", "owner");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return dbPromise;
}

async function transact(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result ?? result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** A random UUID, also where crypto.randomUUID is missing (a page not served over HTTPS). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class Outbox {
  constructor(owner, api) {
    this.owner = owner;
    this.api = api;
    this.listeners = new Set();
    this.waiters = new Map(); // key -> resolve, for the form that waits for its own item
    this.flushing = null;
    this.again = false;
    this.timer = null;
    this.failures = 0;
    this.stopped = false;
  }

  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async changed(event) {
    const items = await this.items();
    for (const listener of this.listeners) listener(items, event);
  }

  async items() {
    const all = await transact("readonly", (store) => store.index("owner").getAll(this.owner));
    return all.sort((a, b) => a.seq - b.seq);
  }

  async get(key) {
    return transact("readonly", (store) => store.get(key));
  }

  /**
   * Keeps a write, then tries to send it. `entry`: {command, label, path, body (an object),
   * caseId?, caseNumber?, ifMatch?}. Resolves with the outcome of the first try:
   * {outcome: "stored"|"refused"|"waiting", status?, body?, key}.
   */
  async enqueue(entry) {
    const item = {
      ...entry,
      key: newKey(),
      owner: this.owner,
      body: JSON.stringify(entry.body),
      seq: Date.now() + Math.random(),
      enteredAt: new Date().toISOString(),
      state: "pending",
      tries: 0,
      status: null,
      problem: null,
      lastError: null,
    };
    await transact("readwrite", (store) => store.add(item));
    await this.changed({ type: "added", item });
    const outcome = new Promise((resolve) => this.waiters.set(item.key, resolve));
    if (navigator.onLine) this.flush();
    else this.settle(item.key, { outcome: "waiting" });
    return outcome;
  }

  settle(key, result) {
    const resolve = this.waiters.get(key);
    if (resolve) {
      this.waiters.delete(key);
      resolve({ key, ...result });
    }
  }

  async discard(key) {
    await transact("readwrite", (store) => store.delete(key));
    await this.changed({ type: "discarded", key });
  }

  async update(item) {
    await transact("readwrite", (store) => store.put(item));
  }

  /** Sends every waiting item in the order entered; one flush at a time (and one tab at a time). */
  flush() {
    if (this.stopped) return Promise.resolve();
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.sendAll();
      } while (this.again && !this.stopped);
    };
    const locked = navigator.locks ? () => navigator.locks.request(`${DB}-${this.owner}`, run) : run;
    this.flushing = locked().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  async sendAll() {
    clearTimeout(this.timer);
    for (const item of await this.items()) {
      if (this.stopped) return;
      if (item.state === "refused") continue;
      const fresh = await this.get(item.key); // another tab may have sent it meanwhile
      if (!fresh || fresh.state === "refused") continue;
      const result = await this.sendOne(fresh);
      if (result === "unreachable" || result === "unauthorised") {
        // Later items wait too: they were entered after this one.
        for (const other of await this.items()) {
          if (other.state === "pending" && other.key !== item.key) this.settle(other.key, { outcome: "waiting" });
        }
        if (result === "unreachable") this.scheduleRetry();
        return;
      }
    }
    this.failures = 0;
  }

  async sendOne(item) {
    item.state = "sending";
    item.tries += 1;
    await this.update(item);
    await this.changed({ type: "sending", item });
    let answer;
    try {
      answer = await this.api.send(item);
    } catch (error) {
      item.state = "pending";
      item.lastError = navigator.onLine ? String(error.message || error) : "offline";
      await this.update(item);
      await this.changed({ type: "waiting", item });
      this.settle(item.key, { outcome: "waiting" });
      return "unreachable";
    }
    if (answer.status >= 200 && answer.status < 300) {
      await transact("readwrite", (store) => store.delete(item.key));
      await this.changed({ type: "stored", item, answer, awaited: this.waiters.has(item.key) });
      this.settle(item.key, { outcome: "stored", status: answer.status, body: answer.body });
      return "stored";
    }
    if (REFUSALS.has(answer.status)) {
      item.state = "refused";
      item.status = answer.status;
      item.problem = answer.body;
      await this.update(item);
      await this.changed({ type: "refused", item, awaited: this.waiters.has(item.key) });
      this.settle(item.key, { outcome: "refused", status: answer.status, body: answer.body });
      return "refused";
    }
    item.state = "pending";
    item.status = answer.status;
    item.lastError = answer.body?.detail || answer.body?.title || `HTTP ${answer.status}`;
    await this.update(item);
    await this.changed({ type: "waiting", item });
    this.settle(item.key, { outcome: "waiting", status: answer.status });
    if (answer.status === 401) {
      for (const listener of this.listeners) listener(null, { type: "unauthorised" });
      return "unauthorised";
    }
    return "unreachable";
  }

  scheduleRetry() {
    if (this.stopped) return;
    const delay = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
    this.failures += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (navigator.onLine) this.flush();
    }, delay);
  }

  /** The connection is back (or the page became visible): send now, from the first delay. */
  wake() {
    this.failures = 0;
    return this.flush();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
