// The headline figures. Each value element carries data-figure and data-value (the API's value,
// as the API wrote it) and shows it formatted: the page's test contract (api.md, "Operations").
// A count links to the workbench's list of exactly the cases it counts, where `linkOf` knows it.
import { h, replace } from "./dom.js";
import { compactMoney, count, days, money, percent, raw, score } from "./format.js";
import { t } from "./i18n.js";

const PERIOD_FIGURES = [
  ["received", count],
  ["resolved", count],
  ["agreements", count],
  ["days_to_resolve_median", days],
  ["agreement_amount", compactMoney],
];
const RATES = {
  success_rate: ["agreements", "received"],
  cohort_success_rate: ["cohort_agreements", "cohort_received"],
  settlement_rate: ["agreements", "resolved"],
};
const COHORT_FIGURES = [
  ["cohort_resolved", count],
  ["cohort_agreements", count],
  ["cohort_open", count],
  ["cohort_days_to_resolve_median", days],
];
const FOLLOW_UPS = [
  ["follow_up_rate", percent],
  ["satisfaction_mean", score],
  ["satisfied_rate", percent],
];
const BACKLOG_FIGURES = ["open", "overdue", "due_soon"];
const ESCALATIONS = ["escalated_yellow", "escalated_orange", "escalated_red"];

/** figures: {summary, sources, linkOf}; sources holds each number's text as the API wrote it. */
function card(figures, name, format, extra = [], css = "") {
  const value = figures.summary[name];
  const labelId = `figure-${name}`;
  const href = format === count ? figures.linkOf?.(name) : null;
  const shown = format(value);
  return h(
    "div",
    { class: `card ${css}`.trim() },
    h("dt", { id: labelId, text: t(`figure.${name}`) }),
    h(
      "dd",
      {
        class: "value",
        "data-figure": name,
        "data-value": figures.sources[name] ?? raw(value),
        "aria-describedby": labelId,
        title: format === compactMoney ? money(value) : null,
        text: href ? null : shown,
      },
      href ? h("a", { href, class: "count-link", text: shown, title: t("seeCases") }) : null,
    ),
    extra,
  );
}

function rateCard(figures, name, css = "") {
  const { summary } = figures;
  const [numerator, divisor] = RATES[name];
  return card(figures, name, percent, [
    h("dd", { class: "formula", text: t(`formula.${name}`) }),
    h("dd", {
      class: "fraction",
      text: t("fraction", { a: count(summary[numerator]), b: count(summary[divisor]) }),
    }),
  ], css);
}

function group(id, label, cards, css = "") {
  return h(
    "div",
    { class: `figure-group ${css}`.trim(), role: "group", "aria-labelledby": id },
    h("p", { id, class: "group-label", text: label }),
    h("dl", {}, cards),
  );
}

/**
 * The two success rates side by side, the one that fits the period first (the cohort's for a
 * part of a year; the bureau's 调处成功率 for a whole year or this year to date), and the line
 * that says how they differ, without which no rate above 100% is shown.
 */
function rates(figures, bureauFirst) {
  const order = bureauFirst ? ["success_rate", "cohort_success_rate"] : ["cohort_success_rate", "success_rate"];
  return h(
    "div",
    { class: "figure-group rates", role: "group", "aria-labelledby": "rates-label" },
    h("p", { id: "rates-label", class: "group-label", text: t("ratesTitle") }),
    h("dl", {}, order.map((name, i) => rateCard(figures, name, i === 0 ? "lead" : ""))),
    h("p", { class: "rates-note", "data-note": "rates", text: t("ratesNote") }),
  );
}

export function renderFigures(container, summary, { sources = {}, bureauFirst = true, linkOf = null } = {}) {
  const figures = { summary, sources, linkOf };
  const previous = new Map(
    [...container.querySelectorAll("[data-figure]")].map((el) => [el.dataset.figure, el.dataset.value]),
  );
  const period = PERIOD_FIGURES.map(([name, format]) => card(figures, name, format));
  period.splice(3, 0, rateCard(figures, "settlement_rate"));
  const backlog = BACKLOG_FIGURES.map((name) =>
    card(figures, name, count, [], name === "overdue" && summary[name] > 0 ? "alert" : ""),
  );
  const escalations = ESCALATIONS.map((name) =>
    card(figures, name, count, [], `level ${name.split("_")[1]}`),
  );
  replace(
    container,
    h("dl", { class: "figure-row" }, period),
    h("div", { class: "figure-row" }, rates(figures, bureauFirst)),
    h(
      "div",
      { class: "figure-row" },
      group("cohort-label", t("cohortTitle"), COHORT_FIGURES.map(([name, format]) => card(figures, name, format))),
      group("follow-up-label", t("followUpTitle"), FOLLOW_UPS.map(([name, format]) => card(figures, name, format))),
    ),
    h(
      "div",
      { class: "figure-row" },
      group("backlog-label", t("backlog"), backlog),
      group("escalation-label", t("escalation"), escalations),
    ),
    h("p", { class: "note", text: t("backlogNote") }),
  );
  for (const element of container.querySelectorAll("[data-figure]")) {
    const before = previous.get(element.dataset.figure);
    if (before !== undefined && before !== element.dataset.value) element.classList.add("changed");
  }
}
