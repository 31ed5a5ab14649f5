// Monthly reports (月度通报): the months issued, each as a workbook or CSV to download; a
// supervisor issues a month that has ended. A report never changes once issued.
import { problemText, userNames } from "./api.js";
import { ratesNote } from "./breakdown.js";
import { bureauZone } from "./display.js";
import { h, replace } from "./dom.js";
import { count, dateTime, money, percent, score } from "./format.js";
import { t, term } from "./i18n.js";
import { table } from "./tables.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV = "text/csv";

/** The last month that has ended in the bureau's time zone ("YYYY-MM"). */
export function lastEndedMonth(now = new Date()) {
  const [year, month] = new Intl.DateTimeFormat("en-CA", { timeZone: bureauZone(), year: "numeric", month: "2-digit" })
    .format(now)
    .split("-")
    .map(Number);
  const previous = new Date(Date.UTC(year, month - 2, 1));
  return `${previous.getUTCFullYear()}-${String(previous.getUTCMonth() + 1).padStart(2, "0")}`;
}

async function save(api, month, accept, status) {
  status.textContent = t("reportDownloading");
  try {
    const { blob, filename } = await api.download(`reports/${encodeURIComponent(month)}`, accept);
    const link = h("a", { href: URL.createObjectURL(blob), download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    status.textContent = t("reportDownloaded", { file: filename });
  } catch (error) {
    status.textContent = problemText(error, t("unreachable"));
  }
}

function shown(figure, value) {
  if (value === null || value === undefined) return "—";
  if (figure.endsWith("_rate")) return percent(value);
  if (figure === "agreement_amount") return money(value);
  if (figure.includes("days_") || figure === "satisfaction_mean") return score(value); // two decimals
  return count(value);
}

function keyText(dimension, key, names) {
  if (dimension === "summary") return t("reportWhole");
  if (key === null) return t("notRouted");
  if (dimension === "category") return term("category", key);
  if (dimension === "organisation") return names.organisations.get(key)?.name ?? key;
  if (dimension === "mediator") return names.mediators.get(key)?.name ?? key;
  return key;
}

/** What reads otherwise now than the report says: its differences, read on demand (each is a
 * fresh reading of the month's statistics). */
async function showChanges(api, month, names, holder) {
  replace(holder, h("p", { class: "note", role: "status", text: t("reportComparing", { month }) }));
  try {
    const { body } = await api.get(`reports/${encodeURIComponent(month)}`);
    const rows = body.differences.map((d, i) => ({ ...d, id: i }));
    const columns = [
      { label: t("reportDimension"), value: (d) => (d.dimension === "summary" ? t("reportWhole") : t(d.dimension)) },
      { label: t("reportKey"), value: (d) => keyText(d.dimension, d.key, names) },
      { label: t("reportFigure"), value: (d) => term("reportFigure", d.figure) },
      { label: t("reportReported"), value: (d) => shown(d.figure, d.reported), numeric: true },
      { label: t("reportNow"), value: (d) => shown(d.figure, d.now), numeric: true },
    ];
    const caption = t("reportChangesCaption", { month, position: count(body.position_now) });
    replace(holder, table({ caption, columns, rows, empty: t("reportNoChanges") }), ratesNote());
  } catch (error) {
    replace(holder, h("p", { class: "note problem", role: "status", text: problemText(error, t("unreachable")) }));
  }
}

function downloads(api, report, status) {
  const button = (label, accept, kind) =>
    h("button", {
      type: "button",
      class: "link-button",
      "data-download": kind,
      "aria-label": `${report.month} ${label}`,
      text: label,
      onclick: () => save(api, report.month, accept, status),
    });
  return h("span", { class: "downloads" }, button(t("reportXlsx"), XLSX, "xlsx"), " ", button("CSV", CSV, "csv"));
}

function changesButton(api, report, names, holder) {
  return h("button", {
    type: "button",
    class: "link-button",
    "data-changes": report.month,
    text: t("reportChanges"),
    onclick: () => showChanges(api, report.month, names, holder),
  });
}

const months = { issued: new Set() };

/** GET /reports, with the names of the supervisors who issued them. */
export async function issuedReports(api) {
  const answer = await api.get("reports");
  const people = await userNames(api, (answer.body.items || []).map((r) => r.issued_by?.login));
  return { ...answer, people };
}

function issueForm(api, onIssued) {
  const latest = lastEndedMonth();
  const input = h("input", { id: "report-month", name: "month", type: "month", required: true, max: latest, value: latest });
  const status = h("p", { class: "note", role: "status", id: "report-issue-status" });
  const button = h("button", { type: "submit", text: t("reportIssue") });
  const form = h(
    "form",
    { class: "report-issue", "aria-describedby": "report-issue-help" },
    h("label", { for: "report-month", text: t("reportMonth") }),
    input,
    button,
    h("p", { class: "muted", id: "report-issue-help", text: t("reportIssueHelp") }),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const month = input.value;
    if (months.issued.has(month)) {
      status.textContent = t("reportTaken", { month });
      return;
    }
    button.disabled = true;
    status.textContent = t("reportIssuing", { month });
    try {
      const answer = await api.post("reports", { month });
      status.textContent = t("reportIssued", { month: answer.body.month, position: count(answer.body.position) });
      onIssued(answer.position);
    } catch (error) {
      status.textContent = problemText(error, t("unreachable"));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/**
 * answer: GET /reports ({items}) or {error}; canIssue: the reader is a supervisor.
 * onIssued(position): a report was issued (refresh the page at that position).
 * The form and the status lines are made once (a live refresh keeps what is typed in them);
 * the list is drawn again from each answer.
 */
export function renderReports(container, { api, answer, canIssue, onIssued, language, names }) {
  if (container.dataset.language !== language || container.dataset.issuer !== String(canIssue)) {
    replace(
      container,
      canIssue ? issueForm(api, onIssued) : null,
      h("div", { class: "report-list" }),
      h("p", { class: "note", role: "status", id: "report-download-status" }),
      h("div", { class: "report-changes" }),
    );
    container.dataset.language = language;
    container.dataset.issuer = String(canIssue);
  }
  const list = container.querySelector(".report-list");
  const status = container.querySelector("#report-download-status");
  const changes = container.querySelector(".report-changes");
  if (answer.error) {
    replace(list, h("p", { class: "note problem", role: "status", text: problemText(answer.error, t("unreachable")) }));
    return;
  }
  const issued = answer.body.items || [];
  const people = answer.people || {};
  months.issued = new Set(issued.map((r) => r.month));
  const columns = [
    { label: t("reportMonth"), value: (r) => r.month },
    { label: t("reportIssuedAt"), value: (r) => dateTime(r.issued_at) },
    { label: t("reportIssuedBy"), value: (r) => people[r.issued_by?.login] || r.issued_by?.login || "—" },
    { label: t("reportPosition"), value: (r) => count(r.position), numeric: true },
    { label: t("reportDownload"), value: (r) => downloads(api, r, status) },
    { label: t("reportChangesColumn"), value: (r) => changesButton(api, r, names, changes) },
  ];
  const rows = issued.map((r) => ({ ...r, id: r.month }));
  replace(list, table({ caption: t("reportsCaption"), columns, rows, empty: t("reportsNone") }));
}
