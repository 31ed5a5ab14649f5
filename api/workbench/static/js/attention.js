// 需要关注 / Needs attention: the open cases to look at now, and why (GET /api/v1/attention):
// overdue, red risk, due within 72 hours, orange risk, no session 7 days after routing,
// unrouted over a working day; the most urgent first. Each reason's count filters the list.
import { label } from "./commands.js";
import { h, replace } from "./dom.js";
import { language, t, term } from "./i18n.js";
import { dateOnly, dueWords, isOverdue } from "./time.js";

const LIMIT = 500;

function categoryText(reference, code, sub) {
  const category = reference.categories.find((c) => c.code === code);
  const subcategory = category?.subcategories.find((s) => s.code === sub);
  const main = category ? label(category) : term("category", code);
  return subcategory ? `${main} · ${label(subcategory)}` : main;
}

const said = (reason) => reason[language()] || reason.en;

function reasonLink(reason, chosen) {
  const current = (reason.code || "") === chosen;
  return h(
    "a",
    {
      href: reason.code ? `#/attention?reason=${reason.code}` : "#/attention",
      class: `reason-filter${reason.code ? ` reason-${reason.code}` : ""}`,
      "aria-current": current ? "true" : null,
      dataset: { reason: reason.code || "all", count: String(reason.count) },
    },
    h("span", {}, said(reason)),
    h("span", { class: "count" }, String(reason.count)),
  );
}

function item(row, reference, supervising) {
  const overdue = isOverdue(row.due_at);
  const who = row.mediator ? reference.mediatorNames[row.mediator] || row.mediator : null;
  return h(
    "li",
    {},
    h(
      "a",
      { href: `#/cases/${row.id}`, class: `case-row${overdue ? " is-overdue" : ""}`, dataset: { caseId: row.id, reasons: row.reasons.map((r) => r.code).join(" ") } },
      h("span", { class: "row-top" }, h("strong", { class: "number" }, row.number), h("span", { class: `badge status-${row.status}` }, term("status", row.status))),
      h("span", { class: "reasons" }, ...row.reasons.map((r) => h("span", { class: `badge reason-${r.code}` }, said(r)))),
      h("span", { class: "row-category" }, h("span", {}, categoryText(reference, row.category, row.subcategory)), h("span", {}, row.street)),
      h("span", { class: "row-summary" }, row.summary),
      h(
        "span",
        { class: "row-meta" },
        row.status === "received" ? h("span", {}, `${t("receivedOn")} ${dateOnly(row.received_at)}`) : h("span", { class: overdue ? "overdue" : "" }, dueWords(row.due_at)),
        supervising && who ? h("span", {}, who) : null,
        row.last_session_at ? h("span", {}, `${t("lastSession")} ${dateOnly(row.last_session_at)}`) : null,
      ),
    ),
  );
}

/** The list; `params.reason` keeps only the cases with that reason. */
export async function renderAttention(container, { api, reference, params, me }) {
  const chosen = params.reason || "";
  const list = h("ul", { class: "case-list attention-list", "aria-busy": "true" });
  const counter = h("p", { class: "muted count", "aria-live": "polite" }, t("loading"));
  const filters = h("nav", { class: "reason-filters", "aria-label": t("attentionReasons") });
  replace(container,
    h("h1", { id: "view-title", tabindex: "-1" }, t("attentionTitle")),
    h("p", { class: "muted" }, t(me.role === "mediator" ? "attentionHelpMine" : "attentionHelp")),
    filters,
    counter,
    list,
    h("p", { class: "muted small" }, t("attentionWorkingDays")),
  );
  const body = await api.get("attention", { limit: LIMIT });
  replace(filters, reasonLink({ code: "", zh: "全部", en: "All", count: body.total }, chosen), ...body.counts.map((r) => reasonLink(r, chosen)));
  const shown = chosen ? body.items.filter((row) => row.reasons.some((r) => r.code === chosen)) : body.items;
  replace(list, ...shown.map((row) => item(row, reference, me.role !== "mediator")));
  const total = chosen ? body.counts.find((r) => r.code === chosen)?.count ?? shown.length : body.total;
  counter.textContent = total === 0 ? t("attentionNone") : t("count", { count: total });
  counter.dataset.total = String(total);
  if (total > shown.length) list.append(h("li", { class: "muted" }, t("attentionMore", { shown: shown.length })));
  list.setAttribute("aria-busy", "false");
  container.dataset.loaded = "true";
}
