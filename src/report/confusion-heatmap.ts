import { escapeXml, num, svgOpen } from "./svg.js";

/**
 * The confusion matrix as an SVG heatmap: rows are true classes, columns predicted ones; each cell's
 * shade is the share of its row (so a rare class's errors show as clearly as a common one's), and it
 * is labelled with the count and that share.
 */
export function confusionHeatmap(labels: string[], confusion: number[][]): string {
  const K = labels.length;
  const cell = K <= 4 ? 72 : K <= 8 ? 52 : 36;
  const nameW = Math.min(140, 16 + labels.reduce((w, l) => Math.max(w, l.length), 4) * 7);
  const f = { width: nameW + K * cell + 40, height: 56 + K * cell + 58, left: nameW + 20, top: 40, right: 20, bottom: 58 };
  const parts: string[] = [svgOpen(f, "confusion", "Confusion matrix: rows are true classes, columns predicted classes")];
  parts.push(`<text x="${num(f.left + (K * cell) / 2)}" y="18" text-anchor="middle" font-size="12">predicted</text>`);
  confusion.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    parts.push(`<text x="${f.left - 8}" y="${num(f.top + t * cell + cell / 2 + 4)}" text-anchor="end" font-size="11">${escapeXml(labels[t])}</text>`);
    row.forEach((v, p) => {
      const share = total > 0 ? v / total : 0;
      const x = f.left + p * cell;
      const y = f.top + t * cell;
      const fill = shade(share);
      const ink = share > 0.55 ? "#fff" : "#111";
      parts.push(
        `<g class="cell" data-true="${t}" data-predicted="${p}" data-count="${v}">` +
          `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"/>` +
          `<text x="${num(x + cell / 2)}" y="${num(y + cell / 2)}" text-anchor="middle" font-size="${cell >= 52 ? 13 : 10}" fill="${ink}">${v}</text>` +
          (cell >= 52 ? `<text x="${num(x + cell / 2)}" y="${num(y + cell / 2 + 15)}" text-anchor="middle" font-size="10" fill="${ink}">${num(share * 100, 1)}%</text>` : "") +
          `</g>`,
      );
    });
  });
  labels.forEach((l, p) => {
    const x = f.left + p * cell + cell / 2;
    parts.push(`<text transform="translate(${num(x)} ${f.top + K * cell + 12}) rotate(30)" font-size="11">${escapeXml(l)}</text>`);
  });
  parts.push(`<text transform="translate(12 ${num(f.top + (K * cell) / 2)}) rotate(-90)" text-anchor="middle" font-size="12">true</text>`);
  parts.push(`</svg>`);
  return parts.join("");
}

/** White to dark blue by share (0..1). */
function shade(share: number): string {
  const a = [247, 251, 255];
  const b = [8, 48, 107];
  const c = a.map((v, i) => Math.round(v + (b[i] - v) * share));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
