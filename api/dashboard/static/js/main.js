// The dashboard's glue: sign-in, routing (#/cases/{id}), filters in the URL, live refreshes.
import { ApiError, createApi, itemsOf } from "./api.js";
import { renderCase } from "./case-page.js";
import { formFilters, limitDates, showFilters } from "./controls.js";
import { setDisplay } from "./display.js";
import { filtersQuery, periodProblem, readFilters } from "./filters.js";
import { clock, count } from "./format.js";
import { setConnection, showFreshness } from "./freshness.js";
import { language, preferredLanguage, setLanguage, t } from "./i18n.js";
import { loadOverview } from "./overview.js";
import { forget, storedToken, wireSignIn } from "./session.js";
import { follow } from "./stream.js";
import { markScrolls } from "./tables.js";

const $ = (id) => document.getElementById(id);
const ANNOUNCE_EVERY_MS = 15000;
const MIN_GAP_MS = 250;
const CLOCK_REFRESH_MS = 60000;

const state = {
  api: null,
  stopStream: null,
  names: { streets: [], organisations: new Map(), mediators: new Map() },
  filters: readFilters(),
  refreshing: false,
  again: null,
  lastAnnounced: 0,
  caseShown: null,
  connection: "",
  position: null,
  role: null,
};

function caseId() {
  const match = window.location.hash.match(/^#\/cases\/([^/]+)$/);
  return match ? decodeURIComponent(match[1]) : null;
}

async function loadNames() {
  const [streets, organisations, mediators, display, me] = await Promise.allSettled([
    state.api.get("streets"),
    state.api.get("organisations"),
    state.api.get("mediators"),
    state.api.get("display"),
    state.api.get("me"),
  ]);
  state.role = me.status === "fulfilled" ? me.value.body.role : null;
  if (display.status === "fulfilled") setDisplay(display.value.body);
  const list = (answer) => (answer.status === "fulfilled" ? itemsOf(answer.value.body) : []);
  state.names.streets = list(streets).map((s) => (typeof s === "string" ? s : s.name));
  state.names.organisations = new Map(list(organisations).map((o) => [o.code, o]));
  state.names.mediators = new Map(list(mediators).map((m) => [m.code, m]));
}

function announce(summary, live) {
  const now = Date.now();
  if (!live || !summary || now - state.lastAnnounced < ANNOUNCE_EVERY_MS) return;
  state.lastAnnounced = now;
  $("announcer").textContent =
    `${t("updated")}: ${t("figure.received")} ${count(summary.received)}, ` +
    `${t("figure.resolved")} ${count(summary.resolved)}, ${t("figure.overdue")} ${count(summary.overdue)}`;
}

async function draw(minPosition, live) {
  const id = caseId();
  $("overview").hidden = Boolean(id);
  $("case-page").hidden = !id;
  if (id) {
    const focus = state.caseShown !== id;
    state.caseShown = id;
    await renderCase($("case-page"), {
      api: state.api, id, names: state.names, backHref: `${filtersQuery(state.filters) || "?"}#/`, focus,
    });
    state.position = null; // a case is read from the store itself, not from a view
    $("freshness").textContent = t("caseFresh", { time: clock() });
    return;
  }
  const returning = state.caseShown !== null;
  state.caseShown = null;
  const result = await loadOverview({
    api: state.api, filters: state.filters, names: state.names, minPosition, role: state.role,
    onIssued: (position) => refresh(position),
  });
  state.position = result.position;
  showFreshness($("freshness"), result);
  announce(result.summary, live);
  if (returning) $("main").focus();
}

/**
 * One refresh at a time, at most one every MIN_GAP_MS: requests made meanwhile are folded into
 * one that runs after it, with the newest position.
 */
async function refresh(minPosition = null, live = false) {
  if (state.refreshing) {
    state.again = { minPosition: Math.max(minPosition ?? 0, state.again?.minPosition ?? 0) || null, live };
    return;
  }
  state.refreshing = true;
  const started = Date.now();
  try {
    await draw(minPosition, live);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signOut();
    else console.error(error);
  } finally {
    markScrolls();
    document.body.dataset.refreshed = String(Date.now());
    const next = state.again;
    state.again = null;
    if (next && state.api) {
      // Stay "refreshing" through the pause, so that updates keep folding into `next`.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + MIN_GAP_MS - Date.now())));
      state.refreshing = false;
      const latest = state.again ?? next;
      state.again = null;
      refresh(Math.max(next.minPosition ?? 0, latest.minPosition ?? 0) || null, latest.live || next.live);
    } else {
      state.refreshing = false;
    }
  }
}

/** Overdue and due-soon move with the clock, with no event to announce it: look again now and then. */
function tick() {
  if (state.api && !document.hidden && !state.refreshing) refresh();
}

function onStreamEvent(event) {
  if (event.type !== "update") return;
  let position = null;
  try {
    position = JSON.parse(event.data).position ?? null;
  } catch {
    position = null;
  }
  // The stream's first event says where the views are: nothing new if the page has it already.
  if (position !== null && state.position !== null && position <= state.position) return;
  refresh(position, true);
}

function onStreamState(connection, status) {
  const wasDown = state.connection === "reconnecting";
  state.connection = connection;
  setConnection(connection);
  if (connection === "denied" && status === 401) signOut();
  else if (connection === "live" && wasDown) refresh(); // catch up on what the gap missed
  else if (connection === "reconnecting") {
    showFreshness($("freshness"), { projections: null, position: state.position });
  }
}

async function start(token) {
  state.api = createApi(token);
  $("sign-in").hidden = true;
  $("sign-out").hidden = false;
  await loadNames();
  showFilters($("filters"), state.filters, state.names);
  await refresh();
  state.stopStream = follow(token, { onEvent: onStreamEvent, onState: onStreamState });
}

function signOut() {
  forget();
  state.stopStream?.();
  state.stopStream = null;
  state.api = null;
  state.position = null;
  for (const id of ["figures", "attention", "by-category", "by-street", "trend", "workload", "overdue-list", "escalated-list", "reports", "case-page"]) {
    $(id).replaceChildren();
  }
  $("overview").hidden = true;
  $("case-page").hidden = true;
  $("sign-out").hidden = true;
  $("freshness").textContent = "";
  $("sign-in").hidden = false;
  $("token").focus();
}

function applyFilters(filters, push = true) {
  state.filters = filters;
  $("filters-error").textContent = "";
  if (push) {
    const url = `${window.location.pathname}${filtersQuery(filters)}${window.location.hash}`;
    window.history.pushState(null, "", url);
  }
  showFilters($("filters"), filters, state.names);
  refresh();
}

function showLanguageButton() {
  const button = $("language");
  button.textContent = t("switchTo");
  button.lang = language() === "zh" ? "en" : "zh-Hans";
  button.setAttribute("aria-label", t("switchToLabel"));
}

function wire() {
  wireSignIn($("sign-in-form"), start);
  $("sign-out").addEventListener("click", signOut);
  $("language").addEventListener("click", () => {
    setLanguage(language() === "zh" ? "en" : "zh", true);
    showLanguageButton();
    if (state.api) {
      showFilters($("filters"), state.filters, state.names);
      refresh();
    }
  });
  $("filters").addEventListener("change", () => {
    const form = $("filters");
    const filters = formFilters(form);
    const problem = periodProblem(filters);
    limitDates(form);
    $("filters-error").textContent = problem ? t(problem) : "";
    for (const name of ["from", "to"]) form.elements[name].toggleAttribute("aria-invalid", Boolean(problem));
    if (!problem) applyFilters(filters);
  });
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  $("reset-filters").addEventListener("click", () => applyFilters(readFilters("")));
  window.addEventListener("popstate", () => {
    const filters = readFilters();
    if (filtersQuery(filters) !== filtersQuery(state.filters)) applyFilters(filters, false);
  });
  window.addEventListener("hashchange", () => state.api && refresh());
}

setLanguage(preferredLanguage());
showLanguageButton();
wire();
setInterval(tick, CLOCK_REFRESH_MS);
window.addEventListener("resize", () => markScrolls());
const token = storedToken();
if (token) start(token);
else {
  $("sign-in").hidden = false;
}
