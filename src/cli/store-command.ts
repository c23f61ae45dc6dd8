import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { Command } from "commander";
import { loadDataset } from "../data/load-dataset.js";
import { DEFAULT_EMBEDDER_SPEC } from "../embed/create-embedder.js";
import type { Embedder } from "../embed/embedder.js";
import { embedderSpaceId } from "../embed/embedder-identity.js";
import type { Dataset } from "../data/labeled-text.js";
import { OptionsError } from "../errors.js";
import { StoreError } from "../store/store-error.js";
import { MANIFEST_FILE, readStoreManifest } from "../store/store-files.js";
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

/** Kept here too: store-command was where parseFilters lived. */
export { parseFilters };

export const DEFAULT_STORE_DIR = ".sentivec/store";

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
    .option("--store <dir>", "store folder", DEFAULT_STORE_DIR)
    .option("--no-labels", "store the rows unlabelled even if the files have a label column (a file without one is stored unlabelled anyway)")
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "no progress output");
  addDatasetOptions(add);
  addEmbedderOptions(add, { defaultSpec: false });
  add.action(async (files: string[], o: StoreCliOptions & DatasetCliOptions & { labels: boolean }) => {
    const quiet = o.json === true || o.quiet === true;
    checkOutputDir(o.store, "vector store", "--store");
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
    ensureDir(o.store, "vector store");
    const lock = await lockDir(o.store, { what: "vector store", onWait: () => status(`Waiting for another sentivec process that is writing ${o.store}...`, false) });
    let target: VectorStore;
    let added: number, updated: number, generation: number;
    try {
      const existing = existsSync(join(o.store, MANIFEST_FILE)) ? await VectorStore.load(o.store) : undefined;
      if (existing && (existing.embedderId !== rows.embedderId || existing.dimensions !== rows.dimensions)) {
        throw new StoreError("STORE_CHANGED", `While this run embedded its rows for ${rows.embedderId}, another process saved the store with ${existing.embedderId}.`, {
          where: { file: o.store },
          hint: "Run the command again; nothing was added.",
        });
      }
      target = existing ?? new VectorStore({ embedderId: rows.embedderId, dimensions: rows.dimensions });
      target.reserve(target.size + rows.records.length);
      ({ added, updated } = target.upsertMany(rows.records));
      generation = target.save(o.store).generation;
    } finally {
      lock.release();
    }
    const { badRowsSkipped, duplicatesRemoved } = dataset.stats;
    const summary = {
      store: o.store, embedderId: target.embedderId, dimensions: target.dimensions, added, updated, size: target.size, generation,
      skippedBadRows: badRowsSkipped, duplicatesRemoved, unlabeled,
    };
    if (o.json) printJson(summary);
    else {
      const skipped = badRowsSkipped > 0 ? `; skipped ${badRowsSkipped} bad row${badRowsSkipped === 1 ? "" : "s"} (listed above)` : "";
      console.log(`Added ${added} and updated ${updated} rows in ${o.store} (${target.size} rows, ${target.embedderId})${skipped}.`);
    }
  });

  const search = store
    .command("search")
    .description("the stored texts most similar to a text")
    .argument("<text>", "text to search for")
    .option("-k, --k <n>", "number of results", parseWholeNumber("-k", 1), 5)
    .option("--filter <field=value>", "only rows whose label or metadata field equals value (a,b for any of several); repeatable", collect, [])
    .option("--store <dir>", "store folder", DEFAULT_STORE_DIR)
    .option("--json", "print the results as JSON");
  addEmbedderOptions(search, { defaultSpec: false });
  search.action(async (text: string, o: StoreCliOptions & { k: number; filter: string[] }) => {
    if (isBlankText(text)) {
      throw new OptionsError("STORE_QUERY_EMPTY", `The query text is ${text === "" ? "empty" : "blank"}: there is nothing to search for.`, {
        hint: 'Give a text to search for, e.g. sentivec store search "battery died".',
      });
    }
    const filter = parseFilters(o.filter);
    const target = await VectorStore.load(o.store);
    checkFilterFields(target, filter, o.filter);
    if (target.embedderId.startsWith("precomputed") && !o.embedder) {
      throw new OptionsError("STORE_NO_EMBEDDER", `This store holds precomputed vectors (${target.embedderId}); sentivec cannot embed a text query into that space.`, {
        hint: "Pass --embedder SPEC naming the embedder those vectors came from.",
      });
    }
    const embedder = o.embedder ? embedderFrom(o) : embedderFrom({ ...o, dimensions: undefined }, embedderSpaceId(target.embedderId));
    const { fetcher, close } = fetcherFrom(o, embedder);
    try {
      target.useEmbedder(fetcher);
      const hits = await target.search(text, o.k, { filter });
      if (o.json) {
        printJson(hits);
        return;
      }
      if (hits.length === 0) {
        console.log(target.size === 0 ? "The store is empty." : `No rows match ${o.filter.map((f) => `--filter ${escapeControl(f)}`).join(" ")} (${target.size} rows in the store).`);
      }
      for (const h of hits) {
        const shown = typeof h.metadata.text === "string" ? h.metadata.text : h.id;
        // Stored texts come from datasets: escape control characters so they cannot drive the terminal.
        console.log(`${h.score.toFixed(3)}  ${escapeControl(h.label ?? "-").padEnd(8)}  ${escapeControl(shown.length > 100 ? shown.slice(0, 97) + "..." : shown)}`);
      }
    } finally {
      close();
    }
  });

  registerStoreLabelCommand(store, DEFAULT_STORE_DIR);

  store
    .command("info")
    .description("what is in the store: embedder, dimensions, rows per label, files")
    .option("--store <dir>", "store folder", DEFAULT_STORE_DIR)
    .option("--json", "print the summary as JSON")
    .action(async (o: StoreCliOptions) => {
      const manifest = readStoreManifest(o.store);
      const info = (await VectorStore.load(o.store)).info();
      const summary = {
        store: o.store,
        embedderId: info.embedderId,
        dimensions: info.dimensions,
        rows: info.size,
        labels: info.labels,
        unlabeled: info.unlabeled,
        vectorsFile: manifest.vectorsFile,
        vectorBytes: info.size * info.dimensions * 4,
        generation: manifest.generation,
        savedAt: manifest.savedAt,
        searchKernel: info.kernel,
      };
      if (o.json) {
        printJson(summary);
        return;
      }
      console.log(`Store      ${o.store} (generation ${summary.generation}, saved ${summary.savedAt})`);
      console.log(`Embedder   ${summary.embedderId}, ${summary.dimensions} dimensions`);
      console.log(`Rows       ${summary.rows} (${(summary.vectorBytes / 1e6).toFixed(1)} MB of vectors)`);
      const labels = Object.entries(summary.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([l, n]) => `${l} ${n}`);
      if (summary.unlabeled > 0) labels.push(`unlabeled ${summary.unlabeled}`);
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
  const existing = existsSync(join(o.store, MANIFEST_FILE)) ? readStoreManifest(o.store) : undefined;
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
