// Hand-drawn SVG charts: grouped horizontal bars and a line chart. Each one is an image with a
// text alternative; the table beside it carries the figures for screen readers.
import { h, svg, uniqueId } from "./dom.js";
import { count } from "./format.js";

const WIDTH = 640;

/** About how wide a label is drawn at 13px: CJK glyphs are square, Latin ones about half. */
function textWidth(text) {
  let width = 0;
  for (const char of String(text)) width += char.codePointAt(0) > 0x2e80 ? 13 : 7.5;
  return width;
}

/** A count axis: a whole, round step (1, 2 or 5 × 10^k) and the top tick at or above `max`. */
function scale(max, steps = 4) {
  const rough = Math.max(1, max / steps);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough);
  const top = Math.max(step, Math.ceil(max / step) * step);
  return { top, ticks: Array.from({ length: top / step + 1 }, (_, i) => i * step) };
}

function frame(label, height, ...children) {
  const titleId = uniqueId("chart");
  return svg(
    "svg",
    {
      class: "chart",
      role: "img",
      "aria-labelledby": titleId,
      viewBox: `0 0 ${WIDTH} ${height}`,
      preserveAspectRatio: "xMinYMin meet",
    },
    svg("title", { id: titleId, text: label }),
    ...children,
  );
}

export function legend(series) {
  return h(
    "ul",
    { class: "legend", "aria-hidden": "true" },
    series.map((s) => h("li", {}, h("span", { class: `swatch ${s.css}` }), s.name)),
  );
}

/** Grouped horizontal bars: one group per row, one bar per series. */
export function barChart({ label, rows, series }) {
  const labelWidth = Math.min(220, 12 + Math.max(40, ...rows.map((row) => textWidth(row.label))));
  const bar = 12;
  const group = series.length * bar + 14;
  const top = 22;
  const height = top + rows.length * group + 8;
  const span = WIDTH - labelWidth - 60;
  const axis = scale(Math.max(0, ...rows.flatMap((row) => row.values)));
  const x = (value) => labelWidth + (value / axis.top) * span;
  const grid = axis.ticks.map((value) =>
    svg(
      "g",
      { class: "tick" },
      svg("line", { x1: x(value), x2: x(value), y1: top - 4, y2: height - 4 }),
      svg("text", { x: x(value), y: 12, "text-anchor": "middle", text: count(value) }),
    ),
  );
  const groups = rows.map((row, i) => {
    const y0 = top + i * group;
    return svg(
      "g",
      {},
      svg("text", { class: "row-label", x: labelWidth - 8, y: y0 + (series.length * bar) / 2 + 4, "text-anchor": "end", text: row.label }),
      series.map((s, j) =>
        svg(
          "g",
          {},
          svg(
            "rect",
            { class: `bar ${s.css}`, x: labelWidth, y: y0 + j * bar, width: Math.max(0, x(row.values[j]) - labelWidth), height: bar - 2 },
            svg("title", { text: `${row.label} · ${s.name}: ${count(row.values[j])}` }),
          ),
          svg("text", { class: "bar-value", x: x(row.values[j]) + 4, y: y0 + j * bar + bar - 3, text: count(row.values[j]) }),
        ),
      ),
    );
  });
  return h("figure", { class: "chart-box" }, frame(label, height, grid, groups), legend(series));
}

/** Lines over months: one polyline per series, a dot with its value on each point. */
export function lineChart({ label, labels, series }) {
  const left = 56;
  const right = 28;
  const top = 16;
  const bottom = 28;
  const height = 240;
  const axisScale = scale(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotWidth = WIDTH - left - right;
  const step = labels.length > 1 ? plotWidth / (labels.length - 1) : 0;
  const x = (i) => left + (labels.length > 1 ? i * step : plotWidth / 2);
  const y = (value) => top + (1 - value / axisScale.top) * (height - top - bottom);
  const grid = axisScale.ticks.map((value) =>
    svg(
      "g",
      { class: "tick" },
      svg("line", { x1: left, x2: WIDTH - right, y1: y(value), y2: y(value) }),
      svg("text", { x: left - 6, y: y(value) + 4, "text-anchor": "end", text: count(value) }),
    ),
  );
  const every = Math.ceil(labels.length / 12);
  // "2026-01" where a year starts (and first), "02" after it: short enough for twelve months.
  const short = (text, i) => (i === 0 || text.endsWith("-01") ? text : text.slice(5));
  const axis = labels.map((text, i) =>
    i % every === 0
      ? svg("text", { class: "axis-label", x: x(i), y: height - 8, "text-anchor": "middle", text: short(text, i) })
      : null,
  );
  const lines = series.map((s) =>
    svg(
      "g",
      { class: `series ${s.css}` },
      svg("polyline", { points: s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ") }),
      s.values.map((v, i) =>
        svg("circle", { cx: x(i), cy: y(v), r: 3.5 }, svg("title", { text: `${labels[i]} · ${s.name}: ${count(v)}` })),
      ),
    ),
  );
  return h("figure", { class: "chart-box" }, frame(label, height, grid, axis, lines), legend(series));
}
