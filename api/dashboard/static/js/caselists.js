// Lists of cases from the board (overdue, escalated), each row linking to the case's page.
import { h, replace } from "./dom.js";
import { count, dateTime } from "./format.js";
import { t, term } from "./i18n.js";
import { table } from "./tables.js";

export function caseLink(row) {
  return h("a", { href: `#/cases/${encodeURIComponent(row.id)}`, text: row.number });
}

function riskBadge(level) {
  if (!level || level === "none") return "—";
  return h("span", { class: `badge ${level}`, text: term("risk", level) });
}

/** rows: board rows; names: {mediators, organisations}, Maps from code to {name, ...}. */
export function renderCaseList(container, { caption, rows, more, names, withRisk, all, total }) {
  const columns = [
    { label: t("col.number"), value: caseLink },
    { label: t("category"), value: (r) => term("category", r.category) },
    { label: t("street"), value: (r) => r.street },
    { label: t("mediator"), value: (r) => names.mediators.get(r.mediator)?.name ?? r.mediator ?? "—" },
    { label: t("col.status"), value: (r) => term("status", r.status) },
    { label: t("col.due_at"), value: (r) => dateTime(r.due_at) },
    { label: t("col.days_open"), value: (r) => count(r.days_open), numeric: true },
  ];
  if (withRisk) columns.splice(1, 0, { label: t("col.risk"), value: (r) => riskBadge(r.risk_level) });
  replace(
    container,
    table({ caption, columns, rows }),
    all && (more || rows.length)
      ? h("p", { class: "note" }, h("a", { href: all, class: "all-cases", text: more ? t("allCases", { n: count(total ?? rows.length) }) : t("allInWorkbench") }))
      : null,
  );
}
