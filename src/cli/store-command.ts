import { basename } from "node:path";
import type { Command } from "commander";
import { loadDataset } from "../data/load-dataset.js";
import { DEFAULT_EMBEDDER_SPEC } from "../embed/create-embedder.js";
import type { Embedder } from "../embed/embedder.js";
import { embedderSpaceId } from "../embed/embedder-identity.js";
import type { Dataset } from "../data/labeled-text.js";
import { OptionsError } from "../errors.js";
import { StoreError } from "../store/store-error.js";
import { parseCollectionLocation } from "../store/collection/collection-location.js";
import { openCollection, peekCollectionSpace } from "../store/collection/open-collection.js";
import type { CollectionInfo, VectorCollection } from "../store/collection/vector-collection.js";
import { type VectorRecord, VectorStore } from "../store/vector-store.js";
import { escapeControl } from "../util/escape-control.js";
import { lockDir } from "../util/dir-lock.js";
import { checkOutputDir, ensureDir } from "../util/output-path.js";
import { sha256Hex } from "../util/sha256.js";
import { isBlankText } from "../util/text-checks.js";
import { printJson, status } from "./cli-output.js";
import { formatLoadStats } from "./format-load-stats.js";
import { type DatasetCliOptions, addDatasetOptions, datasetOptionsFrom } from "./dataset-options.js";
import { type EmbedderCliOptions, addEmbedderOptions, embedderFrom, fetcherFrom } from "./embedder-options.js";
import { parseWholeNumber } from "./number-options.js";
import { checkFilterFields, collect, parseFilters } from "./store-filter-options.js";
import { registerStoreLabelCommand } from "./store-label-command.js";
import { autoMinRows, chooseSearchMode, indexAfterSave, registerStoreIndexCommand } from "./store-index-command.js";

/** Kept here too: store-command was where parseFilters lived. */
export { parseFilters };

export const DEFAULT_STORE_DIR = ".sentivec/store";
const STORE_OPTION_HELP = "store folder; lance:DIR for a LanceDB store on disk (larger than memory, many readers)";

interface StoreCliOptions extends EmbedderCliOptions {
  store: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `sentivec store add|search|info`: a persistent vector store of labelled texts, searched by meaning.
 * Rows are keyed by a hash of their text, so adding the same file twice updates rather than duplicates.
 */
export function registerStoreCommand(program: Command): void {
  const store = program.command("store").description("a persistent vector store: add datasets, search by text, show what is in it");

  const add = store
    .command("add")
    .description("embed a dataset's texts and add them to the store (rows with the same text are updated)")
    .argument("<dataset...>", "dataset files (csv, tsv, lines, json, jsonl)")
    .option("--store <dir>", STORE_OPTION_HELP, DEFAULT_STORE_DIR)
    .option("--no-labels", "store the rows unlabelled even if the files have a label column (a file without one is stored unlabelled anyway)")
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "no progress output");
  addDatasetOptions(add);
  addEmbedderOptions(add, { defaultSpec: false });
  add.action(async (files: string[], o: StoreCliOptions & DatasetCliOptions & { labels: boolean }) => {
    const quiet = o.json === true || o.quiet === true;
    const location = parseCollectionLocation(o.store);
    checkOutputDir(location.dir, "vector store", "--store");
    // Labels are optional in a store: a file without a label column adds unlabelled rows (for `store label`).
    const dataset = await loadDataset(files, datasetOptionsFrom(o, false));
    if (o.labels === false) {
      for (const item of dataset.items) item.label = undefined;
      dataset.labels = [];
    }
    status(formatLoadStats(dataset), quiet);
    const unlabeled = dataset.items.reduce((n, i) => n + (i.label === undefined ? 1 : 0), 0);
    if (unlabeled > 0) status(`${unlabeled} of ${dataset.items.length} rows have no label; they are stored unlabelled (training ignores them; sentivec store label can predict them).`, quiet);
    const rows = await embedRows(files, o, quiet, dataset);
    // Read, add and save under the store's lock (only now is the folder created): a second `store add`
    // waits, then adds to what this one saved. Embedding happened before, so the lock is held briefly.
    ensureDir(location.dir, "vector store");
    const lock = await lockDir(location.dir, { what: "vector store", onWait: () => status(`Waiting for another sentivec process that is writing ${o.store}...`, false) });
    let target: VectorCollection | undefined;
    let added: number, updated: number, generation: number, size: number, index: "fresh" | "stale" | "none";
    try {
      target = await openCollection(location, { create: { embedderId: rows.embedderId, dimensions: rows.dimensions } });
      if (target.embedderId !== rows.embedderId || target.dimensions !== rows.dimensions) {
        throw new StoreError("STORE_CHANGED", `While this run embedded its rows for ${rows.embedderId}, another process saved the store with ${target.embedderId}.`, {
          where: { file: o.store },
          hint: "Run the command again; nothing was added.",
        });
      }
      ({ added, updated } = await target.upsertMany(rows.records));
      // A model trained on the store then records how these labels were read (--stars...), as one
      // trained on the files would.
      if (dataset.items.some((i) => i.label !== undefined)) await target.noteLabelScheme(dataset.labelScheme ?? "binary");
      generation = (await target.save()).generation;
      index = indexAfterSave(target, quiet);
      size = await target.count();
    } finally {
      target?.close();
      lock.release();
    }
    const { badRowsSkipped, duplicatesRemoved } = dataset.stats;
    const summary = {
      store: o.store, embedderId: target.embedderId, dimensions: target.dimensions, added, updated, size, generation,
      skippedBadRows: badRowsSkipped, duplicatesRemoved, unlabeled, index,
    };
    if (o.json) printJson(summary);
    else {
      const skipped = badRowsSkipped > 0 ? `; skipped ${badRowsSkipped} bad row${badRowsSkipped === 1 ? "" : "s"} (listed above)` : "";
      console.log(`Added ${added} and updated ${updated} rows in ${o.store} (${size} rows, ${target.embedderId})${skipped}.`);
    }
  });

