import { ModelError } from "../errors.js";
import { compileFilter, type Metadata, type StoreFilter } from "../store/store-filter.js";
import type { VectorCollection } from "../store/collection/vector-collection.js";
import type { VectorStore } from "../store/vector-store.js";
import type { Prediction, SentimentModel } from "./sentiment-model.js";
import { checkModelFitsStore } from "./store-dataset.js";

/** The metadata field that holds a row's predicted label; probabilities go in `p_<label>`. */
export const PREDICTED_FIELD = "predicted";
export const PROBABILITY_PREFIX = "p_";

export interface LabelStoreOptions {
  /** Which rows to label. Default: the rows with no label. With a filter: every row it matches, labelled or not. */
  filter?: StoreFilter;
  /** Names for the embedder-mismatch message (CLI: the folders). Default "model" and "store". */
  names?: { model: string; store: string };
  /** Rows predicted per batch (bounds the memory of one batch). Default 4096. */
  batchSize?: number;
}

export interface LabelStoreResult {
  /** Rows whose metadata now holds a prediction. */
  labelled: number;
  /** Predicted rows per label. */
  counts: Record<string, number>;
}

/**
 * Writes `model`'s prediction for rows of `store` into their metadata: `predicted` (the label) and
 * `p_<label>` (its probability, for every label of the model), so that a search can filter on them
 * (`{ metadata: { predicted: "negative" } }`). The stored vectors are used as they are: nothing is embedded.
 *
 * The model must come from the store's vector space (checked first; nothing is changed otherwise). The
 * `predicted` and `p_*` fields belong to labelling: a row labelled before loses its old `p_*` fields,
 * so a model with other labels leaves no stale probability behind. Only the store in memory changes;
 * save it to keep the result (the CLI does so under the store's lock).
 */
export function labelStore(store: VectorStore, model: SentimentModel, options: LabelStoreOptions = {}): LabelStoreResult {
  checkModelFitsStore(model.embedderInfo, store, options.names ?? { model: "model", store: "store" });
  const batchSize = checkLabelBatchSize(options.batchSize);
  const predicate = compileFilter(options.filter);
  const ids = store.allIds().filter((id) => {
    const row = store.get(id)!;
    return predicate === null ? row.label === undefined : predicate(row.label, row.metadata);
  });
  const counts: Record<string, number> = Object.fromEntries(model.labels.map((l) => [l, 0]));
  for (let start = 0; start < ids.length; start += batchSize) {
    const batch = ids.slice(start, start + batchSize);
    const predictions = model.predictVectors(batch.map((id) => store.get(id)!.vector));
    predictions.forEach((p, k) => {
      const old = store.get(batch[k])!.metadata;
      store.updateMetadata(batch[k], predictionFields(p, batch[k]), staleFields(old));
      counts[p.label]++;
    });
  }
  return { labelled: ids.length, counts };
}

/**
 * labelStore() for any VectorCollection (the in-memory store or a lance: one): the rows are scanned and
 * predicted batch by batch, and each batch's metadata written back before the next is read, so a
 * collection larger than memory is labelled in bounded memory. Writes go to the collection as they
 * happen: the caller holds its lock, and saves it after.
 */
export async function labelCollection(collection: VectorCollection, model: SentimentModel, options: LabelStoreOptions = {}): Promise<LabelStoreResult> {
  checkModelFitsStore(model.embedderInfo, collection, options.names ?? { model: "model", store: "store" });
  const batchSize = checkLabelBatchSize(options.batchSize);
  const counts: Record<string, number> = Object.fromEntries(model.labels.map((l) => [l, 0]));
  let labelled = 0;
  const scan = options.filter === undefined ? { unlabeledOnly: true, batchSize } : { filter: options.filter, batchSize };
  for await (const batch of collection.scan(scan)) {
    const predictions = model.predictVectors(batch.map((row) => row.vector));
    const updates = batch.map((row, k) => {
      const metadata: Metadata = { ...row.metadata };
      for (const f of staleFields(row.metadata)) delete metadata[f];
      Object.assign(metadata, predictionFields(predictions[k], row.id));
      counts[predictions[k].label]++;
      return { id: row.id, metadata };
    });
    await collection.replaceMetadata(updates);
    labelled += batch.length;
  }
  return { labelled, counts };
}

/** `predicted` and `p_<label>` for one prediction; a non-finite probability is refused, not stored. */
function predictionFields(p: Prediction, id: string): Metadata {
  const fields: Metadata = { [PREDICTED_FIELD]: p.label };
  for (const [label, probability] of Object.entries(p.probabilities)) {
    // A NaN would be saved as null and read back as "no probability": refuse instead of storing it.
    if (!Number.isFinite(probability)) {
      throw new ModelError("LABEL_NOT_FINITE", `The model gave row "${id}" a probability of ${probability} for "${label}"; nothing was saved.`, {
        hint: "The model bundle is damaged or was trained on bad vectors: train it again.",
      });
    }
    fields[`${PROBABILITY_PREFIX}${label}`] = Math.round(probability * 1e6) / 1e6;
  }
  return fields;
}

/** A row labelled before loses its old p_* fields, so a model with other labels leaves none stale. */
function staleFields(old: Metadata): string[] {
  return PREDICTED_FIELD in old ? Object.keys(old).filter((f) => f.startsWith(PROBABILITY_PREFIX)) : [];
}

function checkLabelBatchSize(batchSize: number | undefined): number {
  const n = batchSize ?? 4096;
  if (!Number.isInteger(n) || n < 1) throw new ModelError("LABEL_BATCH_SIZE", `batchSize must be a whole number ≥ 1; got ${batchSize}.`);
  return n;
}
