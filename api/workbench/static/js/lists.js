// Lists of cases: a mediator's own (what needs doing first on top, searchable by number or
// party name), and the board with filters, sorting and paging for supervisors and auditors.
import { inTurn } from "./api.js";
import { label } from "./commands.js";
import { h, replace } from "./dom.js";
import { colon, language, t, term } from "./i18n.js";
import { dateOnly, dueWords, isOverdue, wholeDays } from "./time.js";

const PAGE = 20;
const ALL = 500;
const RAISED = new Set(["red", "orange"]);
export const SORTS = ["-received_at", "received_at", "due_at", "-days_open", "-overdue_days"];

function categoryText(reference, code, sub) {
  const category = reference.categories.find((c) => c.code === code);
  const subcategory = category?.subcategories.find((s) => s.code === sub);
  const main = category ? label(category) : term("category", code);
  return subcategory ? `${main} · ${label(subcategory)}` : main;
}

/** What needs doing first: overdue (most overdue on top), red/orange risk, then the deadline. */
export function urgency(row) {
  const overdue = row.status !== "resolved" && isOverdue(row.due_at);
  const due = row.due_at ? new Date(row.due_at).getTime() : Number.POSITIVE_INFINITY;
  return [overdue ? 0 : RAISED.has(row.risk_level) ? 1 : 2, due];
}

function byUrgency(a, b) {
  const [x, y] = [urgency(a), urgency(b)];
  return x[0] - y[0] || (x[1] === y[1] ? 0 : x[1] - y[1]) || a.number.localeCompare(b.number);
}

/** One case as a list item: a link to its page carrying data-case-id. */
function caseRow(row, reference, parties) {
  const overdue = row.status !== "resolved" && isOverdue(row.due_at);
  const names = parties?.map((p) => p.name).join(language() === "zh" ? "、" : ", ");
  return h(
    "li",
    {},
    h(
      "a",
      { href: `#/cases/${row.id}`, class: `case-row${overdue ? " is-overdue" : ""}`, dataset: { caseId: row.id } },
      h("span", { class: "row-top" }, h("strong", { class: "number" }, row.number), h("span", { class: `badge status-${row.status}` }, term("status", row.status))),
      h("span", { class: "row-category" }, h("span", {}, categoryText(reference, row.category, row.subcategory))),
      h("span", { class: "row-parties" }, names ?? t("partiesLoading")),
      h(
        "span",
        { class: "row-meta" },
        h("span", {}, t("daysOpen", { days: wholeDays(row.days_open) })),
        row.status === "resolved" ? h("span", {}, term("outcome", row.outcome)) : h("span", { class: overdue ? "overdue" : "" }, dueWords(row.due_at)),
        RAISED.has(row.risk_level) && row.status !== "resolved" ? h("span", { class: `badge risk-${row.risk_level}` }, `${t("risk")}${colon()}${term("level", row.risk_level)}`) : null,
      ),
    ),
  );
}

