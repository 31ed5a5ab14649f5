// Rising disputes (排查): the hotspots of the last 30 days, as a short list (supervisors only).
import { h, replace } from "./dom.js";
import { count } from "./format.js";
import { t, term } from "./i18n.js";
import { table } from "./tables.js";

const SHOWN = 5;
const CASES_SHOWN = 6;

function cell(spot) {
  const kind = spot.subcategory ? term("subcategory", spot.subcategory) : term("category", spot.category);
  return `${spot.street} · ${kind}`;
}

function cases(spot) {
  const links = spot.cases.slice(0, CASES_SHOWN).map((c) =>
    h("a", { href: `#/cases/${encodeURIComponent(c.id)}`, text: c.number }),
  );
  const parts = [];
  links.forEach((link, i) => parts.push(...(i ? [" ", link] : [link])));
  if (spot.cases.length > CASES_SHOWN) parts.push(` +${spot.cases.length - CASES_SHOWN}`);
  return h("span", {}, ...parts);
}

/** answer: the body of /stats/hotspots; the section is hidden for readers it refuses (403). */
export function renderHotspots(section, container, answer) {
  if (answer.error) {
    section.hidden = answer.error.status === 403;
    if (!section.hidden) replace(container, h("p", { class: "note", text: t("unavailable", { status: answer.error.status ?? "?" }) }));
    return;
  }
  section.hidden = false;
  const spots = answer.body.hotspots || [];
  if (!spots.length) {
    replace(container, h("p", { class: "note", text: t("hotspotsNone") }));
    return;
  }
  const columns = [
    { label: t("col.cell"), value: cell },
    { label: t("col.count30"), value: (s) => count(s.count), numeric: true },
    { label: t("col.expected"), value: (s) => s.expected.toFixed(1), numeric: true },
    { label: t("col.cases"), value: cases },
  ];
  const rows = spots.slice(0, SHOWN).map((s) => ({ ...s, id: `${s.street}|${s.category}|${s.subcategory}` }));
  replace(container, table({ caption: t("hotspotsCaption"), columns, rows }));
}
