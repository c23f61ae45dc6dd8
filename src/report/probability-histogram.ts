import type { ScoredRows } from "../evaluate/scored-rows.js";
import { axes, classColour, escapeXml, legend, num, scales, svgOpen } from "./svg.js";

const BINS = 20;

/**
 * Histograms of predicted probabilities per true class, as SVG. Two classes: one chart of the positive
 * (second) label's probability, one outline per true class, so the overlap is where the model is
 * unsure. More classes: for each class c, the probability of c among rows whose true class is c
 * (shown as the share of those rows), one outline per class.
 */
export function probabilityHistogram(rows: ScoredRows): string {
  const K = rows.labels.length;
  const binary = K === 2;
  const f = { width: 440, height: 360, left: 52, right: 16, top: 28, bottom: 44 };
  const counts = Array.from({ length: K }, () => new Float64Array(BINS));
  const totals = new Float64Array(K);
  for (let i = 0; i < rows.yTrue.length; i++) {
    const t = rows.yTrue[i];
    const p = binary ? rows.proba[i][1] : rows.proba[i][t];
    counts[t][Math.min(BINS - 1, Math.floor(p * BINS))]++;
    totals[t]++;
  }
  // Shares of each class's rows, so a small class is as visible as a large one.
  const shares = counts.map((c, t) => Array.from(c, (v) => (totals[t] > 0 ? v / totals[t] : 0)));
  // Round the top up to a tick: 5% steps up to 30%, 10% steps above.
  const top = shares.reduce((m, s) => s.reduce((a, v) => Math.max(a, v), m), 0);
  const step = top <= 0.3 ? 0.05 : 0.1;
  const yMax = Math.max(step, Math.ceil(top / step - 1e-9) * step);
  const yTicks = Array.from({ length: Math.round(yMax / step) + 1 }, (_, i) => i * step);
  const { x, y } = scales(f, 1, yMax);
  const title = binary ? `Predicted P(${rows.labels[1]}) by true class` : "Probability of the true class, by class";
  const parts: string[] = [svgOpen(f, "histogram", title)];
  parts.push(`<text x="${f.left}" y="18" font-size="13" font-weight="600">${escapeXml(title)}</text>`);
  parts.push(axes(f, { xLabel: binary ? `predicted P(${rows.labels[1]})` : "predicted probability of the true class", yLabel: "share of the class's rows", yMax, yTicks, yFormat: (v) => `${num(v * 100, 0)}%` }));
  const items: { label: string; colour: string }[] = [];
  shares.forEach((s, t) => {
    if (totals[t] === 0) return;
    const colour = classColour(t);
    // A step outline, so overlapping classes stay readable.
    let d = `M${num(x(0))} ${num(y(0))}`;
    s.forEach((v, b) => (d += `L${num(x(b / BINS))} ${num(y(v))}L${num(x((b + 1) / BINS))} ${num(y(v))}`));
    d += `L${num(x(1))} ${num(y(0))}`;
    parts.push(`<path class="series" data-class="${escapeXml(rows.labels[t])}" d="${d}" fill="${colour}" fill-opacity="0.12" stroke="${colour}" stroke-width="1.8"/>`);
    items.push({ label: `true ${rows.labels[t]} (${totals[t]})`, colour });
  });
  parts.push(legend(f, items, "top-center"));
  parts.push(`</svg>`);
  return parts.join("");
}
