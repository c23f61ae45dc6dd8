/**
 * The few SVG pieces sentivec's charts share: escaping, a plot frame with axes and ticks, a palette.
 * Charts are plain SVG strings with fixed viewBoxes, so a report needs no script, font or network,
 * and the same markup shows in a browser, in a notebook cell (tslab display HTML) and in a saved file.
 */

/** Escapes text for SVG/HTML element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Colour-blind-safe categorical colours (Okabe–Ito), one per class, cycled past eight. */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];

export function classColour(c: number): string {
  return PALETTE[c % PALETTE.length];
}

/** A number with up to `digits` decimals and no trailing zeros, for coordinates and tick labels. */
export function num(x: number, digits = 2): string {
  return Number(x.toFixed(digits)).toString();
}

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Maps data in [0, xMax] × [0, yMax] into a frame's plot area (y grows upwards). */
export function scales(f: Frame, xMax = 1, yMax = 1): { x: (v: number) => number; y: (v: number) => number } {
  const w = f.width - f.left - f.right;
  const h = f.height - f.top - f.bottom;
  return { x: (v) => f.left + (v / xMax) * w, y: (v) => f.top + h - (v / yMax) * h };
}

/**
 * The axes of a [0, xMax] × [0, yMax] plot: box, grid lines, ticks with labels, axis titles.
 * `chart` names the chart for tests and styles (data-chart attribute on the root svg).
 */
export function svgOpen(f: Frame, chart: string, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(chart)}" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>`;
}

export function axes(f: Frame, opts: { xLabel: string; yLabel: string; xMax?: number; yMax?: number; xTicks?: number[]; yTicks?: number[]; yFormat?: (v: number) => string }): string {
  const xMax = opts.xMax ?? 1;
  const yMax = opts.yMax ?? 1;
  const { x, y } = scales(f, xMax, yMax);
  const xTicks = opts.xTicks ?? [0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => t * xMax);
  const yTicks = opts.yTicks ?? [0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => t * yMax);
  const yFormat = opts.yFormat ?? ((v: number) => num(v));
  const parts: string[] = [];
  parts.push(`<g class="grid" stroke="#e5e5e5" stroke-width="1">`);
  for (const t of xTicks) parts.push(`<line x1="${num(x(t))}" y1="${num(y(0))}" x2="${num(x(t))}" y2="${num(y(yMax))}"/>`);
  for (const t of yTicks) parts.push(`<line x1="${num(x(0))}" y1="${num(y(t))}" x2="${num(x(xMax))}" y2="${num(y(t))}"/>`);
  parts.push(`</g>`);
  parts.push(`<rect x="${num(x(0))}" y="${num(y(yMax))}" width="${num(x(xMax) - x(0))}" height="${num(y(0) - y(yMax))}" fill="none" stroke="#888"/>`);
  parts.push(`<g class="ticks" font-size="11" fill="#444">`);
  for (const t of xTicks) parts.push(`<text x="${num(x(t))}" y="${num(y(0) + 15)}" text-anchor="middle">${escapeXml(num(t))}</text>`);
  for (const t of yTicks) parts.push(`<text x="${num(x(0) - 6)}" y="${num(y(t) + 4)}" text-anchor="end">${escapeXml(yFormat(t))}</text>`);
  parts.push(`</g>`);
  parts.push(`<text x="${num((x(0) + x(xMax)) / 2)}" y="${f.height - 6}" text-anchor="middle" font-size="12">${escapeXml(opts.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${num((y(0) + y(yMax)) / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(opts.yLabel)}</text>`);
  return parts.join("");
}

/** A legend of coloured line samples, inside the plot area. */
export function legend(f: Frame, items: { label: string; colour: string; dashed?: boolean }[], at: "top-left" | "top-center" | "bottom-right" = "bottom-right"): string {
  const lineH = 16;
  const width = Math.min(240, 34 + items.reduce((w, i) => Math.max(w, i.label.length), 0) * 6.4);
  const x0 = at === "top-left" ? f.left + 8 : at === "top-center" ? (f.left + f.width - f.right - width) / 2 : f.width - f.right - width - 6;
  const y0 = at !== "bottom-right" ? f.top + 8 : f.height - f.bottom - items.length * lineH - 10;
  const rows = items.map(
    (it, i) =>
      `<line x1="${num(x0 + 6)}" y1="${num(y0 + 10 + i * lineH)}" x2="${num(x0 + 24)}" y2="${num(y0 + 10 + i * lineH)}" stroke="${it.colour}" stroke-width="2"${it.dashed ? ' stroke-dasharray="4 3"' : ""}/>` +
      `<text x="${num(x0 + 30)}" y="${num(y0 + 14 + i * lineH)}" font-size="11">${escapeXml(it.label)}</text>`,
  );
  return `<g class="legend"><rect x="${num(x0)}" y="${num(y0)}" width="${num(width)}" height="${items.length * lineH + 6}" fill="#fff" fill-opacity="0.9" stroke="#ccc"/>${rows.join("")}</g>`;
}
