import { ModelError } from "../errors.js";
import { compileFilter, type Metadata, type StoreFilter } from "../store/store-filter.js";
import type { VectorStore } from "../store/vector-store.js";
import type { SentimentModel } from "./sentiment-model.js";
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
  const batchSize = options.batchSize ?? 4096;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ModelError("LABEL_BATCH_SIZE", `batchSize must be a whole number ≥ 1; got ${batchSize}.`);
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
      const fields: Metadata = { [PREDICTED_FIELD]: p.label };
      for (const [label, probability] of Object.entries(p.probabilities)) {
        // A NaN would be saved as null and read back as "no probability": refuse instead of storing it.
        if (!Number.isFinite(probability)) {
          throw new ModelError("LABEL_NOT_FINITE", `The model gave row "${batch[k]}" a probability of ${probability} for "${label}"; nothing was saved.`, {
            hint: "The model bundle is damaged or was trained on bad vectors: train it again.",
          });
        }
        fields[`${PROBABILITY_PREFIX}${label}`] = Math.round(probability * 1e6) / 1e6;
      }
      const old = store.get(batch[k])!.metadata;
      const stale = PREDICTED_FIELD in old ? Object.keys(old).filter((f) => f.startsWith(PROBABILITY_PREFIX)) : [];
      store.updateMetadata(batch[k], fields, stale);
      counts[p.label]++;
    });
  }
  return { labelled: ids.length, counts };
}
