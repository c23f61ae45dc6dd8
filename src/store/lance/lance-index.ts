import type { LanceDb } from "./lance-modules.js";
import { lanceModules } from "./lance-modules.js";

/**
 * LanceDB's own vector index for a lance: store (what HNSW is for the in-memory store).
 *
 * IVF_PQ, LanceDB's default kind: rows are grouped into partitions around k-means centroids and held
 * as product-quantised codes; a search visits the partitions nearest the query (nprobes) and re-ranks
 * refineFactor × k candidates by their exact vectors. Settings chosen by measurement at a million random
 * 384-dim unit vectors (bench/store/RESULTS.md, "LanceDB"): LanceDB's default codes (dims / 16 bytes)
 * found recall@10 of 0.17 probing a quarter of the partitions and at most 0.40; codes of dims / 4 bytes,
 * every partition probed and ×10 re-ranking found 0.974, 22–65× faster than LanceDB's exact scan (but
 * only 1.6× faster than the in-memory store's), at the price of a longer build (24 min against 8.5 on the
 * loaded 2-core machine). Random vectors have no clusters, so probing fewer partitions lost recall in
 * proportion; clustered real embeddings may allow fewer, which this store does not tune yet.
 */
export const INDEX_MIN_ROWS = 50_000;
/** The share of the IVF partitions a search visits, and how many candidates per wanted hit are re-ranked exactly. */
export const SEARCH_PROBE_FRACTION = 1;
export const SEARCH_REFINE_FACTOR = 10;

/**
 * IVF partitions for an index over `rows` rows: √rows / 4 (250 at 1M), at least 1 and at most rows / 256
 * so that each partition has rows to train on. Fewer than LanceDB's √rows: k-means over 1000 partitions
 * of a million 384-dim rows takes too long on a small machine, and a search probes a share of them anyway.
 */
export function partitionsFor(rows: number): number {
  return Math.max(1, Math.min(Math.round(Math.sqrt(rows) / 4), Math.floor(rows / 256)));
}

/** Partitions to probe for a share of them. */
export function probesFor(rows: number, fraction: number): number {
  return Math.max(1, Math.ceil(partitionsFor(rows) * fraction));
}

export interface IndexOptions {
  /** Build one below INDEX_MIN_ROWS too. */
  force?: boolean;
  /** PQ sub-vectors (bytes per row in the index). Default dims / 4 (when it divides); LanceDB's own is dims / 16. */
  subVectors?: number;
}

/** One code byte per 4 dimensions, when the dimensions divide by 4; otherwise LanceDB's default. */
export function defaultSubVectors(dims: number): number | undefined {
  return dims % 4 === 0 ? dims / 4 : undefined;
}

export interface IndexReport {
  built: boolean;
  rows: number;
  /** LanceDB's index type, e.g. "IVF_PQ", when built. */
  indexType?: string;
  partitions?: number;
  /** PQ sub-vectors (bytes per row of codes); undefined for LanceDB's default, dims / 16. */
  subVectors?: number;
  seconds?: number;
  /** Why none was built. */
  reason?: string;
}

export interface SearchTuning {
  /** Scan every row exactly even when an index exists (the benchmark's reference). */
  exact?: boolean;
  nprobes?: number;
  refineFactor?: number;
}

/**
 * Builds (or rebuilds) the index over every row. Below INDEX_MIN_ROWS LanceDB's exact scan takes a
 * fraction of a second (0.25 s at 100k × 384 on the loaded 2-core test machine), so an index would buy
 * little and cost recall: none is built, and an old one is dropped so searches stay exact, unless `force`.
 */
export async function buildVectorIndex(table: LanceDb.Table, rows: number, dims: number, options: IndexOptions = {}): Promise<IndexReport> {
  const existing = (await table.listIndices()).find((i) => i.columns.includes("vector"));
  const minRows = indexMinRows();
  if (rows < minRows && !options.force) {
    if (existing) await table.dropIndex(existing.name);
    return { built: false, rows, reason: `it has ${rows} rows, and below ${minRows} the exact scan is used` };
  }
  const partitions = partitionsFor(rows);
  const started = performance.now();
  const { lancedb } = lanceModules();
  const subVectors = options.subVectors ?? defaultSubVectors(dims);
  await table.createIndex("vector", { config: lancedb.Index.ivfPq({ distanceType: "dot", numPartitions: partitions, ...(subVectors ? { numSubVectors: subVectors } : {}) }), replace: true });
  return { built: true, rows, indexType: "IVF_PQ", partitions, ...(subVectors ? { subVectors } : {}), seconds: (performance.now() - started) / 1000 };
}

/** INDEX_MIN_ROWS, or $SENTIVEC_LANCE_INDEX_MIN_ROWS when set to a whole number (tests index small stores). */
export function indexMinRows(): number {
  const env = process.env.SENTIVEC_LANCE_INDEX_MIN_ROWS;
  const n = env === undefined || env.trim() === "" ? NaN : Number(env);
  return Number.isInteger(n) && n >= 256 ? n : INDEX_MIN_ROWS;
}

/** How a search should use the table's index (nothing when it has none: LanceDB then scans exactly). */
export async function searchTuning(table: LanceDb.Table): Promise<SearchTuning> {
  const index = (await table.listIndices()).find((i) => i.columns.includes("vector"));
  if (!index) return {};
  const stats = await table.indexStats(index.name);
  return { nprobes: probesFor(stats?.numIndexedRows ?? 0, SEARCH_PROBE_FRACTION), refineFactor: SEARCH_REFINE_FACTOR };
}