  const search = store
    .command("search")
    .description("the stored texts most similar to a text")
    .argument("<text>", "text to search for")
    .option("-k, --k <n>", "number of results", parseWholeNumber("-k", 1), 5)
    .option("--filter <field=value>", "only rows whose label or metadata field equals value (a,b for any of several); repeatable", collect, [])
    .option("--store <dir>", STORE_OPTION_HELP, DEFAULT_STORE_DIR)
    .option("--approx", "search the approximate index (built by `store index`; must be up to date)")
    .option("--exact", "scan every row, even when an approximate index would be used")
    .option("--ef <n>", "candidates an approximate search visits (default: the index's --ef-search); more is slower and closer to exact", parseWholeNumber("--ef", 1, 100_000))
    .option("--json", "print the results as JSON");
  addEmbedderOptions(search, { defaultSpec: false });
  search.action(async (text: string, o: StoreCliOptions & { k: number; filter: string[]; approx?: boolean; exact?: boolean; ef?: number }) => {
    if (isBlankText(text)) {
      throw new OptionsError("STORE_QUERY_EMPTY", `The query text is ${text === "" ? "empty" : "blank"}: there is nothing to search for.`, {
        hint: 'Give a text to search for, e.g. sentivec store search "battery died".',
      });
    }
    const filter = parseFilters(o.filter);
    const target = await openCollection(o.store);
    try {
      await checkFilterFields(target, filter, o.filter);
      const searchIn = chooseSearchMode(target, o);
      if (target.embedderId.startsWith("precomputed") && !o.embedder) {
        throw new OptionsError("STORE_NO_EMBEDDER", `This store holds precomputed vectors (${target.embedderId}); sentivec cannot embed a text query into that space.`, {
          hint: "Pass --embedder SPEC naming the embedder those vectors came from.",
        });
      }
      const embedder = o.embedder ? embedderFrom(o) : embedderFrom({ ...o, dimensions: undefined }, embedderSpaceId(target.embedderId));
      const { fetcher, close } = fetcherFrom(o, embedder);
      try {
        // An empty store of the collection's space checks the embedder as the store always has.
        new VectorStore({ embedderId: target.embedderId, dimensions: target.dimensions }).useEmbedder(fetcher);
        const { vectors } = await fetcher.fetch([text]);
        const hits = await searchIn(vectors[0], o.k, filter);
        if (o.json) {
          printJson(hits);
          return;
        }
        if (hits.length === 0) {
          const size = await target.count();
          console.log(size === 0 ? "The store is empty." : `No rows match ${o.filter.map((f) => `--filter ${escapeControl(f)}`).join(" ")} (${size} rows in the store).`);
        }
        for (const h of hits) {
          const shown = typeof h.metadata.text === "string" ? h.metadata.text : h.id;
          // Stored texts come from datasets: escape control characters so they cannot drive the terminal.
          console.log(`${h.score.toFixed(3)}  ${escapeControl(h.label ?? "-").padEnd(8)}  ${escapeControl(shown.length > 100 ? shown.slice(0, 97) + "..." : shown)}`);
        }
      } finally {
        close();
      }
    } finally {
      target.close();
    }
  });

  registerStoreLabelCommand(store, DEFAULT_STORE_DIR);
  registerStoreIndexCommand(store, DEFAULT_STORE_DIR);

