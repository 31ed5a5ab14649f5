// The workbench's glue: sign-in, the views (#/, #/cases, #/cases/{id}, #/receive, #/outbox),
// every write through the outbox, the connection's state, the service worker.
import { ApiError, createApi, query } from "./api.js";
import { renderAttention } from "./attention.js";
import { renderCase } from "./case-page.js";
import { Copies, forgetAll, forgetAllBut, partiesOnly, showAsOf } from "./copies.js";
import { BUSINESS_TIME, MAX_DOCUMENT_BYTES, correctionBody, pathOf, receiveForm } from "./commands.js";
import { h, replace } from "./dom.js";
import { clearProblems, fillForm, readBody, showProblem } from "./forms.js";
import { language, preferredLanguage, setLanguage, t } from "./i18n.js";
import { listParams, renderList, renderMine } from "./lists.js";
import { Outbox } from "./outbox.js";
import { renderOutbox } from "./outbox-view.js";
import { withdrawalFormFor } from "./withdrawal.js";

const $ = (id) => document.getElementById(id);
const TOKEN = "tongjie.workbench.token";
const DASHBOARD_TOKEN = "tongjie.token"; // a supervisor coming from the dashboard, in this tab

const state = {
  api: null,
  me: null,
  outbox: null,
  reference: null,
  partiesCache: new Map(),
  answers: new Map(), // what this tab last read, to show it again without a connection
  copies: null, // a remembered mediator's copies on the device (copies.js)
  asOf: null, // when the oldest copy the view shows was read, if it shows one
  mine: { q: "", resolved: false },
  cursors: [],
  fixing: null, // an outbox item being corrected in its form
  drawing: 0,
};

// -- reads, remembered for the tab's life; a remembered mediator's also on the device ----------

/**
 * A read; without a connection, the tab's last answer or else the device's copy `copy.name`
 * (kept, shaped by `copy.shape`, when the read succeeds), noting how old it is (`state.asOf`).
 */
async function read(path, params, copy = null) {
  const url = `${path}?${new URLSearchParams(params || {})}`;
  const copies = copy ? state.copies : null;
  try {
    const body = await state.api.get(path, params);
    state.answers.set(url, { body, savedAt: Date.now() });
    await copies?.put(copy.name, copy.shape ? copy.shape(body) : body);
    return body;
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.status === 403 || error.status === 404) await copies?.drop(copy.name); // not theirs now
      throw error;
    }
    const held = state.answers.get(url) || (await copies?.get(copy.name));
    if (!held) throw error;
    state.asOf = Math.min(state.asOf ?? held.savedAt, held.savedAt);
    return held.body;
  }
}

const reader = {
  get: (path, params) => read(path, params),
};

/** Where the token is kept (the tab, or the device if asked), with what an offline start needs. */
function keeping() {
  return localStorage.getItem(TOKEN) ? localStorage : sessionStorage;
}

function kept(name) {
  try {
    return JSON.parse(keeping().getItem(`${TOKEN}.${name}`) || "null");
  } catch {
    return null;
  }
}

function keep(name, value) {
  keeping().setItem(`${TOKEN}.${name}`, JSON.stringify(value));
}

async function loadReference() {
  const me = state.me;
  const overseer = me.role === "supervisor" || me.role === "auditor";
  let categories, streets, organisations, workload;
  try {
    [categories, streets, organisations, workload] = await Promise.all([
      read("categories"),
      read("streets"),
      overseer ? read("organisations") : { items: [] },
      overseer ? read("workload") : { items: [] },
    ]);
    keep("reference", { categories, streets, organisations, workload });
  } catch (error) {
    const stored = kept("reference");
    if (error instanceof ApiError || !stored) throw error;
    ({ categories, streets, organisations, workload } = stored); // opened without a connection
  }
  state.reference = {
    categories: categories.items,
    streets: streets.items,
    organisations: organisations.items,
    workload: workload.items,
    mediatorNames: Object.fromEntries(workload.items.map((m) => [m.code, m.name])),
  };
}

// -- the views ------------------------------------------------------------------------------

