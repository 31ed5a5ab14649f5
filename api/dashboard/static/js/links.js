// Where each count of the dashboard leads: the workbench's list of exactly the cases it counts,
// filtered as the statistics counted them (the board takes the same filters), so that the
// list's "N cases" is the figure. The period is the one the statistics answered for
// (X-Period-From and X-Period-To: exact times), not the one the page asked for.

const LIST = "/workbench#/cases";
const LEVELS = ["yellow", "orange", "red"];

/** The board's filters that select the cases a figure counts (null: the figure counts none). */
function figureFilters(figure, period) {
  const received = { received_from: period.from, received_to: period.to };
  const resolved = { resolved_from: period.from, resolved_to: period.to };
  switch (figure) {
    case "received":
    case "cohort_received":
      return received;
    case "cohort_resolved":
      return { ...received, open: "false" };
    case "cohort_agreements":
      return { ...received, outcome: "agreement" };
    case "cohort_open":
      return { ...received, open: "true" };
    case "resolved":
      return resolved;
    case "agreements":
      return { ...resolved, outcome: "agreement" };
    case "no_agreement":
    case "withdrawn":
      return { ...resolved, outcome: figure };
    case "open":
      return { open: "true" };
    case "overdue":
      return { overdue: "true", sort: "-overdue_days" };
    case "due_soon":
      return { due_soon: "true", sort: "due_at" };
    default: {
      const level = LEVELS.find((l) => figure === `escalated_${l}`);
      return level ? { open: "true", risk_level: level } : null;
    }
  }
}

/** A dimension's value as the board's filter: the cases not routed yet are `routed=false`. */
function dimensionFilters(dimension, key) {
  if (!dimension) return {};
  if (key === null || key === "") {
    if (dimension === "mediator" || dimension === "organisation") return { routed: "false" };
    return null; // no subcategory: the board has no filter for it
  }
  return { [dimension]: key };
}

/** [from, to) of a month ("YYYY-MM") within the period, in the period's own offset. */
function monthWithin(month, period) {
  const offset = (period.from || "").slice(19).replace(/^\.\d+/, "") || "+08:00";
  const [y, m] = month.split("-").map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  const start = `${month}-01T00:00:00${offset}`;
  const end = `${next}-01T00:00:00${offset}`;
  const later = (a, b) => (new Date(a) >= new Date(b) ? a : b);
  const earlier = (a, b) => (new Date(a) <= new Date(b) ? a : b);
  return { from: later(start, period.from), to: earlier(end, period.to) };
}

function href(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(name, value);
  }
  return `${LIST}?${search}`;
}

/**
 * A `linkOf(figure)` for the headline and `linkOf(row, figure)` for a table's rows:
 * `base` the dashboard's filters (category, street, organisation), `period` {from, to} the
 * statistics answered for, `dimension` the table's (or "month").
 */
export function figureLinks(base, period, dimension = null) {
  return (rowOrFigure, maybeFigure) => {
    const row = maybeFigure === undefined ? null : rowOrFigure;
    const figure = maybeFigure === undefined ? rowOrFigure : maybeFigure;
    if (!period.from || !period.to) return null;
    const within = dimension === "month" ? monthWithin(row.key, period) : period;
    const cases = figureFilters(figure, within);
    const value = dimension === "month" ? {} : dimensionFilters(dimension, row?.key ?? null);
    if (!cases || !value) return null;
    return href({ ...base, ...value, ...cases });
  };
}

/** The whole of a dashboard list (overdue, escalated) in the workbench. */
export function listLink(base, filters) {
  return href({ ...base, ...filters });
}
