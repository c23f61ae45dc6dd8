import { StoreError } from "../store-error.js";
import { readStoreManifest } from "../store-files.js";
import { DEFAULT_HNSW_PARAMS, type HnswParams, HnswIndex, checkParams } from "./hnsw-index.js";
import { type IndexMeta, INDEX_META_FILE, loadIndexFile, readIndexMeta, writeIndexFiles } from "./index-files.js";

/** Above this many rows, a search with no --approx/--exact uses a fresh index (bench/store/RESULTS.md: below it the exact scan takes a few ms). */
export const AUTO_APPROX_MIN_ROWS = 100_000;

export interface BuildIndexOptions extends Partial<HnswParams> {
  /** Threads for the build; default all cores. */
  threads?: number;
  /** Called between batches of rows (about every 20,000). */
  onProgress?: (done: number, total: number) => void;
}

/** An index attached to a store, as `store.indexInfo()` describes it. */
export interface IndexInfo {
  /** "fresh": built from the store's current vectors; "stale": the store changed since (the index is not used). */
  state: "fresh" | "stale";
  rows: number;
  dimensions: number;
  params: HnswParams;
  buildMs: number;
  builtAt: string;
}

/** What `store.loadIndex(dir)` found. */
export type IndexLoadResult =
  | { state: "fresh"; info: IndexInfo }
  | { state: "stale"; reason: string; meta: IndexMeta }
  | { state: "missing" };

/** The store's side of an index: what it is built over and checked against. */
export interface IndexedRows {
  readonly embedderId: string;
  readonly dimensions: number;
  readonly size: number;
  /** The size × dims unit vectors, row-major (a view of the store's buffer). */
  vectors(): Float32Array;
  /** sha256 of the vectors as a store file holds them (little-endian float32): what identifies them across a save. */
  vectorsSha256(): string;
  /** Changes whenever any row's vector or position changes (add, upsert, remove). */
  readonly vectorsVersion: number;
}

interface Attached {
  index: HnswIndex;
  /** The store's vectorsVersion when the index was built or loaded: it is fresh while that is unchanged. */
  version: number;
  built: Omit<IndexMeta, "format" | "formatVersion" | "library" | "metric" | "indexFile" | "bytes" | "sha256">;
}

/**
 * One store's approximate index: built in memory, saved beside the store, loaded back, and used only
 * while it matches the store's vectors exactly. Keys are row numbers, so any change to the rows (an
 * add, an upsert of a vector, a remove, which moves the last row into the hole) makes it stale; a stale
 * index is never searched: `approx: true` is refused and "auto" scans exactly. Rebuilding is explicit
 * (buildIndex, `sentivec store index`), because at a million rows it takes minutes.
 */
export class StoreIndex {
  private attached: Attached | undefined;

  build(rows: IndexedRows, options: BuildIndexOptions = {}): IndexInfo {
    const params: HnswParams = {
      connectivity: options.connectivity ?? DEFAULT_HNSW_PARAMS.connectivity,
      efConstruction: options.efConstruction ?? DEFAULT_HNSW_PARAMS.efConstruction,
      efSearch: options.efSearch ?? DEFAULT_HNSW_PARAMS.efSearch,
      quantization: options.quantization ?? DEFAULT_HNSW_PARAMS.quantization,
    };
    checkParams(params);
    const version = rows.vectorsVersion;
    const vectorsSha256 = rows.vectorsSha256();
    const t0 = performance.now();
    const index = HnswIndex.build(rows.vectors(), rows.size, rows.dimensions, params, { threads: options.threads, onProgress: options.onProgress });
    this.attached = {
      index,
      version,
      built: { embedderId: rows.embedderId, dimensions: rows.dimensions, count: rows.size, vectorsSha256, params, buildMs: Math.round(performance.now() - t0), builtAt: new Date().toISOString() },
    };
    return this.info(rows)!;
  }