async function allPages(api, params) {
  const rows = [];
  let cursor = null;
  do {
    const page = await api.get("cases", { ...params, limit: ALL, cursor });
    rows.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

/** A mediator's cases; parties' names come from each case (the board keeps no names). */
export async function renderMine(container, { api, reference, partiesCache, state }) {
  const search = h("input", { type: "search", id: "mine-search", name: "q", placeholder: t("search"), value: state.q || "", autocomplete: "off" });
  const resolvedToggle = h("input", { type: "checkbox", id: "mine-resolved", checked: Boolean(state.resolved) });
  const list = h("ul", { class: "case-list", "aria-live": "polite", "aria-busy": "true" });
  const counter = h("p", { class: "muted count" }, t("loading"));
  replace(container,
    h("h1", { id: "view-title", tabindex: "-1" }, t("mineTitle")),
    h("p", { class: "muted" }, t("mineHelp")),
    h(
      "form",
      { class: "search", role: "search", onsubmit: (e) => e.preventDefault() },
      h("label", { for: "mine-search", class: "visually-hidden" }, t("searchLabel")),
      search,
      h("div", { class: "field check" }, resolvedToggle, h("label", { for: "mine-resolved" }, t("showResolved"))),
    ),
    counter,
    list,
  );
  const rows = (await allPages(api, state.resolved ? { open: false, sort: "-received_at" } : { open: true, sort: "due_at" })).sort(
    state.resolved ? () => 0 : byUrgency,
  );
  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const shown = rows.filter((row) => {
      if (!q) return true;
      const parties = partiesCache.get(row.id) || [];
      return row.number.toLowerCase().includes(q) || parties.some((p) => p.name.toLowerCase().includes(q)) || (row.summary || "").toLowerCase().includes(q);
    });
    replace(list, ...shown.map((row) => caseRow(row, reference, partiesCache.get(row.id))));
    counter.textContent = rows.length === 0 ? t("noCases") : shown.length === 0 ? t("noMatch") : t("count", { count: shown.length });
  };
  draw();
  search.addEventListener("input", () => {
    state.q = search.value;
    draw();
  });
  resolvedToggle.addEventListener("change", () => {
    state.resolved = resolvedToggle.checked;
    renderMine(container, { api, reference, partiesCache, state }).catch((error) => {
      // e.g. offline, and this list never read on this device: say so rather than load for ever
      container.querySelector(".count").textContent = t("loadFailed", { message: error.status ? error.message : t("unreachable") });
      container.dataset.loaded = "error";
    });
  });
  const missing = rows.filter((row) => !partiesCache.has(row.id));
  await inTurn(missing, 4, async (row) => {
    try {
      const found = await api.get(`cases/${row.id}`);
      partiesCache.set(row.id, found.parties);
    } catch {
      partiesCache.set(row.id, []);
    }
  });
  if (missing.length) draw();
  list.setAttribute("aria-busy", "false");
  container.dataset.loaded = "true";
}

/** The filters of the case list, as they stand in the address (#/cases?street=...). */
export function listParams(search) {
  const params = new URLSearchParams(search);
  const pick = {};
  for (const name of [...FORM_FILTERS, ...EXTRA_FILTERS]) {
    if (params.get(name)) pick[name] = params.get(name);
  }
  return pick;
}

const FORM_FILTERS = ["status", "category", "street", "organisation", "mediator", "sort", "q", "party", "overdue", "open", "repeat_party"];
/** Filters the form has no field for, which a link (the dashboard's counts) may set: kept
 * while the form changes the others, shown in words above the list. */
export const EXTRA_FILTERS = [
  "channel", "subcategory", "outcome", "risk_level", "routed", "due_soon", "escalated",
  "received_from", "received_to", "resolved_from", "resolved_to",
];

/** The extra filters in words, e.g. "受理 2026-01-01 至 2026-09-30" (`to` is exclusive). */
function extraWords(params, reference) {
  const words = [];
  const last = (iso) => {
    const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
  };
  for (const kind of ["received", "resolved"]) {
    const from = params[`${kind}_from`];
    const to = params[`${kind}_to`];
    if (from || to) words.push(t(`${kind}Between`, { from: from ? from.slice(0, 10) : "…", to: to ? last(to) : "…" }));
  }
  if (params.outcome) words.push(term("outcome", params.outcome));
  if (params.channel) words.push(term("channel", params.channel));
  if (params.subcategory) {
    const sub = reference.categories.flatMap((c) => c.subcategories).find((x) => x.code === params.subcategory);
    words.push(`${t("subcategory")}${colon()}${sub ? label(sub) : params.subcategory}`);
  }
  if (params.risk_level) words.push(`${t("risk")}${colon()}${term("level", params.risk_level)}`);
  if (params.routed) words.push(t(params.routed === "true" ? "routedOnly" : "notRoutedOnly"));
  if (params.due_soon === "true") words.push(t("dueSoonOnly"));
  if (params.escalated === "true") words.push(t("escalatedOnly"));
  return words;
}

function select(name, labelText, options, value) {
  const id = `list-${name}`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, labelText),
    h("select", { id, name }, options.map(([code, text]) => h("option", { value: code, selected: code === (value || "") }, text))),
  );
}

