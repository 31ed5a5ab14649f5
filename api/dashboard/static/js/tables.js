// Accessible tables: a caption, column headers, a row header, and a scroll box you can focus.
import { h, uniqueId } from "./dom.js";
import { t } from "./i18n.js";

/**
 * columns: [{label, value(row) -> text or Node, numeric?}], the first one heads its row.
 */
export function table({ caption, columns, rows, empty = t("noData") }) {
  const captionId = uniqueId("caption");
  const body = rows.length
    ? rows.map((row) =>
        h(
          "tr",
          {},
          columns.map((column, i) =>
            h(
              i === 0 ? "th" : "td",
              { scope: i === 0 ? "row" : null, class: column.numeric ? "num" : null },
              column.value(row),
            ),
          ),
        ),
      )
    : [h("tr", {}, h("td", { colspan: columns.length, class: "empty", text: empty }))];
  const box = h(
    "div",
    { class: "table-scroll", role: "region", tabindex: "0", "aria-labelledby": captionId },
    h(
      "table",
      {},
      h("caption", { id: captionId, text: caption }),
      h(
        "thead",
        {},
        h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.numeric ? "num" : null, text: c.label }))),
      ),
      h("tbody", {}, body),
    ),
  );
  return [box, h("p", { class: "scroll-hint", "aria-hidden": "true", text: t("scrollHint") })];
}

/** Marks each table box under `root` whose table is wider than it (then its hint shows). */
export function markScrolls(root = document) {
  for (const box of root.querySelectorAll(".table-scroll")) {
    box.classList.toggle("scrolls", box.scrollWidth > box.clientWidth + 1);
  }
}
