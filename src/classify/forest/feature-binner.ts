import { isMatrix, type Matrix, type RowList } from "../../util/matrix.js";
import { radixOrder, splitMidpoint } from "./tree-builder.js";

/** Default bins per feature: a code fits in a byte. */
export const MAX_BINS = 256;

/** Most bins an option may ask for: codes then take 16 bits. */
export const MAX_BINS_LIMIT = 65535;

/** Bin codes of every row for every feature: one byte each up to 256 bins, two bytes above. */
export type BinCodes = Uint8Array | Uint16Array;

/**
 * Maps each feature's float values to at most `maxBins` (default 256) quantile bins, once per fit, so trees search splits
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
   * Learns the edges from the training matrix (or rows held separately) and returns its codes, row-major
   * (`codes[i * cols + f]`), in `shared` memory when workers will read them. One copy only: the codes
   * are the largest thing a fit adds to the data (a quarter of the float32 rows), and tree building reads
   * every node's rows (see growTree), so no column-major copy is kept beside them.
   */
  static fitTransform(
    m: Matrix | RowList,
    options: { shared?: boolean; maxBins?: number } = {},
  ): { binner: FeatureBinner; codes: BinCodes; nBins: number } {
    const { rows, cols } = m;
    const data = isMatrix(m) ? m.data : undefined;
    const list = isMatrix(m) ? undefined : m.list;
    const maxBins = options.maxBins ?? MAX_BINS;
    const wide = maxBins > 256;
    const codeBytes = wide ? 2 : 1;
    const allocate = (count: number): BinCodes => {
      const buffer = options.shared ? new SharedArrayBuffer(count * codeBytes) : new ArrayBuffer(count * codeBytes);
      return wide ? new Uint16Array(buffer) : new Uint8Array(buffer);
    };
    const codes = allocate(rows * cols);
    let nBins = 1;
    const edges: Float32Array[] = new Array(cols);
    // Columns are read BLOCK at a time: one pass over the row-major rows fills BLOCK column buffers,
    // instead of a cache-missing strided pass per column.
    const BLOCK = 16;
    const block = new Float32Array(BLOCK * rows);
    // The block's codes column by column, then copied into the rows BLOCK bytes at a time.
    const blockCodes = wide ? new Uint16Array(BLOCK * rows) : new Uint8Array(BLOCK * rows);
    const sorter = new ColumnSorter(rows);
    for (let f0 = 0; f0 < cols; f0 += BLOCK) {
      const width = Math.min(BLOCK, cols - f0);
      if (data !== undefined) {
        for (let i = 0; i < rows; i++) {
          const at = i * cols + f0;
          for (let j = 0; j < width; j++) block[j * rows + i] = data[at + j];
        }
      } else {
        for (let i = 0; i < rows; i++) {
          const row = list![i];
          for (let j = 0; j < width; j++) block[j * rows + i] = row[f0 + j];
        }
      }
      for (let j = 0; j < width; j++) {
        const sorted = sorter.sort(block.subarray(j * rows, (j + 1) * rows));
        const e = quantileEdges(sorted, maxBins);
        edges[f0 + j] = e;
        if (e.length + 1 > nBins) nBins = e.length + 1;
        // Walking the sorted values alongside the edges bins every row without a search.
        const out = blockCodes.subarray(j * rows, (j + 1) * rows);
        const order = sorter.order;
        let bin = 0;
        for (let p = 0; p < rows; p++) {
          const x = sorted[p];
          while (bin < e.length && x > e[bin]) bin++;
          out[order[p]] = bin;
        }
      }
      for (let i = 0; i < rows; i++) {
        const at = i * cols + f0;
        for (let j = 0; j < width; j++) codes[at + j] = blockCodes[j * rows + i];
      }
    }
    return { binner: new FeatureBinner(edges), codes, nBins };
  }
}

/**
 * Sorts float32 columns with the exact nodes' radix sort (radixOrder in tree-builder.ts), remembering
 * where each value came from: several times faster than a comparison sort, and the positions let the
 * caller bin every row in one walk.
 */
class ColumnSorter {
  /** After `sort`, order[p] is the row of the p-th smallest value. */
  order: Int32Array;
  private readonly keys: Uint32Array;
  private readonly keysTemp: Uint32Array;
  private readonly pos: Int32Array;
  private readonly posTemp: Int32Array;
  private readonly sorted: Float32Array;
  private readonly counts = new Int32Array(1024);

  constructor(size: number) {
    this.keys = new Uint32Array(size);
    this.keysTemp = new Uint32Array(size);
    this.pos = new Int32Array(size);
    this.posTemp = new Int32Array(size);
    this.sorted = new Float32Array(size);
    this.order = this.pos;
  }

  /** The column's values in increasing order (a view valid until the next call). */
  sort(column: Float32Array): Float32Array {
    const n = column.length;
    const bits = new Uint32Array(column.buffer, column.byteOffset, n);
    this.order = radixOrder(bits, n, this.keys, this.keysTemp, this.pos, this.posTemp, this.counts);
    const order = this.order;
    const sorted = this.sorted;
    for (let p = 0; p < n; p++) sorted[p] = column[order[p]];
    return sorted.subarray(0, n);
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
 * Up to maxBins - 1 edges for one sorted column: between every pair of distinct values when there are
 * few (then splits are exact, as scikit-learn's), else at evenly spaced ranks (each bin holds about
 * 1/maxBins of the rows).
 */
function quantileEdges(sorted: Float32Array, maxBins: number): Float32Array {
  const n = sorted.length;
  let distinct = n > 0 ? 1 : 0;
  for (let i = 1; i < n && distinct <= maxBins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const out: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) out.push(splitMidpoint(sorted[i - 1], sorted[i]));
  } else {
    const max = sorted[n - 1];
    for (let j = 1; j < maxBins; j++) {
      const r = Math.floor((j * n) / maxBins);
      const a = sorted[r - 1];
      const b = sorted[r];
      // Between two distinct neighbours: split midway. Inside a run of equal values: the run goes left.
      const edge = a < b ? splitMidpoint(a, b) : b;
      if (edge >= max) break;
      if (out.length === 0 || edge > out[out.length - 1]) out.push(edge);
    }
  }
  return Float32Array.from(out);
}