/** The board as a list: filters in the address, `sort`, pages through the cursor. */
export async function renderList(container, { api, reference, params, cursors, onFilters }) {
  const any = ["", t("any")];
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-labelledby": "filters-title" },
    h("h2", { id: "filters-title", class: "visually-hidden" }, t("filters")),
    select("status", t("status"), [any, ...["received", "routed", "in_mediation", "resolved"].map((s) => [s, term("status", s)])], params.status),
    select("category", t("category"), [any, ...reference.categories.map((c) => [c.code, label(c)])], params.category),
    select("street", t("street"), [any, ...reference.streets.map((s) => [s, s])], params.street),
    select("organisation", t("organisation"), [any, ...reference.organisations.map((o) => [o.code, o.name])], params.organisation),
    select("mediator", t("mediator"), [any, ...reference.workload.map((m) => [m.code, m.name])], params.mediator),
    select("sort", t("sort"), SORTS.map((s) => [s, t(`sort.${s}`)]), params.sort || "-received_at"),
    h("div", { class: "field" }, h("label", { for: "list-q" }, t("searchBoard")), h("input", { id: "list-q", name: "q", type: "search", value: params.q || "" })),
    h("div", { class: "field" }, h("label", { for: "list-party" }, t("searchParty")), h("input", { id: "list-party", name: "party", type: "search", value: params.party || "", autocomplete: "off" })),
    h("div", { class: "field check" }, h("input", { id: "list-overdue", name: "overdue", type: "checkbox", value: "true", checked: params.overdue === "true" }), h("label", { for: "list-overdue" }, t("overdueOnly"))),
    h("div", { class: "field check" }, h("input", { id: "list-open", name: "open", type: "checkbox", value: "true", checked: params.open === "true" }), h("label", { for: "list-open" }, t("openOnly"))),
    h("div", { class: "field check" }, h("input", { id: "list-repeat", name: "repeat_party", type: "checkbox", value: "true", checked: params.repeat_party === "true" }), h("label", { for: "list-repeat" }, t("repeatOnly"))),
    h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, t("apply")), h("a", { href: "#/cases", class: "link-button" }, t("reset"))),
  );
  const extra = Object.fromEntries(EXTRA_FILTERS.filter((name) => params[name]).map((name) => [name, params[name]]));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = { ...extra };
    for (const [name, value] of new FormData(form)) if (value) chosen[name] = value;
    if (chosen.sort === "-received_at") delete chosen.sort;
    onFilters(chosen);
  });
  const described = extraWords(params, reference);
  const withoutExtra = () => {
    const kept = { ...params };
    for (const name of EXTRA_FILTERS) delete kept[name];
    onFilters(kept);
  };
  const extraNote = described.length
    ? h("p", { class: "extra-filters", dataset: { extra: "true" } },
        `${t("alsoFiltered")}${described.join("；")} `,
        h("button", { type: "button", class: "link-button", onclick: withoutExtra }, t("dropExtra")))
    : null;
  const total = h("p", { class: "muted count", "aria-live": "polite" }, t("loading"));
  const table = h("ul", { class: "case-list", "aria-busy": "true" });
  const pager = h("nav", { class: "pager", "aria-label": t("page", { page: cursors.length + 1 }) });
  replace(container,
    h("h1", { id: "view-title", tabindex: "-1" }, t("listTitle")),
    h("details", { class: "filters-box", open: window.matchMedia("(min-width: 900px)").matches }, h("summary", {}, t("filters")), form),
    extraNote,
    total,
    table,
    pager,
  );
  const cursor = cursors.at(-1) || null;
  const page = await api.get("cases", { ...params, limit: PAGE, cursor, count: "true" });
  total.textContent = t("count", { count: page.total ?? page.items.length });
  total.dataset.total = String(page.total ?? "");
  replace(table, ...page.items.map((row) => caseRow(row, reference, null, true)));
  for (const item of table.querySelectorAll(".row-parties")) item.remove();
  for (const [row, item] of page.items.map((r, i) => [r, table.children[i]])) {
    const where = [row.street, row.mediator ? reference.mediatorNames[row.mediator] || row.mediator : null, dateOnly(row.received_at)];
    item.querySelector(".row-category").append(...where.filter(Boolean).map((text) => h("span", {}, text)));
  }
  if (page.items.length === 0) replace(table, h("li", { class: "muted" }, t("noCases")));
  table.setAttribute("aria-busy", "false");
  replace(pager,
    cursors.length ? h("button", { type: "button", class: "link-button", dataset: { page: "previous" }, onclick: () => onFilters(params, cursors.slice(0, -1)) }, t("previous")) : null,
    h("span", { class: "muted" }, t("page", { page: cursors.length + 1 })),
    page.next_cursor ? h("button", { type: "button", class: "link-button", dataset: { page: "next" }, onclick: () => onFilters(params, [...cursors, page.next_cursor]) }, t("next")) : null,
  );
  container.dataset.loaded = "true";
}
