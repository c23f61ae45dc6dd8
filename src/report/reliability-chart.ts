import { argmax } from "../util/argmax.js";
import { reliabilityCurve } from "../evaluate/reliability-curve.js";
import type { ScoredRows } from "../evaluate/scored-rows.js";
import { axes, classColour, escapeXml, legend, num, scales, svgOpen } from "./svg.js";

/**
 * Reliability diagram as SVG: mean predicted probability against observed frequency in ten bins,
 * with the diagonal of perfect calibration and, underneath, how many rows each bin holds. Two classes:
 * the positive (second) label's probability against how often it was the true one. More classes: the
 * top class's probability (confidence) against how often that class was right. The Brier score (given:
 * it is the report's own figure) is in the title.
 */
export function reliabilityChart(rows: ScoredRows, brier: number | null): string {
  const K = rows.labels.length;
  const binary = K === 2;
  const p = binary ? rows.proba.map((r) => r[1]) : rows.proba.map((r) => r[argmax(r)]);
  const happened = binary ? Array.from(rows.yTrue, (t) => (t === 1 ? 1 : 0)) : rows.proba.map((r, i) => (argmax(r) === rows.yTrue[i] ? 1 : 0));
  const curve = reliabilityCurve(p, happened, 10);
  const f = { width: 440, height: 360, left: 52, right: 16, top: 28, bottom: 44 };
  const { x, y } = scales(f);
  const title = `Reliability${brier === null ? "" : ` (Brier score ${brier.toFixed(4)})`}`;
  const parts: string[] = [svgOpen(f, "reliability", `${title}: predicted probability against observed frequency`)];
  parts.push(`<text x="${f.left}" y="18" font-size="13" font-weight="600">${escapeXml(title)}</text>`);
  parts.push(axes(f, { xLabel: binary ? `predicted P(${rows.labels[1]})` : "confidence (probability of the predicted class)", yLabel: binary ? `observed share of ${rows.labels[1]}` : "observed accuracy" }));
  parts.push(`<line x1="${num(x(0))}" y1="${num(y(0))}" x2="${num(x(1))}" y2="${num(y(1))}" stroke="#999" stroke-dasharray="4 3"/>`);
  // Bin sizes as faint bars along the bottom fifth, scaled to the fullest bin.
  const most = Math.max(1, ...curve.bins.map((b) => b.count));
  for (const b of curve.bins) {
    const h = (b.count / most) * 0.2;
    parts.push(`<rect class="bin-count" data-count="${b.count}" x="${num(x(b.from) + 1)}" y="${num(y(h))}" width="${num(x(b.to) - x(b.from) - 2)}" height="${num(y(0) - y(h))}" fill="#bbb" fill-opacity="0.6"/>`);
  }
  const filled = curve.bins.filter((b) => b.count > 0);
  const colour = classColour(0);
  parts.push(`<path class="curve" d="${filled.map((b, i) => `${i === 0 ? "M" : "L"}${num(x(b.meanPredicted))} ${num(y(b.observed))}`).join("")}" fill="none" stroke="${colour}" stroke-width="2"/>`);
  for (const b of filled) {
    parts.push(`<circle class="point" cx="${num(x(b.meanPredicted))}" cy="${num(y(b.observed))}" r="3.5" fill="${colour}"><title>${b.count} rows: predicted ${b.meanPredicted.toFixed(3)}, observed ${b.observed.toFixed(3)}</title></circle>`);
  }
  parts.push(legend(f, [{ label: `model (ECE ${curve.ece.toFixed(3)})`, colour }, { label: "perfectly calibrated", colour: "#999", dashed: true }], "top-left"));
  parts.push(`</svg>`);
  return parts.join("");
}
