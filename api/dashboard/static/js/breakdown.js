// Per category and per street: a chart of received and resolved, and the table of figures.
import { barChart, lineChart } from "./charts.js";
import { h, replace } from "./dom.js";
import { count, percent } from "./format.js";
import { t } from "./i18n.js";
import { table } from "./tables.js";

export const SERIES = () => [
  { name: t("legendReceived"), css: "received" },
  { name: t("legendResolved"), css: "resolved" },
];

/** A count of a row: a link to its cases where `linkOf(row, figure)` knows them. */
export function countCell(linkOf, figure) {
  return (row) => {
    const text = count(row[figure]);
    const href = linkOf?.(row, figure);
    return href ? h("a", { href, class: "count-link", "data-count": figure, text }) : text;
  };
}

function figureColumns(linkOf) {
  return [
    { label: t("col.received"), value: countCell(linkOf, "received"), numeric: true },
    { label: t("col.resolved"), value: countCell(linkOf, "resolved"), numeric: true },
    { label: t("col.agreements"), value: countCell(linkOf, "agreements"), numeric: true },
    { label: t("col.success_rate"), value: (r) => percent(r.success_rate), numeric: true },
    { label: t("col.cohort_success_rate"), value: (r) => percent(r.cohort_success_rate), numeric: true },
    { label: t("col.settlement_rate"), value: (r) => percent(r.settlement_rate), numeric: true },
    { label: t("col.open"), value: countCell(linkOf, "open"), numeric: true },
    { label: t("col.overdue"), value: countCell(linkOf, "overdue"), numeric: true },
  ];
}

/** The line without which a table shows no rate (调处成功率 can read above 100%). */
export function ratesNote() {
  return h("p", { class: "note rates-note", "data-note": "rates", text: t("ratesNote") });
}

/** rows: the API's `{rows}`; labelOf(key) names a key for the reader. */
export function renderBreakdown(container, { title, rows, labelOf, periodText, keyLabel, linkOf }) {
  const named = rows.map((row) => ({ ...row, label: labelOf(row.key) }));
  const chart = named.length
    ? barChart({
        label: t("chartLabel", { title }),
        rows: named.map((row) => ({ label: row.label, values: [row.received ?? 0, row.resolved ?? 0] })),
        series: SERIES(),
      })
    : null;
  replace(
    container,
    h(
      "div",
      { class: "breakdown" },
      chart,
      h(
        "div",
        {},
        table({
          caption: t("breakdownCaption", { dimension: title, period: periodText }),
          columns: [{ label: keyLabel, value: (r) => r.label }, ...figureColumns(linkOf)],
          rows: named,
        }),
        ratesNote(),
      ),
    ),
  );
}

function monthsBetween(first, last) {
  const months = [];
  let [year, month] = first.split("-").map(Number);
  const [endYear, endMonth] = last.split("-").map(Number);
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push(`${year}-${String(month).padStart(2, "0")}`);
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return months;
}

/**
 * The monthly trend over the period's months (`span`: {first, last}, "YYYY-MM", either may be
 * empty: then the rows' own first or last month); a month without a case shows as zero.
 */
export function renderTrend(container, rows, span = {}, linkOf = null) {
  const byMonth = new Map(rows.map((row) => [row.key, row]));
  const active = rows.filter((row) => row.received || row.resolved).map((row) => row.key).sort();
  const first = span.first || active[0];
  const last = span.last || active[active.length - 1];
  const months = first && last && first <= last ? monthsBetween(first, last) : [];
  const empty = { received: 0, resolved: 0, agreements: 0, success_rate: null, cohort_success_rate: null };
  const filled = months.map((key) => byMonth.get(key) ?? { ...empty, key });
  replace(
    container,
    h(
      "div",
      { class: "breakdown" },
      filled.length
        ? lineChart({
            label: t("trendLabel"),
            labels: months,
            series: SERIES().map((s, i) => ({
              ...s,
              values: filled.map((row) => (i === 0 ? row.received : row.resolved) ?? 0),
            })),
          })
        : h("div", {}),
      h(
        "div",
        { class: "data-table" },
        table({
        caption: t("trendCaption"),
        columns: [
          { label: t("col.month"), value: (r) => r.key },
          { label: t("col.received"), value: countCell(linkOf, "received"), numeric: true },
          { label: t("col.resolved"), value: countCell(linkOf, "resolved"), numeric: true },
          { label: t("col.agreements"), value: countCell(linkOf, "agreements"), numeric: true },
          { label: t("col.success_rate"), value: (r) => percent(r.success_rate), numeric: true },
          { label: t("col.cohort_success_rate"), value: (r) => percent(r.cohort_success_rate), numeric: true },
        ],
          rows: filled,
        }),
        ratesNote(),
      ),
    ),
  );
}
