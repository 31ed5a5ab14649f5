// The view's filters, kept in the query string so a view can be shared by its URL.

export const PERIODS = ["ytd", "month", "last12", "lastYear", "custom"];
export const CHOICES = ["category", "street", "organisation"];

function isoDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function readFilters(search = window.location.search) {
  const query = new URLSearchParams(search);
  const from = query.get("from") || "";
  const to = query.get("to") || "";
  let period = query.get("period") || (from || to ? "custom" : "ytd");
  if (!PERIODS.includes(period)) period = "ytd";
  const filters = { period, from: period === "custom" ? from : "", to: period === "custom" ? to : "" };
  for (const name of CHOICES) filters[name] = query.get(name) || "";
  return filters;
}

export function filtersQuery(filters) {
  const query = new URLSearchParams();
  if (filters.period !== "ytd") query.set("period", filters.period);
  if (filters.period === "custom") {
    if (filters.from) query.set("from", filters.from);
    if (filters.to) query.set("to", filters.to);
  }
  for (const name of CHOICES) if (filters[name]) query.set(name, filters[name]);
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** The period as dates: `from` inclusive, `to` exclusive; `toDate` is false when it runs to now. */
export function periodRange(filters, today = new Date()) {
  const year = today.getFullYear();
  const month = today.getMonth();
  const tomorrow = isoDate(new Date(year, month, today.getDate() + 1));
  switch (filters.period) {
    case "month":
      return { from: isoDate(new Date(year, month, 1)), to: tomorrow, toDate: false };
    case "last12":
      return { from: isoDate(new Date(year, month - 11, 1)), to: tomorrow, toDate: false };
    case "lastYear":
      return { from: `${year - 1}-01-01`, to: `${year}-01-01`, toDate: true };
    case "custom":
      return { from: filters.from, to: filters.to, toDate: Boolean(filters.to) };
    default:
      return { from: `${year}-01-01`, to: tomorrow, toDate: false };
  }
}

/** Query parameters of the statistics; this year to date is the API's own default. */
export function statsParams(filters) {
  const params = {};
  if (filters.period !== "ytd") {
    const { from, to } = periodRange(filters);
    Object.assign(params, { from, to });
  }
  for (const name of CHOICES) params[name] = filters[name];
  return params;
}

/** Query parameters of the board's lists: the backlog now, so no period. */
export function boardParams(filters) {
  const params = {};
  for (const name of CHOICES) params[name] = filters[name];
  return params;
}

/**
 * Whether the period is a whole year or this year to date: there the bureau's 调处成功率 leads
 * (it is what the bureau publishes for a year); for any part of a year, the cohort's rate.
 */
export function bureauFirst(filters, today = new Date()) {
  if (filters.period === "ytd" || filters.period === "lastYear") return true;
  if (filters.period !== "custom") return false;
  const { from, to } = periodRange(filters, today);
  if (!from || !from.endsWith("-01-01")) return false;
  if (!to) return from.slice(0, 4) === String(today.getFullYear()); // from 1 January to now
  if (to.endsWith("-01-01") && to > from) return true; // whole years
  const tomorrow = periodRange({ period: "ytd" }, today).to;
  return to === tomorrow && from.slice(0, 4) === tomorrow.slice(0, 4); // to date
}

/** Why the custom dates cannot be a period (the API would refuse them), or null. */
export function periodProblem(filters) {
  if (filters.period !== "custom" || !filters.from || !filters.to) return null;
  return filters.from >= filters.to ? "periodOrder" : null;
}
