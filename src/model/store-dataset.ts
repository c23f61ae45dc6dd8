import { createHash } from "node:crypto";
import type { Dataset, LabeledText } from "../data/labeled-text.js";
import { type RecordedEmbedder, checkEmbedderMatches, embedderSpaceId } from "../embed/embedder-identity.js";
import { EmbeddingError, ModelError, SentivecError } from "../errors.js";
import type { TrainingSet, TrainingSetOptions, VectorStore } from "../store/vector-store.js";

/** A store's rows as a dataset that carries its own vectors, and what training should know about them. */
export interface StoreDataset {
  dataset: Dataset;
  /** The store's vector space (its embedder id). */
  embedderId: string;
  /** Unlabelled rows left out. */
  ignoredUnlabeled: number;
}

/** A VectorStore (duck-typed, so this module does not load the store) or a TrainingSet it made. */
export type StoreSource = VectorStore | TrainingSet;

export function isStoreSource(data: unknown): data is StoreSource {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return false;
  if (typeof (data as VectorStore).toTrainingSet === "function") return true;
  const t = data as Partial<TrainingSet>;
  return typeof t.embedderId === "string" && t.X !== undefined && Array.isArray(t.y) && Array.isArray(t.ids);
}

/**
 * The labelled rows of a store (or a TrainingSet) as a Dataset: each item carries its row of the store's
 * vectors (a view, not a copy) and its id as the text, so training and evaluation use the stored vectors
 * and embed nothing. Rows keep the store's order, and labels are sorted, as loadDataset does: a store
 * filled by `store add` from files then trains exactly as those files do.
 */
export function storeDataset(data: StoreSource, options: TrainingSetOptions & { source?: string } = {}): StoreDataset {
  const set = isTrainingSet(data) ? data : data.toTrainingSet({ filter: options.filter, unlabeled: options.unlabeled ?? "skip" });
  const { X, y, ids } = set;
  if (X.rows !== y.length || X.rows !== ids.length || X.data.length < X.rows * X.cols) {
    throw new ModelError("TRAIN_STORE_SHAPE", `The training set has ${X.rows} vector rows, ${y.length} labels and ${ids.length} ids; they must agree.`, {
      hint: "Pass the object store.toTrainingSet() returns, unchanged.",
    });
  }
  const file = set.source ?? options.source ?? "vector store";
  const items: LabeledText[] = new Array(X.rows);
  const hash = createHash("sha256");
  for (let i = 0; i < X.rows; i++) {
    const vector = X.data.subarray(i * X.cols, (i + 1) * X.cols);
    items[i] = { text: ids[i], label: y[i], vector, source: { file, record: i + 1 } };
    hash.update(`${y[i]}\t${ids[i]}\n`).update(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  }
  const labels = [...new Set(y)].sort();
  const dataset: Dataset = {
    items,
    labels,
    stats: { rows: X.rows + set.skippedUnlabeled, kept: X.rows, duplicatesRemoved: 0, conflictingDuplicates: 0, neutralDropped: 0, badRowsSkipped: 0, badRows: [] },
    files: [file],
    fingerprint: hash.digest("hex"),
    ...(set.labelScheme !== undefined ? { labelScheme: set.labelScheme } : {}),
  };
  return { dataset, embedderId: set.embedderId, ignoredUnlabeled: set.skippedUnlabeled };
}

function isTrainingSet(data: StoreSource): data is TrainingSet {
  return typeof (data as VectorStore).toTrainingSet !== "function";
}

/**
 * Refuses a model whose vectors live in another space than the store's: another model, size or
 * server. The same rule as the embedder check (checkEmbedderMatches), with a message about the store.
 * `model` and `store` name them for the message (folders on the CLI).
 */
export function checkModelFitsStore(recorded: RecordedEmbedder, store: { embedderId: string; dimensions: number }, names: { model: string; store: string }): void {
  try {
    checkEmbedderMatches(recorded, { id: store.embedderId, dimensions: store.dimensions });
  } catch (error) {
    if (!(error instanceof SentivecError)) throw error;
    const sameSpace = embedderSpaceId(recorded.id) === embedderSpaceId(store.embedderId) && recorded.dimensions === store.dimensions;
    throw new EmbeddingError(
      "STORE_MODEL_EMBEDDER",
      `The model ${names.model} was trained on ${recorded.id} vectors (${recorded.dimensions} dims), but the store ${names.store} holds ${store.embedderId} vectors (${store.dimensions} dims)${sameSpace ? " from another server" : ""}; nothing was predicted.`,
      { hint: "Use a model trained on this store's embedder (e.g. sentivec train --store DIR), or a store built with the model's embedder." },
    );
  }
}
