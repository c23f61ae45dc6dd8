import type { Command } from "commander";
import type { Dataset } from "../data/labeled-text.js";
import { OptionsError } from "../errors.js";
import type { SentimentModel } from "../model/sentiment-model.js";
import { checkModelFitsStore, storeDataset } from "../model/store-dataset.js";
import type { StoreFilter } from "../store/store-filter.js";
import { openCollection } from "../store/collection/open-collection.js";
import type { VectorCollection } from "../store/collection/vector-collection.js";
import type { TrainingSet } from "../store/vector-store.js";
import { status } from "./cli-output.js";
import { checkFilterFields, collect, parseFilters } from "./store-filter-options.js";

/** --store and --filter, for the commands that can read a store's rows instead of files (train, evaluate, cv). */
export interface StoreSourceCliOptions {
  store?: string;
  filter: string[];
}

/** The labelled rows of a store, read for train/evaluate/cv. */
export interface StoreRows {
  /** The store as given: a folder, or lance:DIR. */
  dir: string;
  /** The collection the rows were read from (already closed: only its space and size are used). */
  store: Pick<VectorCollection, "backend" | "embedderId" | "dimensions">;
  /** Rows in the store. */
  size: number;
  /** The labelled rows matching --filter, in store order; `source` is the store's folder. */
  set: TrainingSet;
  filter?: StoreFilter;
}

/**
 * Options that say how to read files or embed texts: with --store nothing is read or embedded, so
 * giving one is a mistake to point out, not to ignore (a --embedder that silently did nothing would
 * let the user believe the model used it).
 */
const FILE_AND_EMBEDDER_OPTIONS = new Set([
  "format", "textField", "labelField", "vectorField", "stars", "labels", "labelMap", "skipBadRows", "dedupe", "encoding", "vectorsFrom",
  "embedder", "dimensions", "baseUrl", "cache", "concurrency", "maxInputsPerRequest", "maxTokensPerRequest", "rpm", "tpm", "retryBudget",
]);

export function addStoreSourceOptions(cmd: Command, verb: string): Command {
  return cmd
    .option("--store <dir>", `${verb} the labelled rows of a vector store (its stored vectors: nothing is embedded) instead of files; lance:DIR for a LanceDB store`)
    .option("--filter <field=value>", "with --store: only rows whose label or metadata field equals value (a,b for any of several); repeatable", collect, []);
}

/**
 * Files or --store: exactly one. With --store, loads the store and returns its labelled rows (matching
 * --filter), saying how many unlabelled rows were left out; with files, returns undefined and the
 * command reads its files as before.
 */
export async function storeRowsFromCli(files: string[], o: StoreSourceCliOptions, cmd: Command, verb: string, quiet: boolean): Promise<StoreRows | undefined> {
  if (o.store === undefined) {
    if (o.filter.length > 0) {
      throw new OptionsError("STORE_FILTER_WITHOUT_STORE", "--filter selects rows of a store, and no --store was given.", {
        hint: `Add --store DIR, or leave out --filter to ${verb} the files.`,
      });
    }
    if (files.length === 0) {
      throw new OptionsError("NO_INPUT", `Nothing to ${verb}: give dataset files, or --store DIR to use a vector store's labelled rows.`, {
        hint: `For example: sentivec ${cmd.name()} reviews.csv, or sentivec ${cmd.name()} --store .sentivec/store.`,
      });
    }
    return undefined;
  }
  if (files.length > 0) {
    throw new OptionsError("STORE_AND_FILES", `Give dataset files or --store ${o.store}, not both (got ${files.length} file${files.length === 1 ? "" : "s"}).`, {
      hint: "Add the files to the store first (sentivec store add FILE --store DIR), or leave out --store.",
    });
  }
  for (const option of cmd.options) {
    if (FILE_AND_EMBEDDER_OPTIONS.has(option.attributeName()) && cmd.getOptionValueSource(option.attributeName()) === "cli") {
      throw new OptionsError("STORE_OPTION", `${option.long} does not apply with --store: the store's rows carry their own vectors, so nothing is read from files or embedded.`, {
        hint: `Leave out ${option.long}.`,
      });
    }
  }
  const filter = parseFilters(o.filter);
  const store = await openCollection(o.store);
  let set: TrainingSet, size: number;
  try {
    await checkFilterFields(store, filter, o.filter);
    set = { ...(await store.toTrainingSet({ filter, unlabeled: "skip" })), source: o.store };
    size = await store.count();
  } finally {
    store.close();
  }
  const filtered = o.filter.length > 0 ? ` matching ${o.filter.map((f) => `--filter ${f}`).join(" ")}` : "";
  const ignored = set.skippedUnlabeled > 0 ? `; ignored ${set.skippedUnlabeled} unlabelled row${set.skippedUnlabeled === 1 ? "" : "s"}` : "";
  if (set.X.rows === 0) {
    throw new OptionsError("STORE_NO_LABELLED_ROWS", `The store ${o.store} has no labelled rows${filtered} (${size} rows${ignored}): nothing to ${verb}.`, {
      hint: o.filter.length > 0 ? "Change --filter, or add labelled rows with sentivec store add FILE." : "Add labelled rows with sentivec store add FILE (a file with a label column).",
    });
  }
  status(`Read ${set.X.rows} labelled rows${filtered} from the store ${o.store} (${store.embedderId}, ${store.dimensions} dims)${ignored}.`, quiet);
  return { dir: o.store, store, size, set, filter };
}

/**
 * The store's rows as evaluation data for `model`, after two checks: the model was trained in the
 * store's vector space, and it knows every label the rows carry (a label it cannot predict would make
 * the report quietly wrong).
 */
export function storeEvaluationData(model: SentimentModel, rows: StoreRows, modelDir: string): Dataset {
  checkModelFitsStore(model.embedderInfo, rows.store, { model: modelDir, store: rows.dir });
  const known = new Set(model.labels);
  const unknown = rows.set.y.findIndex((label) => !known.has(label));
  if (unknown >= 0) {
    throw new OptionsError("EVALUATE_LABEL", `The store ${rows.dir} has rows labelled ${JSON.stringify(rows.set.y[unknown])} (first: id "${rows.set.ids[unknown]}"), a label the model ${modelDir} does not know (${model.labels.join(", ")}).`, {
      hint: "Evaluate a model trained with that label, or leave those rows out with --filter label=...",
    });
  }
  return storeDataset(rows.set).dataset;
}
