// The filter form: its options, its values from the URL, and the URL from its values.
import { h } from "./dom.js";
import { PERIODS, readFilters } from "./filters.js";
import { t, term } from "./i18n.js";

const CATEGORIES = ["family", "commercial", "property_management"];

function options(select, choices, selected) {
  select.replaceChildren(
    ...choices.map(([value, label]) => h("option", { value, selected: value === selected, text: label })),
  );
  select.value = selected;
}

/** Fills the selects for `filters`; `names` gives the streets and the organisations. */
export function showFilters(form, filters, names) {
  const all = [["", t("all")]];
  options(form.elements.period, PERIODS.map((p) => [p, t(`period.${p}`)]), filters.period);
  options(form.elements.category, [...all, ...CATEGORIES.map((c) => [c, term("category", c)])], filters.category);
  options(form.elements.street, [...all, ...names.streets.map((s) => [s, s])], filters.street);
  const organisations = [...names.organisations.entries()]
    .filter(([, o]) => !filters.street || o.street === filters.street || filters.organisation === o.code)
    .map(([code, o]) => [code, o.name]);
  options(form.elements.organisation, [...all, ...organisations], filters.organisation);
  form.elements.from.value = filters.from;
  form.elements.to.value = filters.to;
  limitDates(form);
  for (const field of form.querySelectorAll(".custom")) field.hidden = filters.period !== "custom";
}

/** The filters the form shows now. */
export function formFilters(form) {
  const filters = readFilters("");
  for (const name of ["period", "from", "to", "category", "street", "organisation"]) {
    filters[name] = form.elements[name].value;
  }
  if (filters.period !== "custom") Object.assign(filters, { from: "", to: "" });
  return filters;
}

function shiftDay(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return date.toISOString().slice(0, 10);
}

/** The date pickers offer only an order the API takes: `from` before `to`. */
export function limitDates(form) {
  const { from, to } = form.elements;
  to.min = from.value ? shiftDay(from.value, 1) : "";
  from.max = to.value ? shiftDay(to.value, -1) : "";
}
