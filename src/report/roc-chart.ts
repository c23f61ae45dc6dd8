import { rocAuc, rocCurve } from "../evaluate/roc-auc.js";
import type { ScoredRows } from "../evaluate/scored-rows.js";
import { axes, classColour, escapeXml, legend, num, scales, svgOpen } from "./svg.js";

/**
 * ROC curve(s) as SVG: for two classes, one curve of the second (positive) label's probability; for
 * more, one-vs-rest, one curve per class of that class's probability. Each is labelled with its AUC.
 * A class absent from the rows (or present in all of them) has no curve, and the legend says so.
 */
export function rocChart(rows: ScoredRows): string {
  const K = rows.labels.length;
  const f = { width: 440, height: 360, left: 52, right: 16, top: 28, bottom: 44 };
  const { x, y } = scales(f);
  const classes = K === 2 ? [1] : Array.from({ length: K }, (_, c) => c);
  const parts: string[] = [svgOpen(f, "roc", K === 2 ? "ROC curve" : "ROC curves, one class against the rest")];
  parts.push(`<text x="${f.left}" y="18" font-size="13" font-weight="600">${K === 2 ? `ROC curve (positive: ${escapeXml(rows.labels[1])})` : "ROC curves (one-vs-rest)"}</text>`);
  parts.push(axes(f, { xLabel: "false positive rate", yLabel: "true positive rate" }));
  parts.push(`<line x1="${num(x(0))}" y1="${num(y(0))}" x2="${num(x(1))}" y2="${num(y(1))}" stroke="#999" stroke-dasharray="4 3"/>`);
  const items: { label: string; colour: string; dashed?: boolean }[] = [];
  for (const c of classes) {
    const isC = Array.from(rows.yTrue, (t) => (t === c ? 1 : 0));
    const score = rows.proba.map((p) => p[c]);
    const positives = isC.reduce((a: number, b) => a + b, 0);
    const name = K === 2 ? rows.labels[1] : rows.labels[c];
    if (positives === 0 || positives === isC.length) {
      items.push({ label: `${name}: no curve (class ${positives === 0 ? "absent" : "only"})`, colour: "#bbb", dashed: true });
      continue;
    }
    const { fpr, tpr } = rocCurve(isC, score);
    const d = fpr.map((v, i) => `${i === 0 ? "M" : "L"}${num(x(v))} ${num(y(tpr[i]))}`).join("");
    const colour = classColour(K === 2 ? 0 : c);
    parts.push(`<path class="curve" data-class="${escapeXml(name)}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    items.push({ label: `${name}: AUC ${rocAuc(isC, score).toFixed(3)}`, colour });
  }
  parts.push(legend(f, items));
  parts.push(`</svg>`);
  return parts.join("");
}