  /** Saves the attached index beside the store saved in `dir`, which must hold the vectors it was built from. */
  save(rows: IndexedRows, dir: string): IndexMeta {
    const a = this.attached;
    if (!a) throw new StoreError("STORE_NO_INDEX", "This store has no index to save.", { hint: "Build one first with buildIndex()." });
    if (a.version !== rows.vectorsVersion) throw staleError("The index was built before the store's rows last changed");
    return writeIndexFiles(dir, a.index, a.built, () => {
      // Under the folder's lock: the store saved there must be the one this index describes.
      const m = readStoreManifest(dir);
      if (m.sha256 !== a.built.vectorsSha256 || m.count !== a.built.count || m.dimensions !== a.built.dimensions) {
        throw new StoreError("STORE_INDEX_STALE", `The store saved in ${dir} (generation ${m.generation}, ${m.count} rows) is not the one this index was built from (${a.built.count} rows); nothing was written.`, {
          where: { file: dir },
          hint: "Save the store there first (store.save(dir)), or, if another process changed it, run `sentivec store index` again.",
        });
      }
    });
  }

  /** Whether the index saved in `dir` fits these rows, from its description alone (the graph is not read). */
  peek(rows: IndexedRows, dir: string): Exclude<IndexLoadResult, { state: "fresh" }> | { state: "fresh"; meta: IndexMeta } {
    const meta = readIndexMeta(dir);
    if (!meta) return { state: "missing" };
    const reason = staleness(rows, meta);
    return reason ? { state: "stale", reason, meta } : { state: "fresh", meta };
  }

  /** Attaches the index saved in `dir` if it was built from exactly this store's vectors. */
  load(rows: IndexedRows, dir: string): IndexLoadResult {
    const peeked = this.peek(rows, dir);
    if (peeked.state !== "fresh") return peeked;
    const meta = peeked.meta;
    const index = loadIndexFile(dir, meta);
    const { format: _f, formatVersion: _v, library: _l, metric: _m, indexFile: _i, bytes: _b, sha256: _s, ...built } = meta;
    this.attached = { index, version: rows.vectorsVersion, built };
    return { state: "fresh", info: this.info(rows)! };
  }

  info(rows: IndexedRows): IndexInfo | undefined {
    const a = this.attached;
    if (!a) return undefined;
    return {
      state: a.version === rows.vectorsVersion ? "fresh" : "stale",
      rows: a.built.count,
      dimensions: a.built.dimensions,
      params: { ...a.built.params },
      buildMs: a.built.buildMs,
      builtAt: a.built.builtAt,
    };
  }

  /**
   * The index to search with, or undefined for an exact scan. `approx` true demands a fresh index;
   * "auto" takes one if it is fresh and the store has at least `autoMinRows` rows.
   */
  pick(rows: IndexedRows, approx: boolean | "auto", autoMinRows = AUTO_APPROX_MIN_ROWS): HnswIndex | undefined {
    if (approx === false) return undefined;
    const a = this.attached;
    const fresh = a !== undefined && a.version === rows.vectorsVersion;
    if (approx === true) {
      if (!a) throw new StoreError("STORE_NO_INDEX", "Approximate search needs an index, and this store has none.", { hint: "Build one with buildIndex() (or `sentivec store index`), load one with loadIndex(dir), or search exactly." });
      if (!fresh) throw staleError("The store's rows changed after its index was built");
      return a.index;
    }
    return fresh && rows.size >= autoMinRows ? a!.index : undefined;
  }

  /** The ef a search uses when it names none. */
  defaultEf(): number {
    return this.attached?.built.params.efSearch ?? DEFAULT_HNSW_PARAMS.efSearch;
  }

  drop(): void {
    this.attached = undefined;
  }
}

/** Why a saved index does not fit `rows`, or "" when it does. */
export function staleness(rows: IndexedRows, meta: IndexMeta): string {
  if (meta.embedderId !== rows.embedderId || meta.dimensions !== rows.dimensions) {
    return `it was built for ${meta.embedderId} (${meta.dimensions} dims), the store holds ${rows.embedderId} (${rows.dimensions} dims)`;
  }
  if (meta.count !== rows.size) return `it was built from ${meta.count} rows, the store now has ${rows.size}`;
  if (meta.vectorsSha256 !== rows.vectorsSha256()) return `the store's vectors changed after it was built (${meta.builtAt})`;
  return "";
}

function staleError(what: string): StoreError {
  return new StoreError("STORE_INDEX_STALE", `${what}; a stale index would miss or misplace rows, so it is not used.`, {
    hint: "Rebuild it with buildIndex() (or `sentivec store index`), or search exactly.",
  });
}

export { INDEX_META_FILE };
