// The mediators' workload: open and overdue cases per mediator, the most overdue first.
import { countCell } from "./breakdown.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { table } from "./tables.js";

const FIRST = 12;
let showAll = false;

/** rows: `/stats/mediator`'s; `linkOf(row, figure)`: each count's cases in the workbench. */
export function renderWorkload(container, { rows, names, linkOf = null }) {
  const busy = rows
    .filter((row) => (row.open ?? 0) > 0 || (row.resolved ?? 0) > 0)
    .sort((a, b) => b.overdue - a.overdue || b.open - a.open || String(a.key).localeCompare(String(b.key)));
  const shown = showAll ? busy : busy.slice(0, FIRST);
  const toggle =
    busy.length > FIRST
      ? h("button", {
          type: "button",
          class: "link-button",
          "aria-expanded": String(showAll),
          text: showAll ? t("showFewer", { n: FIRST }) : t("showAll", { n: busy.length }),
          onclick: () => {
            showAll = !showAll;
            renderWorkload(container, { rows, names, linkOf });
            container.querySelector("button")?.focus();
          },
        })
      : null;
  const mediator = (row) => {
    if (row.key === null || row.key === "") return t("notRouted");
    const info = names.mediators.get(row.key);
    return info ? `${info.name}（${row.key}）` : row.key;
  };
  const overdue = countCell(linkOf, "overdue");
  const organisation = (row) => {
    const info = names.mediators.get(row.key);
    return info ? (names.organisations.get(info.organisation)?.name ?? info.organisation) : "—";
  };
  replace(
    container,
    table({
      caption: t("workloadCaption"),
      columns: [
        { label: t("mediator"), value: mediator },
        { label: t("organisation"), value: organisation },
        { label: t("col.open"), value: countCell(linkOf, "open"), numeric: true },
        { label: t("col.overdue"), value: (r) => h("span", { class: r.overdue ? "warn" : null }, overdue(r)), numeric: true },
        { label: t("col.due_soon"), value: countCell(linkOf, "due_soon"), numeric: true },
        { label: t("col.resolved"), value: countCell(linkOf, "resolved"), numeric: true },
      ],
      rows: shown,
    }),
    toggle,
  );
}