function route() {
  const hash = window.location.hash || "#/";
  const [path, search = ""] = hash.slice(1).split("?");
  const match = path.match(/^\/cases\/([0-9a-f-]{36})$/i);
  if (match) return { view: "case", id: match[1], search };
  if (path === "/cases") return { view: "list", search };
  if (path === "/attention") return { view: "attention", search };
  const writer = state.me?.role === "mediator" || state.me?.role === "supervisor";
  if (path === "/receive" && writer) return { view: "receive", search };
  if (path === "/outbox" && writer) return { view: "outbox", search };
  return { view: state.me?.role === "mediator" ? "mine" : "list", search: "" };
}

function markNav(view) {
  for (const link of document.querySelectorAll("#nav a[data-view]")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function draw({ focus = true } = {}) {
  if (!state.api) return;
  const ticket = ++state.drawing;
  const where = route();
  const main = $("view");
  state.asOf = null;
  main.dataset.view = where.view;
  delete main.dataset.loaded;
  markNav(where.view === "case" ? null : where.view);
  $("role-note").hidden = !["mine", "list"].includes(where.view);
  try {
    if (where.view === "mine") await drawMine(main);
    else if (where.view === "list") await drawList(main, where.search);
    else if (where.view === "attention") await renderAttention(main, { api: reader, reference: state.reference, params: Object.fromEntries(new URLSearchParams(where.search)), me: state.me });
    else if (where.view === "receive") drawReceive(main);
    else if (where.view === "outbox") await drawOutbox(main);
    else if (where.view === "case") await drawCase(main, where.id);
  } catch (error) {
    if (ticket !== state.drawing) return;
    if (error instanceof ApiError && error.status === 401) return signOut(t("tokenInvalid"));
    const unkept = !(error instanceof ApiError) && state.me?.role === "mediator" && !localStorage.getItem(TOKEN);
    replace(main,
      h("p", { class: "error", role: "alert" }, t("loadFailed", { message: error instanceof ApiError ? error.message : t("unreachable") })),
      unkept ? h("p", { class: "hint", dataset: { noCopies: "true" } }, t("noCopiesKept")) : null,
      h("button", { type: "button", class: "link-button", onclick: () => draw() }, t("retry")),
    );
    main.dataset.loaded = "error";
    state.asOf = null;
  }
  if (ticket === state.drawing) showAsOf(main, state.asOf, () => draw());
  if (focus && ticket === state.drawing) main.querySelector("h1")?.focus();
}

/** My cases; a remembered mediator's list and parties' names are kept for an offline start. */
async function drawMine(main) {
  const mine = {
    get: (path, params) =>
      path === "cases"
        ? read(path, params, { name: `mine ${query(params)}` })
        : read(path, params, { name: `parties ${path.split("/")[1]}`, shape: partiesOnly }),
  };
  await renderMine(main, { api: mine, reference: state.reference, partiesCache: state.partiesCache, state: state.mine });
  if (!state.asOf) state.copies?.prune();
}

async function drawList(main, search) {
  const params = listParams(search);
  await renderList(main, {
    api: reader,
    reference: state.reference,
    params,
    cursors: state.cursors,
    onFilters: (chosen, cursors = []) => {
      state.cursors = cursors;
      const text = new URLSearchParams(chosen).toString();
      const next = `#/cases${text ? `?${text}` : ""}`;
      if (window.location.hash === next) draw();
      else window.location.hash = next;
    },
  });
}

function drawReceive(main) {
  const form = receiveForm(state.reference);
  replace(main, h("h1", { id: "view-title", tabindex: "-1" }, t("receiveTitle")), h("p", { class: "muted" }, t("receiveHelp")), form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, "receive", null);
  });
  if (state.fixing?.command === "receive") fix(form);
  main.dataset.loaded = "true";
}

async function drawOutbox(main) {
  renderOutbox(main, {
    items: await state.outbox.items(),
    onSend: () => state.outbox.wake(),
    onDiscard: (item) => state.outbox.discard(item.key),
    onFix: (item) => {
      state.fixing = item;
      window.location.hash = item.caseId ? `#/cases/${item.caseId}` : "#/receive";
    },
  });
}

