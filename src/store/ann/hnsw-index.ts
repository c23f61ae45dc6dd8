import { StoreError } from "../store-error.js";
import { type UsearchIndex, loadUsearch } from "./load-usearch.js";

/** How vectors are held inside the graph. Results are re-scored exactly from the store, so f16 costs little recall. */
export type IndexQuantization = "f32" | "f16";

/** HNSW settings. connectivity = M (links per node), efConstruction/efSearch = candidate list sizes. */
export interface HnswParams {
  connectivity: number;
  efConstruction: number;
  /** Default candidate list size of a search; each search may ask for another. */
  efSearch: number;
  quantization: IndexQuantization;
}

/** Chosen by measurement (bench/store/RESULTS.md): see the README's approximate search section. */
export const DEFAULT_HNSW_PARAMS: Readonly<HnswParams> = Object.freeze({
  connectivity: 32,
  efConstruction: 128,
  efSearch: 128,
  quantization: "f16",
});

/** Rows added per native call while building: small enough to report progress, large enough to keep both threads busy. */
const BUILD_BATCH = 20_000;

/**
 * An HNSW graph over a store's rows, through usearch. Keys are row numbers (the store's rows are dense),
 * so the index is only valid for the exact vector matrix it was built from; the caller checks that.
 *
 * Distances are inner products of unit vectors (1 − cosine). The index is only asked for candidates:
 * the search's expansion is max(configured, wanted) in usearch, so the native index is created with
 * the smallest expansion and a search passes its ef as the number wanted, which makes ef a per-query
 * setting without rebuilding or reloading the native object.
 */
export class HnswIndex {
  private constructor(
    private readonly native: UsearchIndex,
    readonly dimensions: number,
    readonly params: Readonly<HnswParams>,
  ) {}

  /** Builds over `rows` vectors of `dims` floats in `vectors` (row-major); calls onProgress(done, rows) between batches. */
  static build(vectors: Float32Array, rows: number, dims: number, params: HnswParams, options: { threads?: number; onProgress?: (done: number, total: number) => void } = {}): HnswIndex {
    checkParams(params);
    if (vectors.length < rows * dims) throw new StoreError("STORE_INTERNAL", `Index build given ${vectors.length} floats for ${rows} × ${dims}.`);
    const index = new HnswIndex(createNative(dims, params), dims, params);
    for (let start = 0; start < rows; start += BUILD_BATCH) {
      const end = Math.min(rows, start + BUILD_BATCH);
      const keys = new BigUint64Array(end - start);
      for (let r = start; r < end; r++) keys[r - start] = BigInt(r);
      index.native.add(keys, vectors.subarray(start * dims, end * dims), options.threads ?? 0);
      options.onProgress?.(end, rows);
    }
    return index;
  }

  /** Loads a file written by save(). The caller has checked its checksum: usearch trusts what it reads. */
  static load(file: string, dims: number, params: HnswParams): HnswIndex {
    checkParams(params);
    const native = createNative(dims, params);
    native.load(file);
    if (native.dimensions() !== dims) {
      throw new StoreError("STORE_INDEX_CORRUPT", `The index file holds ${native.dimensions()}-dimensional vectors; the store holds ${dims}.`, {
        where: { file },
        hint: "Rebuild it with `sentivec store index`.",
      });
    }
    return new HnswIndex(native, dims, params);
  }

  /** Rows in the graph. */
  get size(): number {
    return this.native.size();
  }

  /**
   * Up to `ef` rows near `query` (a unit vector), nearest first by the index's (possibly f16) distance.
   * The graph search visits ef candidates whatever is asked for, so returning all of them costs nothing
   * and lets the caller re-score exactly and keep the best.
   */
  candidates(query: Float32Array, ef: number): number[] {
    if (this.size === 0) return [];
    // threads = 1: one query gains nothing from a thread pool and would pay to start one.
    const { keys } = this.native.search(query, Math.max(1, ef), 1);
    const rows: number[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) rows[i] = Number(keys[i]);
    return rows;
  }

  /** Writes the graph (and its copy of the vectors) to `file`, not atomically: the caller writes to a temp name and renames. */
  save(file: string): void {
    this.native.save(file);
  }
}

function createNative(dims: number, params: HnswParams): UsearchIndex {
  const { Index } = loadUsearch();
  // expansion_search 1: the effective ef is max(this, wanted), and each search passes its own (see class comment).
  return new Index({ dimensions: dims, metric: "ip", quantization: params.quantization, connectivity: params.connectivity, expansion_add: params.efConstruction, expansion_search: 1, multi: false });
}

export function checkParams(p: HnswParams): void {
  const whole = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new StoreError("STORE_INDEX_OPTIONS", `${name} must be a whole number from ${min} to ${max}; got ${v}.`);
    }
  };
  whole("connectivity", p.connectivity, 2, 256);
  whole("efConstruction", p.efConstruction, 1, 100_000);
  whole("efSearch", p.efSearch, 1, 100_000);
  if (p.quantization !== "f32" && p.quantization !== "f16") {
    throw new StoreError("STORE_INDEX_OPTIONS", `quantization must be "f32" or "f16"; got ${JSON.stringify(p.quantization)}.`);
  }
}
