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
