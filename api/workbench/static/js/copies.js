// Copies of what a mediator last read, kept on the device (IndexedDB) so that the workbench
// opened without a connection shows My cases and the case pages opened, as of when they were
// read, instead of an error.
//
// Kept only for a mediator who asked to be remembered on this device ("Remember me"), the same
// rule as the token's: a device used by several people keeps nothing of the cases. Each copy is
// keyed by the user's login and never shown to another; signing out forgets every copy, and
// signing in forgets any other user's. What is kept: My cases (the board's rows, and the
// parties' names and roles for the list), and for each case page opened its state, history and
// the names it shows; at most MAX_CASES case pages, none older than MAX_AGE_DAYS.
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

const DB = "tongjie-workbench-copies";
const STORE = "copies";
const MAX_CASES = 50;
const MAX_PARTIES = 500;
const MAX_LISTS = 10;
const MAX_AGE_DAYS = 30;
const DAY = 86400000;

let dbPromise = null;

function database() {
  dbPromise ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "id" });
      store.createIndex("login", "login");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).catch((error) => {
    dbPromise = null; // e.g. a private window that refuses IndexedDB: keep nothing, try later
    throw error;
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

/** Deletes the copies (of any user) that `doomed` picks. */
async function forget(doomed) {
  try {
    await transact("readwrite", (store) => {
      const cursor = store.openCursor();
      cursor.onsuccess = () => {
        const row = cursor.result;
        if (!row) return;
        if (doomed(row.value)) row.delete();
        row.continue();
      };
    });
  } catch {
    // nothing kept, or the device refuses: nothing to forget
  }
}

/** Signing out: every copy of every user goes. */
export function forgetAll() {
  return forget(() => true);
}

/** Signing in: only `login`'s copies may stay (none when `login` is null). */
export function forgetAllBut(login) {
  return forget((row) => row.login !== login);
}

/** A copy's kind and case: "case <id>", "history <id>", "names <id>", "parties <id>", "mine <query>". */
function kindOf(name) {
  return name.slice(0, name.indexOf(" "));
}

export class Copies {
  /** `keeping()` says, each time, whether this user's copies may be kept now. */
  constructor(login, keeping) {
    this.login = login;
    this.keeping = keeping;
  }

  id(name) {
    return `${this.login}\n${name}`;
  }

  /** Keeps `body` as `name`'s copy, as of now; a device that refuses keeps nothing. */
  async put(name, body) {
    if (!this.keeping()) return;
    try {
      await transact("readwrite", (store) => store.put({ id: this.id(name), login: this.login, name, body, savedAt: Date.now() }));
    } catch {
      // quota, private window: the app works as without copies
    }
  }

  /** `{body, savedAt}` of `name`'s copy, or null (none, too old, or not to be kept). */
  async get(name) {
    if (!this.keeping()) return null;
    try {
      const row = await transact("readonly", (store) => store.get(this.id(name)));
      if (!row || row.login !== this.login || Date.now() - row.savedAt > MAX_AGE_DAYS * DAY) return null;
      return { body: row.body, savedAt: row.savedAt };
    } catch {
      return null;
    }
  }

  /** Forgets `name`'s copy (a case the user may no longer read). */
  async drop(name) {
    try {
      await transact("readwrite", (store) => store.delete(this.id(name)));
    } catch {
      // nothing kept
    }
  }

  /** Forgets a case's copies: its page, history, names and its parties' names. */
  dropCase(caseId) {
    return Promise.all(["case", "history", "names", "parties"].map((kind) => this.drop(`${kind} ${caseId}`)));
  }

  /** Keeps the most recent copies only: MAX_CASES case pages, none older than MAX_AGE_DAYS. */
  async prune() {
    let rows;
    try {
      rows = await transact("readonly", (store) => store.index("login").getAll(this.login));
    } catch {
      return;
    }
    const limits = { case: MAX_CASES, history: MAX_CASES, names: MAX_CASES, parties: MAX_PARTIES, mine: MAX_LISTS };
    const seen = {};
    const oldest = Date.now() - MAX_AGE_DAYS * DAY;
    const doomed = new Set();
    for (const row of rows.sort((a, b) => b.savedAt - a.savedAt)) {
      const kind = kindOf(row.name);
      seen[kind] = (seen[kind] || 0) + 1;
      if (row.savedAt < oldest || seen[kind] > (limits[kind] ?? 0)) doomed.add(row.id);
    }
    if (doomed.size) await forget((row) => doomed.has(row.id));
  }
}

/** A case's parties as My cases shows them: names and roles, nothing else of the case. */
export function partiesOnly(c) {
  return { parties: (c.parties || []).map(({ role, name }) => ({ role, name })) };
}

function clock(at) {
  const date = new Date(at);
  const pad = (n) => String(n).padStart(2, "0");
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (date.toDateString() === new Date().toDateString()) return time;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

/**
 * Above the view: "offline — as of HH:MM" when what it shows came from a copy (this device's,
 * or the tab's memory) because the server could not be reached; hidden otherwise.
 */
export function showAsOf(view, savedAt, onRetry) {
  let note = document.getElementById("as-of");
  if (!note) {
    note = h("div", { id: "as-of", class: "as-of", role: "status" });
    view.before(note);
  }
  if (!savedAt) {
    note.hidden = true;
    note.replaceChildren();
    delete note.dataset.asOf;
    return;
  }
  note.dataset.asOf = new Date(savedAt).toISOString();
  replace(note,
    h("p", {}, t(navigator.onLine ? "asOfUnreachable" : "asOfOffline", { time: clock(savedAt) })),
    h("button", { type: "button", class: "link-button", onclick: onRetry }, t("retry")),
  );
  note.hidden = false;
}
