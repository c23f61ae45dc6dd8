import type { Matrix } from "../util/matrix.js";

/** At most this many bins per feature, so a code fits in a byte. */
export const MAX_BINS = 256;

/**
 * Maps each feature's float values to at most 256 quantile bins, once per fit, so trees search splits
 * over bin histograms instead of sorting. A value x falls in bin b when edges[b-1] < x <= edges[b]; a
 * split "code <= b" is therefore exactly "x <= edges[b]", which is how trees predict on raw floats.
 *
 * Edges are float32 midpoints between neighbouring training values (scikit-learn puts thresholds
 * midway too), so training rows land on the same side whether binned or compared raw.
 */
export class FeatureBinner {
  /** Per feature, the increasing bin edges (one fewer than the feature's bins). */
  readonly edges: Float32Array[];

  private constructor(edges: Float32Array[]) {
    this.edges = edges;
  }

  /**
   * Learns the edges from the training matrix and returns its codes, column-major
   * (`codes[f * rows + i]`), in `shared` memory when workers will read them.
   */
  static fitTransform(m: Matrix, options: { shared?: boolean } = {}): { binner: FeatureBinner; codes: Uint8Array } {
    const { rows, cols, data } = m;
    const codes = new Uint8Array(options.shared ? new SharedArrayBuffer(rows * cols) : new ArrayBuffer(rows * cols));
    const column = new Float32Array(rows);
    const edges: Float32Array[] = new Array(cols);
    for (let f = 0; f < cols; f++) {
      for (let i = 0; i < rows; i++) column[i] = data[i * cols + f];
      const e = quantileEdges(column.slice().sort());
      edges[f] = e;
      const out = codes.subarray(f * rows, (f + 1) * rows);
      for (let i = 0; i < rows; i++) out[i] = binOf(e, column[i]);
    }
    return { binner: new FeatureBinner(edges), codes };
  }
}

/** Index of the first edge >= x (the number of edges below x): x's bin. */
export function binOf(edges: Float32Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Up to MAX_BINS - 1 edges for one sorted column: between every pair of distinct values when there are
 * few, else at evenly spaced ranks (each bin holds about 1/256 of the rows).
 */
function quantileEdges(sorted: Float32Array): Float32Array {
  const n = sorted.length;
  let distinct = n > 0 ? 1 : 0;
  for (let i = 1; i < n && distinct <= MAX_BINS; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const out: number[] = [];
  if (distinct <= MAX_BINS) {
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) out.push(midpoint(sorted[i - 1], sorted[i]));
  } else {
    const max = sorted[n - 1];
    for (let j = 1; j < MAX_BINS; j++) {
      const r = Math.floor((j * n) / MAX_BINS);
      const a = sorted[r - 1];
      const b = sorted[r];
      // Between two distinct neighbours: split midway. Inside a run of equal values: the run goes left.
      const edge = a < b ? midpoint(a, b) : b;
      if (edge >= max) break;
      if (out.length === 0 || edge > out[out.length - 1]) out.push(edge);
    }
  }
  return Float32Array.from(out);
}

/** A float32 m with a <= m < b, as close to the middle as float32 allows. */
function midpoint(a: number, b: number): number {
  const m = Math.fround(a / 2 + b / 2);
  return m >= b ? a : m;
}
