// The headline figures. Each value element carries data-figure and data-value (the API's value,
// as the API wrote it) and shows it formatted: the page's test contract (api.md, "Operations").
import { h, replace } from "./dom.js";
import { compactMoney, count, days, money, percent, raw } from "./format.js";
import { t } from "./i18n.js";

const PERIOD_FIGURES = [
  ["received", count],
  ["resolved", count],
  ["agreements", count],
  ["success_rate", percent, "received"],
  ["settlement_rate", percent, "resolved"],
  ["days_to_resolve_median", days],
  ["agreement_amount", compactMoney],
];
const BACKLOG_FIGURES = ["open", "overdue", "due_soon"];
const ESCALATIONS = ["escalated_yellow", "escalated_orange", "escalated_red"];

/** figures: {summary, sources}; sources holds each number's text as the API wrote it. */
function card(figures, name, format, extra = [], css = "") {
  const value = figures.summary[name];
  const labelId = `figure-${name}`;
  return h(
    "div",
    { class: `card ${css}`.trim() },
    h("dt", { id: labelId, text: t(`figure.${name}`) }),
    h("dd", {
      class: "value",
      "data-figure": name,
      "data-value": figures.sources[name] ?? raw(value),
      "aria-describedby": labelId,
      title: format === compactMoney ? money(value) : null,
      text: format(value),
    }),
    extra,
  );
}

function rateCard(figures, name, divisor) {
  const { summary } = figures;
  return card(figures, name, percent, [
    h("dd", { class: "formula", text: t(`formula.${name}`) }),
    h("dd", {
      class: "fraction",
      text: t("fraction", { a: count(summary.agreements), b: count(summary[divisor]) }),
    }),
  ]);
}

function group(id, label, cards) {
  return h(
    "div",
    { class: "figure-group", role: "group", "aria-labelledby": id },
    h("p", { id, class: "group-label", text: label }),
    h("dl", {}, cards),
  );
}

export function renderFigures(container, summary, sources = {}) {
  const figures = { summary, sources };
  const previous = new Map(
    [...container.querySelectorAll("[data-figure]")].map((el) => [el.dataset.figure, el.dataset.value]),
  );
  const period = PERIOD_FIGURES.map(([name, format, divisor]) =>
    divisor ? rateCard(figures, name, divisor) : card(figures, name, format),
  );
  const backlog = BACKLOG_FIGURES.map((name) =>
    card(figures, name, count, [], name === "overdue" && summary[name] > 0 ? "alert" : ""),
  );
  const escalations = ESCALATIONS.map((name) =>
    card(figures, name, count, [], `level ${name.split("_")[1]}`),
  );
  replace(
    container,
    h("dl", { class: "figure-row" }, period),
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