  store
    .command("info")
    .description("what is in the store: embedder, dimensions, rows per label, files")
    .option("--store <dir>", STORE_OPTION_HELP, DEFAULT_STORE_DIR)
    .option("--json", "print the summary as JSON")
    .action(async (o: StoreCliOptions) => {
      const target = await openCollection(o.store);
      let info: CollectionInfo;
      try {
        info = await target.info();
      } finally {
        target.close();
      }
      const summary = {
        store: o.store,
        backend: info.backend,
        embedderId: info.embedderId,
        dimensions: info.dimensions,
        rows: info.size,
        labels: info.labels,
        unlabeled: info.unlabeled,
        generation: info.generation,
        ...info.details,
      };
      if (o.json) {
        printJson(summary);
        return;
      }
      const d = info.details;
      if (info.backend === "lance") {
        console.log(`Store      ${o.store} (LanceDB table version ${info.generation})`);
        console.log(`Embedder   ${info.embedderId}, ${info.dimensions} dimensions`);
        console.log(`Rows       ${info.size} (${(Number(d.diskBytes) / 1e6).toFixed(1)} MB on disk)`);
        console.log(`Index      ${d.index === null ? "none (exact search; sentivec store index builds one)" : `${d.index} over ${d.indexedRows} rows${Number(d.unindexedRows) > 0 ? `, ${d.unindexedRows} newer rows searched exactly` : ""}`}`);
      } else {
        console.log(`Store      ${o.store} (generation ${info.generation}, saved ${d.savedAt})`);
        console.log(`Embedder   ${info.embedderId}, ${info.dimensions} dimensions`);
        console.log(`Rows       ${info.size} (${(Number(d.vectorBytes) / 1e6).toFixed(1)} MB of vectors)`);
        console.log(`Index      ${describeMemoryIndex(d)}`);
      }
      const labels = Object.entries(info.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([l, n]) => `${l} ${n}`);
      if (info.unlabeled > 0) labels.push(`unlabeled ${info.unlabeled}`);
      console.log(`Labels     ${escapeControl(labels.join(", ")) || "none"}`);
    });
}

/**
 * The rows `store add` will upsert, embedded in the store's vector space. The store is only peeked at
 * (its manifest names the space), not locked: embedding can take long, and the caller re-checks the
 * space under the lock.
 */
async function embedRows(
  files: string[],
  o: StoreCliOptions & DatasetCliOptions & { labels: boolean },
  quiet: boolean,
  dataset: Dataset,
): Promise<{ embedderId: string; dimensions: number; records: VectorRecord[] }> {
  const items = dataset.items;
  const existing = peekCollectionSpace(o.store);
  const needEmbedding = items.filter((i) => i.vector === undefined);
  // Which vector space: the store's own, else --embedder, else precomputed vectors, else the offline default.
  let embedder: Embedder | undefined;
  if (o.embedder) embedder = embedderFrom(o);
  else if (existing && !existing.embedderId.startsWith("precomputed")) embedder = embedderFrom({ ...o, dimensions: undefined }, embedderSpaceId(existing.embedderId));
  else if (!existing && needEmbedding.length > 0) embedder = embedderFrom(o, DEFAULT_EMBEDDER_SPEC);
  const dims = existing?.dimensions ?? embedder?.dimensions ?? items[0]?.vector?.length;
  const embedderId = existing?.embedderId ?? embedder?.id ?? `precomputed@${dims}`;
  if (dims === undefined) throw new OptionsError("STORE_EMPTY_DATASET", "The dataset has no rows to add.", { where: { file: files[0] } });
  // An empty store of that space: checks the embedder and each vector against it (useEmbedder, reserve/upsert).
  const space = new VectorStore({ embedderId, dimensions: dims });
  if (needEmbedding.length > 0 && !embedder) {
    throw new OptionsError("STORE_NO_EMBEDDER", `${needEmbedding.length} rows have no vector, and this store (${space.embedderId}) holds precomputed vectors only.`, {
      hint: "Add datasets that carry vectors, or start a new store with --store DIR --embedder SPEC.",
    });
  }
  const vectors = new Map<string, Float32Array>();
  if (needEmbedding.length > 0) {
    const { fetcher, close } = fetcherFrom(o, embedder!);
    try {
      space.useEmbedder(fetcher);
      status(`Embedding ${needEmbedding.length} texts with ${embedder!.id}...`, quiet);
      const got = await fetcher.fetch(needEmbedding.map((i) => i.text));
      needEmbedding.forEach((item, k) => vectors.set(item.text, got.vectors[k]));
    } finally {
      close();
    }
  }
  const records: VectorRecord[] = items.map((item) => ({
    id: textId(item.text),
    vector: item.vector ?? vectors.get(item.text)!,
    label: item.label,
    metadata: {
      text: item.text,
      source: basename(item.source.file),
      ...(item.source.line !== undefined ? { line: item.source.line } : {}),
      ...(item.source.record !== undefined ? { record: item.source.record } : {}),
    },
  }));
  return { embedderId, dimensions: dims, records };
}

/** Content-derived id: re-adding the same text updates its row instead of duplicating it. */
function textId(text: string): string {
  return sha256Hex(text).slice(0, 20);
}

/** The `Index` line of `store info` for an in-memory store, from its collection's details. */
function describeMemoryIndex(d: CollectionInfo["details"]): string {
  if (d.index === null) return "none (exact search; sentivec store index builds one)";
  const what = `${d.index} over ${d.indexedRows} rows, ${(Number(d.indexBytes) / 1e6).toFixed(1)} MB, built ${d.indexBuiltAt}`;
  if (d.indexState === "fresh") return `${what}; used by search --approx, and by every search from ${autoMinRows()} rows`;
  return `${what}; stale (${escapeControl(String(d.indexStaleReason))}), so searches scan exactly until sentivec store index rebuilds it`;
}
