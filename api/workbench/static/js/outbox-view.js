// The outbox as a page: each item with its state, the server's message for a refused one,
// and what can be done with it.
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { dateTime } from "./time.js";

/** Refusals that a corrected entry can overcome (a field, a stale version); a 409 is the case's state. */
const FIXABLE = new Set([400, 412, 413, 422]);

function problemText(item) {
  const problem = item.problem || {};
  const errors = Array.isArray(problem.errors) ? problem.errors.map((e) => `${e.field}: ${e.message}`) : [];
  return errors.length ? errors : [problem.detail || problem.title || `HTTP ${item.status}`];
}

export function renderOutbox(container, { items, onSend, onFix, onDiscard }) {
  const list = items.map((item) =>
    h(
      "li",
      { class: `outbox-item state-${item.state}`, dataset: { outboxItem: item.key, state: item.state, status: item.status ?? "" } },
      h("p", { class: "row-top" }, h("strong", {}, item.label), h("span", { class: `badge state-${item.state}` }, t(`state.${item.state}`))),
      h("p", { class: "muted" }, t("enteredAt", { time: dateTime(localIso(item.enteredAt)) })),
      item.state === "refused"
        ? h(
            "div",
            { class: "problem", role: "note" },
            h("p", { class: "why" }, t(`refused.${item.status}`) === `refused.${item.status}` ? t("refused.other") : t(`refused.${item.status}`)),
            h("p", {}, `${item.status} ${item.problem?.title || ""}`),
            h("ul", {}, problemText(item).map((line) => h("li", {}, line))),
          )
        : item.lastError
          ? h("p", { class: "muted" }, t("lastTry", { message: item.lastError === "offline" ? t("offline") : item.lastError }))
          : null,
      h(
        "div",
        { class: "buttons" },
        item.state === "refused" && FIXABLE.has(item.status)
          ? h("button", { type: "button", class: "primary", dataset: { action: "fix" }, onclick: () => onFix(item) }, t("fix"))
          : null,
        item.state === "refused" && item.caseId ? h("a", { href: `#/cases/${item.caseId}`, class: "link-button", dataset: { action: "open" } }, t("openCase")) : null,
        item.state === "pending" ? h("button", { type: "button", class: "link-button", dataset: { action: "send" }, onclick: () => onSend(item) }, t("sendNow")) : null,
        h(
          "button",
          {
            type: "button",
            class: "link-button danger",
            dataset: { action: "discard" },
            onclick: () => {
              if (window.confirm(t("discardConfirm"))) onDiscard(item);
            },
          },
          t("discard"),
        ),
      ),
    ),
  );
  replace(container,
    h("h1", { id: "view-title", tabindex: "-1" }, t("outboxTitle")),
    h("p", { class: "muted" }, t("outboxHelp")),
    items.length ? h("ol", { class: "outbox-list" }, list) : h("p", { class: "empty" }, t("outboxEmpty")),
  );
  container.dataset.loaded = "true";
}

/** The entry time (UTC ISO) in the device's wall time, as the API writes times. */
function localIso(iso) {
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
