// The dashboard's charts, drawn as SVG by hand: no library, nothing fetched. Every chart is a <figure> with an SVG
// (role="img", its own <title> and <desc>), an HTML legend, and the same numbers in a table for screen readers
// and for anyone who wants the exact values. Colours come from the style sheet (classes c0…c9 set `color`, the
// shapes paint with currentColor), so the CSP's "no inline style" holds and the legend matches the shapes.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
let chartCount = 0;

function svgElement(name, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function element(name, attributes = {}, text = null) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

function defaultFormat(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("en-GB");
}

/** Round numbers for an axis from min to max: about `count` ticks on 1, 2 or 5 times a power of ten. */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) max = min + 1;
  const rough = (max - min) / count;
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) || rough;
  const ticks = [];
  for (let value = Math.floor(min / step) * step; value <= max + step * 1e-9; value += step) {
    ticks.push(Math.round(value / step) * step);
  }
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

/** The frame every chart shares: figure, heading, SVG with title and desc. */
function frame(container, { title, desc, height, kind, width = WIDTH }) {
  chartCount += 1;
  const id = `chart-${chartCount}`;
  container.replaceChildren();
  const figure = element("figure", { class: `chart chart-${kind}`, "data-chart": kind });
  const caption = element("figcaption", { class: "chart-title", id: `${id}-caption` }, title);
  figure.appendChild(caption);
  const svg = svgElement("svg", {
    viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-title ${id}-desc`,
    preserveAspectRatio: "xMidYMid meet", class: "chart-svg",
  });
  svgElement("title", { id: `${id}-title` }, svg).textContent = title;
  svgElement("desc", { id: `${id}-desc` }, svg).textContent = desc;
  figure.appendChild(svg);
  container.appendChild(figure);
  return { figure, svg, id };
}

function emptyNote(figure, svg, height, text, width = WIDTH) {
  const note = svgElement("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "chart-empty" }, svg);
  note.textContent = text || "No data for this period";
  figure.dataset.empty = "true";
}

function legend(figure, names) {
  const list = element("ul", { class: "chart-legend" });
  names.forEach((name, index) => {
    const item = element("li", { class: `c${index % 10}` });
    item.appendChild(element("span", { class: "swatch", "aria-hidden": "true" }));
    item.appendChild(element("span", { class: "legend-label" }, name));
    list.appendChild(item);
  });
  figure.appendChild(list);
}

/** The numbers as a table, closed by default: screen readers and curious people open it. */
function dataTable(figure, caption, head, rows) {
  const details = element("details", { class: "chart-data" });
  details.appendChild(element("summary", {}, "Data table"));
  const table = element("table");
  table.appendChild(element("caption", { class: "visually-hidden" }, caption));
  const headRow = element("tr");
  head.forEach((cell, index) => headRow.appendChild(element("th", { scope: index === 0 ? "row" : "col" }, cell)));
  const thead = element("thead");
  thead.appendChild(headRow);
  table.appendChild(thead);
  const tbody = element("tbody");
  for (const row of rows) {
    const tr = element("tr");
    row.forEach((cell, index) => tr.appendChild(element(index === 0 ? "th" : "td", index === 0 ? { scope: "row" } : {}, cell)));
    tbody.appendChild(tr);
  }
  table.appendChild(tbody);
  details.appendChild(table);
  figure.appendChild(details);
}

function yAxis(svg, ticks, scale, left, right, format) {
  const axis = svgElement("g", { class: "axis axis-y" }, svg);
  for (const tick of ticks) {
    const y = scale(tick);
    svgElement("line", { x1: left, x2: right, y1: y, y2: y, class: tick === 0 ? "gridline gridline-zero" : "gridline" }, axis);
    const label = svgElement("text", { x: left - 8, y: y + 4, "text-anchor": "end", class: "tick" }, axis);
    label.textContent = format(tick);
  }
}

function xLabels(svg, labels, position, bottom, maximum = 8) {
  const axis = svgElement("g", { class: "axis axis-x" }, svg);
  const every = Math.max(1, Math.ceil(labels.length / maximum));
  labels.forEach((label, index) => {
    // Every `every`-th label, and the last one when it does not crowd the one before it.
    const shown = index % every === 0 || (index === labels.length - 1 && index % every >= Math.ceil(every * 0.75));
    if (!shown) return;
    const x = position(index);
    svgElement("line", { x1: x, x2: x, y1: bottom, y2: bottom + 5, class: "tick-mark" }, axis);
    const text = svgElement("text", { x, y: bottom + 20, "text-anchor": "middle", class: "tick" }, axis);
    text.textContent = label;
  });
}

/**
 * Lines over time, one per series: `labels` are the x values (bucket names), each series has `values` (numbers or
 * null for "no answer", drawn as a gap). Options: yMin/yMax (fixed bounds), format (tick and value text).
 */
export function lineChart(container, { title, desc, labels, series, yMin, yMax, format = defaultFormat, emptyText, wide = false }) {
  // A chart across the whole page gets a wider drawing, so it fills the width instead of growing tall.
  const width = wide ? 1200 : WIDTH;
  const height = 280;
  const { figure, svg } = frame(container, { title, desc, height, kind: "line", width });
  figure.dataset.series = String(series.length);
  figure.dataset.points = String(labels.length);
  const all = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  if (labels.length === 0 || series.length === 0 || all.length === 0) {
    emptyNote(figure, svg, height, emptyText, width);
    return figure;
  }
  const [left, right, top, bottom] = [56, width - 28, 16, height - 36];
  const ticks = niceTicks(yMin ?? Math.min(0, ...all), yMax ?? Math.max(...all, 1));
  const low = ticks[0], high = ticks[ticks.length - 1];
  const scale = (v) => bottom - ((v - low) / (high - low)) * (bottom - top);
  const position = (i) => (labels.length === 1 ? (left + right) / 2 : left + (i / (labels.length - 1)) * (right - left));
  yAxis(svg, ticks, scale, left, right, format);
  xLabels(svg, labels, position, bottom, wide ? 14 : 8);
  series.forEach((s, index) => {
    const group = svgElement("g", { class: `series c${index % 10}`, "data-series": s.name }, svg);
    let path = "";
    let pen = false;
    s.values.forEach((value, i) => {
      if (value === null || value === undefined) { pen = false; return; }
      path += `${pen ? "L" : "M"}${position(i).toFixed(1)},${scale(value).toFixed(1)}`;
      pen = true;
    });
    svgElement("path", { d: path, class: "line", fill: "none", stroke: "currentColor" }, group);
    s.values.forEach((value, i) => {
      if (value === null || value === undefined) return;
      const dot = svgElement("circle", { cx: position(i).toFixed(1), cy: scale(value).toFixed(1), r: labels.length > 40 ? 2 : 3.5,
                                         class: "point", fill: "currentColor", "data-value": value }, group);
      svgElement("title", {}, dot).textContent = `${s.name}, ${labels[i]}: ${format(value)}`;
    });
  });
  legend(figure, series.map((s) => s.name));
  dataTable(figure, title, ["", ...series.map((s) => s.name)],
            labels.map((label, i) => [label, ...series.map((s) => format(s.values[i]))]));
  return figure;
}

/**
 * Bars per category, side by side or stacked (`stacked: true`), vertical or horizontal (`horizontal: true`).
 * Each series has one value per category.
 */
export function barChart(container, { title, desc, categories, series, stacked = false, horizontal = false,
                                       format = defaultFormat, emptyText, onSelect }) {
  const height = horizontal ? Math.max(120, 28 * categories.length + 40) : 280;
  const { figure, svg } = frame(container, { title, desc, height, kind: horizontal ? "hbar" : "bar" });
  figure.dataset.series = String(series.length);
  figure.dataset.categories = String(categories.length);
  const totals = categories.map((_, i) => (stacked ? series.reduce((sum, s) => sum + (s.values[i] || 0), 0)
                                                   : Math.max(0, ...series.map((s) => s.values[i] || 0))));
  if (categories.length === 0 || series.length === 0 || Math.max(0, ...totals) === 0) {
    emptyNote(figure, svg, height, emptyText);
    if (series.length > 1) legend(figure, series.map((s) => s.name));
    return figure;
  }
  const ticks = niceTicks(0, Math.max(...totals, 1), horizontal ? 4 : 5);
  const high = ticks[ticks.length - 1];
  if (horizontal) {
    const [left, right, top] = [170, WIDTH - 64, 8];
    const band = 28;
    const axis = svgElement("g", { class: "axis axis-x" }, svg);
    const scale = (v) => left + (v / high) * (right - left);
    const bottom = top + band * categories.length;
    for (const tick of ticks) {
      svgElement("line", { x1: scale(tick), x2: scale(tick), y1: top, y2: bottom, class: tick === 0 ? "gridline gridline-zero" : "gridline" }, axis);
      svgElement("text", { x: scale(tick), y: bottom + 18, "text-anchor": "middle", class: "tick" }, axis).textContent = format(tick);
    }
    categories.forEach((category, i) => {
      const y = top + i * band;
      svgElement("text", { x: left - 8, y: y + band / 2 + 4, "text-anchor": "end", class: "tick category" }, svg).textContent = category;
      let start = 0;
      series.forEach((s, index) => {
        const value = s.values[i] || 0;
        const bar = svgElement("rect", {
          x: scale(start).toFixed(1), y: y + 4, width: Math.max(0, scale(start + value) - scale(start)).toFixed(1), height: band - 8,
          class: `bar c${(series.length > 1 ? index : i) % 10}`, fill: "currentColor", "data-category": category, "data-series": s.name,
          "data-value": value,
        }, svg);
        svgElement("title", {}, bar).textContent = `${category}${series.length > 1 ? ", " + s.name : ""}: ${format(value)}`;
        if (stacked) start += value;
      });
      const total = stacked ? start : (series[0].values[i] || 0);
      svgElement("text", { x: scale(total) + 6, y: y + band / 2 + 4, class: "value" }, svg).textContent = format(total);
    });
  } else {
    const [left, right, top, bottom] = [56, WIDTH - 16, 16, height - 36];
    const scale = (v) => bottom - (v / high) * (bottom - top);
    yAxis(svg, ticks, scale, left, right, format);
    const band = (right - left) / categories.length;
    const position = (i) => left + band * (i + 0.5);
    xLabels(svg, categories, position, bottom);
    const inner = Math.max(2, band * 0.7);
    categories.forEach((category, i) => {
      let start = 0;
      series.forEach((s, index) => {
        const value = s.values[i] || 0;
        const width = stacked ? inner : inner / series.length;
        const x = stacked ? position(i) - inner / 2 : position(i) - inner / 2 + index * width;
        const bar = svgElement("rect", {
          x: x.toFixed(1), y: scale(start + value).toFixed(1), width: width.toFixed(1),
          height: Math.max(0, scale(start) - scale(start + value)).toFixed(1),
          class: `bar c${index % 10}`, fill: "currentColor", "data-category": category, "data-series": s.name, "data-value": value,
        }, svg);
        svgElement("title", {}, bar).textContent = `${category}, ${s.name}: ${format(value)}`;
        if (stacked) start += value;
      });
    });
  }
  if (onSelect) {
    figure.addEventListener("click", (event) => {
      const category = event.target.closest && event.target.closest("rect.bar")?.dataset.category;
      if (category) onSelect(category);
    });
  }
  if (series.length > 1) legend(figure, series.map((s) => s.name));
  dataTable(figure, title, ["", ...series.map((s) => s.name)],
            categories.map((category, i) => [category, ...series.map((s) => format(s.values[i] || 0))]));
  return figure;
}

/** Steps that narrow: each bar's width is its share of the first step, with the share of the step before. */
export function funnelChart(container, { title, desc, steps, format = defaultFormat, emptyText }) {
  const band = 58;
  const height = 16 + band * steps.length;
  const { figure, svg } = frame(container, { title, desc, height, kind: "funnel" });
  figure.dataset.steps = String(steps.length);
  const first = steps[0]?.value || 0;
  if (steps.length === 0 || first === 0) {
    emptyNote(figure, svg, height, emptyText);
    return figure;
  }
  const full = WIDTH - 40;
  steps.forEach((step, i) => {
    const width = Math.min(full, Math.max(4, (step.value / first) * full));
    const y = 8 + i * band;
    const rect = svgElement("rect", { x: ((WIDTH - width) / 2).toFixed(1), y, width: width.toFixed(1), height: band - 22, rx: 4,
                                      class: `funnel-step c${i % 10}`, fill: "currentColor", "data-step": step.label,
                                      "data-value": step.value }, svg);
    const share = i === 0 ? "" : ` (${percent(step.value, steps[i - 1].value)} of the step before)`;
    svgElement("title", {}, rect).textContent = `${step.label}: ${format(step.value)}${share}`;
    const label = svgElement("text", { x: WIDTH / 2, y: y + band - 8, "text-anchor": "middle", class: "funnel-label" }, svg);
    label.textContent = `${step.label}: ${format(step.value)}${i === 0 ? "" : " · " + percent(step.value, steps[i - 1].value)}`;
  });
  dataTable(figure, title, ["Step", "Count", "Of the step before"],
            steps.map((step, i) => [step.label, format(step.value), i === 0 ? "–" : percent(step.value, steps[i - 1].value)]));
  return figure;
}

function percent(part, whole) {
  return whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : "–";
}

/** Parts of a whole as a ring, the total in the middle. */
export function donutChart(container, { title, desc, slices, format = defaultFormat, emptyText, centerLabel = "total" }) {
  const height = 240;
  const { figure, svg } = frame(container, { title, desc, height, kind: "donut" });
  figure.dataset.slices = String(slices.length);
  const total = slices.reduce((sum, s) => sum + (s.value || 0), 0);
  if (total === 0) {
    emptyNote(figure, svg, height, emptyText);
    legend(figure, slices.map((s) => s.label));
    return figure;
  }
  const [cx, cy, outer, inner] = [WIDTH / 2, height / 2, 105, 62];
  let angle = -Math.PI / 2;
  slices.forEach((slice, index) => {
    const value = slice.value || 0;
    if (value === 0) return;
    const sweep = (value / total) * Math.PI * 2;
    const path = value === total ? ring(cx, cy, outer, inner) : arc(cx, cy, outer, inner, angle, angle + sweep);
    const shape = svgElement("path", { d: path, class: `slice c${index % 10}`, fill: "currentColor", "fill-rule": "evenodd",
                                       "data-slice": slice.label, "data-value": value }, svg);
    svgElement("title", {}, shape).textContent = `${slice.label}: ${format(value)} (${percent(value, total)})`;
    angle += sweep;
  });
  svgElement("text", { x: cx, y: cy + 2, "text-anchor": "middle", class: "donut-total" }, svg).textContent = format(total);
  svgElement("text", { x: cx, y: cy + 22, "text-anchor": "middle", class: "tick" }, svg).textContent = centerLabel;
  legend(figure, slices.map((s) => `${s.label}: ${format(s.value || 0)} (${percent(s.value || 0, total)})`));
  dataTable(figure, title, ["", "Count", "Share"], slices.map((s) => [s.label, format(s.value || 0), percent(s.value || 0, total)]));
  return figure;
}

function arc(cx, cy, outer, inner, from, to) {
  const point = (r, a) => `${(cx + r * Math.cos(a)).toFixed(2)},${(cy + r * Math.sin(a)).toFixed(2)}`;
  const large = to - from > Math.PI ? 1 : 0;
  return `M${point(outer, from)} A${outer},${outer} 0 ${large} 1 ${point(outer, to)} ` +
         `L${point(inner, to)} A${inner},${inner} 0 ${large} 0 ${point(inner, from)} Z`;
}

function ring(cx, cy, outer, inner) {
  const circle = (r) => `M${cx - r},${cy} a${r},${r} 0 1 0 ${2 * r},0 a${r},${r} 0 1 0 ${-2 * r},0 Z`;
  return `${circle(outer)} ${circle(inner)}`;
}
