import { type Command, InvalidArgumentError } from "commander";
import { OptionsError } from "../errors.js";
import { DEFAULT_HNSW_PARAMS, type IndexQuantization } from "../store/ann/hnsw-index.js";
import { AUTO_APPROX_MIN_ROWS } from "../store/ann/store-index.js";
import { parseCollectionLocation } from "../store/collection/collection-location.js";
import { MemoryCollection } from "../store/collection/memory-collection.js";
import type { LanceCollection } from "../store/lance/lance-collection.js";
import type { VectorCollection } from "../store/collection/vector-collection.js";
import type { StoreFilter } from "../store/store-filter.js";
import { StoreError } from "../store/store-error.js";
import { type SearchHit, VectorStore } from "../store/vector-store.js";
import { lockDir } from "../util/dir-lock.js";
import { printJson, status } from "./cli-output.js";
import { parseWholeNumber } from "./number-options.js";
import { indexLanceStore } from "./store-index-lance.js";

interface StoreIndexCliOptions {
  store: string;
  connectivity: number;
  efConstruction: number;
  efSearch: number;
  quantization: IndexQuantization;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `sentivec store index`: builds the store's approximate (HNSW) index and saves it beside the store.
 * The build runs without the store's lock (minutes at a million rows: `store add` need not wait); the
 * save takes the lock and first checks the store on disk is still the one indexed.
 */
export function registerStoreIndexCommand(store: Command, defaultDir: string): void {
  store
    .command("index")
    .description("build the store's approximate index (HNSW; for a lance: store, LanceDB's IVF_PQ), so that large stores are searched in milliseconds")
    .option("--store <dir>", "store folder; lance:DIR for a LanceDB store", defaultDir)
    .option("--connectivity <n>", "links per node (HNSW M): more is slower to build, larger, and more accurate", parseWholeNumber("--connectivity", 2, 256), DEFAULT_HNSW_PARAMS.connectivity)
    .option("--ef-construction <n>", "candidates considered per insertion: more is slower to build and more accurate", parseWholeNumber("--ef-construction", 1, 100_000), DEFAULT_HNSW_PARAMS.efConstruction)
    .option("--ef-search <n>", "default candidates per search (store search --ef overrides it)", parseWholeNumber("--ef-search", 1, 100_000), DEFAULT_HNSW_PARAMS.efSearch)
    .option("--quantization <type>", "how the index holds vectors: f16 (half the memory) or f32; results are re-scored from the store's own vectors either way", parseQuantization, DEFAULT_HNSW_PARAMS.quantization)
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "no progress output")
    .action(async (o: StoreIndexCliOptions, cmd: Command) => {
      const quiet = o.json === true || o.quiet === true;
      const location = parseCollectionLocation(o.store);
      if (location.backend === "lance") {
        // LanceDB builds its own kind of index: the HNSW settings would silently do nothing.
        const hnsw = cmd.options.find((opt) => HNSW_OPTIONS.has(opt.attributeName()) && cmd.getOptionValueSource(opt.attributeName()) === "cli");
        if (hnsw) {
          throw new OptionsError("STORE_INDEX_OPTION", `${hnsw.long} sets the in-memory store's HNSW index; a lance: store gets LanceDB's IVF_PQ index, which does not take it.`, {
            hint: `Leave out ${hnsw.long}.`,
          });
        }
        return indexLanceStore(location, o);
      }
      const target = await VectorStore.load(o.store);
      if (target.size === 0) {
        throw new OptionsError("STORE_EMPTY", "The store is empty: there is nothing to index.", { where: { file: o.store }, hint: "Add rows with `sentivec store add` first." });
      }
      status(`Building the approximate index over ${target.size} rows (HNSW, connectivity ${o.connectivity}, ef-construction ${o.efConstruction}, ${o.quantization})...`, quiet);
      let next = 0;
      const info = target.buildIndex({
        connectivity: o.connectivity,
        efConstruction: o.efConstruction,
        efSearch: o.efSearch,
        quantization: o.quantization,
        onProgress: (done, total) => {
          if (done < total && done >= next) {
            status(`  ${done} of ${total} rows`, quiet);
            next = done + Math.max(100_000, Math.ceil(total / 10));
          }
        },
      });
      const lock = await lockDir(o.store, { what: "vector store", onWait: () => status(`Waiting for another sentivec process that is writing ${o.store}...`, false) });
      let meta;
      try {
        meta = target.saveIndex(o.store);
      } finally {
        lock.release();
      }
      const summary = { store: o.store, rows: info.rows, dimensions: info.dimensions, ...info.params, buildMs: info.buildMs, indexFile: meta.indexFile, bytes: meta.bytes };
      if (o.json) printJson(summary);
      else {
        console.log(`Indexed ${info.rows} rows of ${o.store} in ${(info.buildMs / 1000).toFixed(1)} s: ${meta.indexFile}, ${(meta.bytes / 1e6).toFixed(1)} MB ` +
          `(connectivity ${info.params.connectivity}, ef-construction ${info.params.efConstruction}, ef-search ${info.params.efSearch}, ${info.params.quantization}).`);
      }
    });
}