async function drawCase(main, id) {
  const copy = (kind) => ({ name: `${kind} ${id}` }); // kept for a remembered mediator
  const [c, history] = await Promise.all([read(`cases/${id}`, null, copy("case")), read(`cases/${id}/history`, null, copy("history"))]);
  const logins = [...new Set(history.events.map((e) => e.actor?.login).filter(Boolean))];
  const mediators = [...new Set([c.mediator, ...history.events.map((e) => e.data?.mediator)].filter(Boolean))];
  const organisations = [...new Set([c.organisation, ...history.events.map((e) => e.data?.organisation)].filter(Boolean))];
  let names = { users: {}, mediators: {}, organisations: {} };
  try {
    names = await read("names", { login: logins, mediator: mediators, organisation: organisations }, copy("names"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw error;
  }
  const pending = (await state.outbox.items()).filter((item) => item.caseId === id);
  const fixing = state.fixing?.caseId === id ? state.fixing : null;
  const forms = renderCase(main, {
    me: state.me,
    c,
    events: history.events,
    names,
    reference: state.reference,
    pending,
    openCommand: fixing?.command,
    fixingKey: fixing?.key,
    dashboardLink: state.me.role !== "mediator",
    onCommand: (form, command) => submit(form, command, c),
    onOpenDocument: (theCase, document) => openInTab(`cases/${theCase.id}/documents/${document.id}`, "*/*"),
    onOpenAgreement: (theCase) => openInTab(`cases/${theCase.id}/agreement`, "text/html"),
    advise: state.me.role === "supervisor" ? () => advise(c.id) : null,
  });
  const fixed = fixing && (forms[fixing.command] || withdrawalFormFor(main, fixing));
  if (fixed) fix(fixed);
  main.dataset.loaded = "true";
  main.dataset.version = String(c.version);
}

/** The route form's advice, read fresh (never a copy: without a connection there is none):
 * the routing suggestion, every mediator's categories and absences, and the workload. */
async function advise(caseId) {
  const [suggestion, mediators, workload] = await Promise.all([
    state.api.get(`cases/${caseId}/routing-suggestion`),
    state.api.get("mediators"),
    state.api.get("workload"),
  ]);
  return { suggestion, mediators: mediators.items, workload: workload.items };
}

/**
 * Shows what the API gives as it is, in a new tab: a document's bytes, the agreement's page to
 * print. The tab is opened at the tap (a pop-up a browser lets through), then given the bytes,
 * fetched with the token (a plain link could not carry it).
 */
async function openInTab(path, accept) {
  const tab = window.open("", "_blank");
  try {
    const url = URL.createObjectURL(await state.api.blob(path, accept));
    if (tab) tab.location.href = url;
    else window.location.href = url;
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (error) {
    tab?.close();
    toast(t("openFailed", { message: error.message || String(error) }));
  }
}

/** Opens a refused outbox item in its form, with the server's problem next to its fields. */
function fix(form) {
  const item = state.fixing;
  fillForm(form, JSON.parse(item.body));
  showProblem(form, item.problem, item.status);
  form.dataset.fixing = item.key;
}

// -- writes ---------------------------------------------------------------------------------

function labelFor(command, c, body) {
  if (command === "receive") {
    return t("newCase", { parties: (body.parties || []).map((p) => p.name).filter(Boolean).join("、") || "—" });
  }
  const title = document.querySelector(`[data-section="${command}"] summary`)?.textContent || t(`form.${command}`);
  return `${title} · ${c.number}`;
}

async function submit(form, command, c) {
  clearProblems(form);
  const times = BUSINESS_TIME[command] || [];
  const now = times.length === 1 ? times : times.filter((name) => form.elements.namedItem(name));
  let body = readBody(form, { now });
  let ifMatch = null;
  if (command === "correction") {
    body = correctionBody(body, c);
    if (Object.keys(body).every((name) => name === "reason" || name === "corrected_at")) {
      showProblem(form, { detail: t("nothingChanged") }, 422);
      return;
    }
    ifMatch = `"${c.version}"`;
  }
  let upload = {};
  if (command === "document") {
    const file = form.elements.namedItem("file").files[0];
    const problem = !file ? t("fileRequired") : file.size > MAX_DOCUMENT_BYTES ? t("fileTooLarge") : null;
    if (problem) {
      showProblem(form, { errors: [{ field: "file", message: problem }] }, 422);
      return;
    }
    upload = { file, fileName: file.name }; // kept on the device with the step, sent with it
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  const replacing = form.dataset.fixing || null;
  const label = labelFor(command, c, body);
  let result;
  try {
    result = await state.outbox.enqueue({
      command,
      label,
      path: pathOf(command, c?.id),
      body,
      caseId: c?.id ?? null,
      caseNumber: c?.number ?? null,
      ifMatch,
      ...upload,
    });
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
  if (result.outcome === "refused") {
    await state.outbox.discard(result.key); // it is in the form, to be corrected there
    showProblem(form, result.body, result.status);
    return;
  }
  if (replacing) await state.outbox.discard(replacing);
  state.fixing = null;
  if (result.outcome === "stored") {
    toast(t("saved", { what: label }));
    if (command === "receive") {
      window.location.hash = `#/cases/${result.body.id}`;
      return;
    }
  } else {
    toast(t("queued", { what: label }));
    form.reset();
    if (command === "receive") {
      drawReceive($("view"));
      return;
    }
  }
  state.partiesCache.delete(c?.id);
  await draw({ focus: false });
  $("case-title")?.focus();
}

function toast(message) {
  const area = $("toast");
  area.textContent = message;
  area.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    area.hidden = true;
  }, 6000);
}

// -- the outbox's badge and the connection ----------------------------------------------------

function showCount(items) {
  const badge = $("outbox-link");
  const count = items.length;
  badge.dataset.count = String(count);
  badge.querySelector(".count").textContent = String(count);
  badge.setAttribute("aria-label", t("outboxBadge", { count }));
  badge.classList.toggle("has-items", count > 0);
  badge.classList.toggle("has-refused", items.some((item) => item.state === "refused"));
}

async function onOutboxChange(items, event) {
  if (event?.type === "unauthorised") {
    toast(t("signInAgain"));
    return;
  }
  if (items) showCount(items);
  const view = $("view").dataset.view;
  if (view === "outbox" && items) await drawOutbox($("view"));
  if (view === "case" && ["stored", "refused"].includes(event?.type) && !event.awaited) {
    // A step sent from the outbox: show the case as the server now has it.
    if (event.item.caseId && window.location.hash.includes(event.item.caseId) && !document.activeElement?.closest("form")) draw({ focus: false });
  }
}

function showConnection() {
  $("connection").hidden = navigator.onLine;
}

// -- signing in and out ---------------------------------------------------------------------

function storedToken() {
  const own = sessionStorage.getItem(TOKEN) || localStorage.getItem(TOKEN);
  if (own) return own;
  const theirs = sessionStorage.getItem(DASHBOARD_TOKEN);
  if (theirs) sessionStorage.setItem(TOKEN, theirs);
  return theirs;
}

async function start(token) {
  const api = createApi(token);
  let me;
  try {
    me = await api.get("me");
    keep("me", me);
  } catch (error) {
    me = kept("me");
    if (error instanceof ApiError || !me) throw error; // opened without a connection: as last time
  }
  if (me.role === "admin") throw new ApiError(403, { detail: t("roleForbidden") });
  // The dashboard (same tab, same origin) signs in with the same token: no second sign-in.
  if (me.role === "supervisor" || me.role === "auditor") sessionStorage.setItem(DASHBOARD_TOKEN, token);
  state.api = api;
  state.me = me;
  startCopies(token, me);
  state.outbox?.stop();
  state.outbox = new Outbox(me.login, api);
  state.outbox.onChange(onOutboxChange);
  await loadReference();
  $("sign-in").hidden = true;
  $("app").hidden = false;
  $("user").textContent = `${me.name || me.login} · ${t(`role.${me.role}`)}`;
  $("role-note").textContent = t(`can.${me.role}`);
  document.body.dataset.role = me.role;
  for (const link of document.querySelectorAll("#nav [data-roles]")) link.hidden = !link.dataset.roles.split(" ").includes(me.role);
  showCount(await state.outbox.items());
  await draw();
  state.outbox.wake();
}

/**
 * Copies on the device only for a mediator remembered on it, and only theirs: any other user's
 * are forgotten now (the token in use decides, each time a copy is kept or read).
 */
function startCopies(token, me) {
  const remembered = () => localStorage.getItem(TOKEN) === token;
  const keeping = me.role === "mediator" && remembered();
  forgetAllBut(keeping ? me.login : null);
  state.copies = me.role === "mediator" ? new Copies(me.login, () => remembered()) : null;
}

function signOut(message = "") {
  for (const storage of [sessionStorage, localStorage]) {
    for (const name of [TOKEN, `${TOKEN}.me`, `${TOKEN}.reference`, DASHBOARD_TOKEN]) storage.removeItem(name);
  }
  state.outbox?.stop();
  forgetAll(); // what was read is forgotten with the token: the next user sees none of it
  Object.assign(state, { api: null, me: null, outbox: null, copies: null, reference: null, fixing: null, cursors: [] });
  state.answers.clear();
  state.partiesCache.clear();
  $("view").replaceChildren();
  $("app").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message;
  $("token").focus();
}

function signInMessage(error) {
  if (error instanceof ApiError && error.status === 401) return t("tokenInvalid");
  if (error instanceof ApiError && error.status === 403) return t("roleForbidden");
  if (error instanceof ApiError) return t("unavailable", { status: error.status });
  return t("unreachable");
}

function wireSignIn() {
  const form = $("sign-in-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("token");
    const token = input.value.trim();
    if (!token) return;
    $("sign-in-error").textContent = "";
    form.setAttribute("aria-busy", "true");
    const storage = $("remember").checked ? localStorage : sessionStorage;
    storage.setItem(TOKEN, token);
    try {
      await start(token);
    } catch (error) {
      storage.removeItem(TOKEN);
      $("sign-in-error").textContent = signInMessage(error);
      input.setAttribute("aria-invalid", "true");
      input.select();
      return;
    } finally {
      form.removeAttribute("aria-busy");
    }
    input.value = "";
    input.removeAttribute("aria-invalid");

  });
}

function showLanguageButton() {
  const button = $("language");
  button.textContent = t("switchTo");
  button.lang = language() === "zh" ? "en" : "zh-Hans";
  button.setAttribute("aria-label", t("switchToLabel"));
}

function wire() {
  wireSignIn();
  $("sign-out").addEventListener("click", () => signOut());
  $("language").addEventListener("click", async () => {
    setLanguage(language() === "zh" ? "en" : "zh", true);
    showLanguageButton();
    if (state.me) {
      $("user").textContent = `${state.me.name || state.me.login} · ${t(`role.${state.me.role}`)}`;
      $("role-note").textContent = t(`can.${state.me.role}`);
      showCount(await state.outbox.items());
      draw({ focus: false });
    }
  });
  window.addEventListener("hashchange", () => {
    if (!window.location.hash.startsWith("#/cases?") && window.location.hash !== "#/cases") state.cursors = [];
    draw();
  });
  window.addEventListener("online", () => {
    showConnection();
    state.outbox?.wake();
    if (state.asOf) draw({ focus: false }); // a copy on the screen: show the server's answer
  });
  window.addEventListener("offline", showConnection);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && navigator.onLine) state.outbox?.wake();
  });
}

async function boot() {
  setLanguage(preferredLanguage());
  showLanguageButton();
  showConnection();
  wire();
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/workbench/sw.js", { scope: "/workbench" }).catch(() => {});
  }
  const token = storedToken();
  if (!token) {
    $("sign-in").hidden = false;
    return;
  }
  try {
    await start(token);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signOut(t("tokenInvalid"));
    else {
      $("sign-in").hidden = false;
      $("sign-in-error").textContent = signInMessage(error);
    }
  }
}

boot();
