// The overview: every request of one refresh, then each part drawn from its own answer.
import { itemsOf, problemText } from "./api.js";
import { renderBreakdown, renderTrend } from "./breakdown.js";
import { renderAttention } from "./attention.js";
import { renderCaseList } from "./caselists.js";
import { h, replace } from "./dom.js";
import { renderFigures } from "./figures.js";
import { renderHotspots } from "./hotspots.js";
import { issuedReports, renderReports } from "./reports.js";
import { figureLinks, listLink } from "./links.js";
import { boardParams, bureauFirst, periodRange, statsParams } from "./filters.js";
import { language, t, term } from "./i18n.js";
import { renderWorkload } from "./workload.js";

const LIST_LIMIT = 20;
const CATEGORIES = ["family", "commercial", "property_management", "other"]; // the three matters, then the rest
const LEVELS = ["red", "orange", "yellow"];
const ESCALATED_LIMIT = 200; // sorted here by level, so read well past the twenty shown

function part(id) {
  return document.getElementById(id);
}

function shiftDay(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(y, m - 1, d + days);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The first and last months of the period ("YYYY-MM"); `to` is exclusive. */
function monthSpan(filters) {
  const { from, to } = periodRange(filters);
  return { first: from ? from.slice(0, 7) : "", last: to ? shiftDay(to, -1).slice(0, 7) : "" };
}

export function periodText(filters) {
  const { from, to, toDate } = periodRange(filters);
  const last = toDate && to ? shiftDay(to, -1) : t("today");
  return t("periodLabel", { from: from || "…", to: last });
}

function unavailable(container, error) {
  const detail = problemText(error, t("unreachable"));
  replace(container, h("p", { class: "note problem", role: "status", text: t("unavailable", { detail }) }));
}

/** Open cases whose latest risk level is yellow, orange or red; the most severe first. */
async function escalatedCases(api, board) {
  const answer = await api.get("cases", { ...board, escalated: "true", limit: ESCALATED_LIMIT, count: "true" });
  const items = itemsOf(answer.body)
    .map((row, i) => ({ row, i }))
    .sort((a, b) => LEVELS.indexOf(a.row.risk_level) - LEVELS.indexOf(b.row.risk_level) || a.i - b.i)
    .map(({ row }) => row);
  const more = Boolean(answer.body.next_cursor) || items.length > LIST_LIMIT;
  return { ...answer, body: { items: items.slice(0, LIST_LIMIT), next_cursor: more, total: answer.body.total } };
}

/** Answers of one refresh; each may be {error}. A 401 anywhere is thrown to sign out. */
async function fetchAll(api, filters, minPosition) {
  const stats = { ...statsParams(filters), min_position: minPosition };
  const board = { ...boardParams(filters), min_position: minPosition, limit: LIST_LIMIT };
  const requests = {
    summary: api.get("stats/summary", stats),
    category: api.get("stats/category", stats),
    street: api.get("stats/street", stats),
    month: api.get("stats/month", stats),
    mediator: api.get("stats/mediator", stats),
    overdue: api.get("cases", { ...board, overdue: "true", sort: "-overdue_days", count: "true" }),
    escalated: escalatedCases(api, board),
    projections: api.get("projections"),
    hotspots: api.get("stats/hotspots", { min_position: minPosition }),
    attention: api.get("attention", { min_position: minPosition, limit: 1 }),
    reports: issuedReports(api),
  };
  const names = Object.keys(requests);
  const settled = await Promise.allSettled(Object.values(requests));
  const answers = {};
  settled.forEach((result, i) => {
    if (result.status === "rejected" && result.reason?.status === 401) throw result.reason;
    answers[names[i]] = result.status === "fulfilled" ? result.value : { error: result.reason };
  });
  return answers;
}

function byCategoryOrder(rows) {
  return [...rows].sort((a, b) => CATEGORIES.indexOf(a.key) - CATEGORIES.indexOf(b.key));
}

function byName(rows) {
  return [...rows].sort((a, b) => String(a.key).localeCompare(String(b.key), "zh-Hans-CN"));
}

/** Fetches and draws the whole overview; answers the summary and the positions seen. */
export async function loadOverview({ api, filters, names, minPosition, role, onIssued }) {
  const a = await fetchAll(api, filters, minPosition);
  const period = periodText(filters);
  const base = boardParams(filters);
  part("period-label").textContent = period;
  if (a.summary.error) unavailable(part("figures"), a.summary.error);
  else {
    renderFigures(part("figures"), a.summary.body, {
      sources: a.summary.sources,
      bureauFirst: bureauFirst(filters),
      linkOf: figureLinks(base, a.summary.period),
    });
  }

  const breakdowns = [
    ["category", "by-category", t("byCategory"), t("category"), (key) => term("category", key), byCategoryOrder],
    ["street", "by-street", t("byStreet"), t("street"), (key) => key, byName],
  ];
  for (const [name, id, title, keyLabel, labelOf, order] of breakdowns) {
    if (a[name].error) unavailable(part(id), a[name].error);
    else {
      const linkOf = figureLinks(base, a[name].period, name);
      renderBreakdown(part(id), { title, keyLabel, labelOf, linkOf, periodText: period, rows: order(itemsOf(a[name].body)) });
    }
  }
  if (a.month.error) unavailable(part("trend"), a.month.error);
  else renderTrend(part("trend"), itemsOf(a.month.body), monthSpan(filters), figureLinks(base, a.month.period, "month"));
  if (a.mediator.error) unavailable(part("workload"), a.mediator.error);
  else renderWorkload(part("workload"), { rows: itemsOf(a.mediator.body), names, linkOf: figureLinks(base, a.mediator.period, "mediator") });

  const lists = [
    ["overdue", "overdue-list", t("overdueCaption"), false],
    ["escalated", "escalated-list", t("escalatedCaption"), true],
  ];
  for (const [name, id, caption, withRisk] of lists) {
    if (a[name].error) unavailable(part(id), a[name].error);
    else {
      const body = a[name].body;
      const all = listLink(base, name === "overdue" ? { overdue: "true", sort: "-overdue_days" } : { escalated: "true" });
      renderCaseList(part(id), { caption, rows: itemsOf(body), more: Boolean(body.next_cursor), names, withRisk, all, total: body.total });
    }
  }
  renderHotspots(part("hotspots-section"), part("hotspots-list"), a.hotspots);
  renderAttention(part("attention"), a.attention);
  renderReports(part("reports"), { api, answer: a.reports, canIssue: role === "supervisor", onIssued, language: language(), names });
  const positions = Object.values(a)
    .map((answer) => answer.position)
    .filter((position) => typeof position === "number");
  return {
    summary: a.summary.error ? null : a.summary.body,
    position: positions.length ? Math.min(...positions) : null,
    projections: a.projections.error ? null : a.projections.body,
  };
}