const HNSW_OPTIONS = new Set(["connectivity", "efConstruction", "efSearch", "quantization"]);

function parseQuantization(value: string): IndexQuantization {
  if (value !== "f16" && value !== "f32") {
    throw new InvalidArgumentError("--quantization must be f16 or f32.");
  }
  return value;
}

type SearchFn = (vector: Float32Array, k: number, filter: StoreFilter | undefined) => Promise<SearchHit[]>;

/**
 * How `store search` searches `target`: --exact scans; --approx needs a fresh index (a missing or stale
 * one is an error); with neither, a fresh index is used from AUTO_APPROX_MIN_ROWS rows
 * (SENTIVEC_APPROX_MIN_ROWS overrides that), and a stale one is ignored with one line saying to rebuild
 * it. A corrupt index file is an error either way, once it is opened. A lance: store is searched by
 * LanceDB, with its own index (lanceSearchMode).
 */
export function chooseSearchMode(target: VectorCollection, o: { approx?: boolean; exact?: boolean; ef?: number }): SearchFn {
  if (o.approx && o.exact) {
    throw new OptionsError("STORE_SEARCH_MODE", "--approx and --exact contradict each other.", { hint: "Give one of them, or neither to let the store's size decide." });
  }
  if (!(target instanceof MemoryCollection)) return lanceSearchMode(target as LanceCollection, o);
  const store = target.store, dir = target.dir;
  const exact: SearchFn = async (vector, k, filter) => store.searchVector(vector, k, { filter, approx: false });
  if (o.exact) {
    if (o.ef !== undefined) throw new OptionsError("STORE_SEARCH_MODE", "--ef applies to approximate search, and --exact scans every row.", { hint: "Drop --ef or --exact." });
    return exact;
  }
  if (!o.approx && store.size < autoMinRows()) return exact;
  const rebuild = `run \`sentivec store index --store ${dir}\``;
  const found = store.loadIndex(dir);
  if (found.state === "fresh") return async (vector, k, filter) => store.searchVector(vector, k, { filter, approx: true, ef: o.ef });
  if (o.approx) {
    const why = found.state === "missing" ? "this store has no approximate index" : `its approximate index is out of date (${found.reason})`;
    throw new StoreError(found.state === "missing" ? "STORE_NO_INDEX" : "STORE_INDEX_STALE", `--approx: ${why}.`, {
      where: { file: dir },
      hint: `To build it, ${rebuild}; or search with --exact.`,
    });
  }
  if (found.state === "stale") status(`The approximate index is out of date (${found.reason}), so this search scans every row; ${rebuild} to rebuild it.`, false);
  return exact;
}

/** AUTO_APPROX_MIN_ROWS, or $SENTIVEC_APPROX_MIN_ROWS when set to a whole number. */
export function autoMinRows(): number {
  const env = process.env.SENTIVEC_APPROX_MIN_ROWS;
  const n = env === undefined || env.trim() === "" ? NaN : Number(env);
  return Number.isInteger(n) && n >= 0 ? n : AUTO_APPROX_MIN_ROWS;
}

/**
 * After `store add` saved the store: whether the index beside it still fits ("fresh": re-adding the
 * same rows changes no vector), is now "stale" (told in one line: searches scan until it is rebuilt),
 * or there is "none" (or the store is a lance: one, which has no such index).
 */
export function indexAfterSave(target: VectorCollection, quiet: boolean): "fresh" | "stale" | "none" {
  if (!(target instanceof MemoryCollection)) return "none";
  let state: "fresh" | "stale" | "missing";
  try {
    state = target.store.savedIndexState(target.dir);
  } catch {
    state = "stale"; // a damaged index description: `store search` reports it in full
  }
  if (state === "missing") return "none";
  if (state === "stale") status(`The approximate index in ${target.dir} is now out of date: searches scan every row until you run \`sentivec store index --store ${target.dir}\` again.`, quiet);
  return state;
}

/**
 * `store search` on a lance: store: LanceDB uses its index when the table has one (rows added since are
 * scanned exactly, so it is never stale); --exact scans every row; --approx requires an index; --ef is
 * an HNSW setting, refused.
 */
function lanceSearchMode(target: LanceCollection, o: { approx?: boolean; exact?: boolean; ef?: number }): SearchFn {
  if (o.ef !== undefined) {
    throw new OptionsError("STORE_SEARCH_MODE", "--ef sets the in-memory store's HNSW search; a lance: store is searched through LanceDB's IVF_PQ index, which does not take it.", {
      hint: "Drop --ef (--exact scans every row).",
    });
  }
  if (o.exact) return (vector, k, filter) => target.searchVector(vector, k, { filter, tuning: { exact: true } });
  return async (vector, k, filter) => {
    if (o.approx && !(await target.hasIndex())) {
      throw new StoreError("STORE_NO_INDEX", "--approx: this store has no vector index.", {
        where: { file: target.dir },
        hint: `To build it, run \`sentivec store index --store lance:${target.dir}\`; or search without --approx.`,
      });
    }
    return target.searchVector(vector, k, { filter });
  };
}
