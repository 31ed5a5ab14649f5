// How fresh the figures are: the views' position and lag (/api/v1/projections, X-Position).
import { clock, count } from "./format.js";
import { t } from "./i18n.js";

let connection = "";

export function setConnection(state) {
  connection = state;
}

export function showFreshness(element, { projections, position }) {
  const time = clock();
  let text;
  if (projections && Array.isArray(projections.views) && projections.views.length) {
    const views = projections.views;
    text = t("freshness", {
      position: count(Math.min(...views.map((v) => v.position ?? 0))),
      head: count(projections.head),
      lag: count(Math.max(...views.map((v) => v.lag_events ?? 0))),
      seconds: Math.max(...views.map((v) => v.lag_seconds ?? 0)).toFixed(1),
      time,
    });
  } else {
    text = t("freshnessShort", { position: position === null ? "—" : count(position), time });
  }
  element.textContent = connection === "reconnecting" ? `${t("reconnecting")} · ${text}` : text;
  element.dataset.position = position ?? "";
  element.classList.toggle("stale", connection === "reconnecting");
}
