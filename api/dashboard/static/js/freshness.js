// How fresh the figures are, in words ("数据已更新至 14:45:23", in the bureau's time); the views'
// positions and lag (/api/v1/projections, X-Position) in the tooltip, for whoever needs them.
import { clock, count } from "./format.js";
import { t } from "./i18n.js";

let connection = "";

export function setConnection(state) {
  connection = state;
}

export function showFreshness(element, { projections, position }) {
  const time = clock();
  const views = Array.isArray(projections?.views) ? projections.views : [];
  const lag = views.length ? Math.max(...views.map((v) => v.lag_events ?? 0)) : 0;
  let text = t("freshness", { time });
  if (lag > 0) {
    const seconds = Math.max(...views.map((v) => v.lag_seconds ?? 0)).toFixed(1);
    text = t("freshnessBehind", { time, lag: count(lag), seconds });
  }
  const detail = views.length
    ? t("freshnessDetail", {
        position: count(Math.min(...views.map((v) => v.position ?? 0))),
        head: count(projections.head),
        lag: count(lag),
      })
    : t("freshnessShort", { position: position === null ? "—" : count(position) });
  element.textContent = connection === "reconnecting" ? `${t("reconnecting")} · ${text}` : text;
  element.title = detail;
  element.dataset.position = position ?? "";
  element.classList.toggle("stale", connection === "reconnecting");
}
