import { CalibratedClassifier } from "./calibration/calibrated-classifier.js";
import type { Classifier } from "./classifier.js";
import { deserializeClassifier } from "./forest/create-classifier.js";
import { KnnClassifier } from "./knn-classifier.js";
import { LogisticRegression } from "./linear/logistic-regression.js";

export interface ReadClassifierOptions {
  /** Threads for predicting large batches, for engines that can use them (default 1); never changes a prediction. */
  nJobs?: number;
}

/**
 * Reads bytes written by any classifier's `serialize()`, recognising the kind from its header: what a
 * model bundle stores. Forest engines are the forest module's to recognise (it throws for unknown bytes).
 */
export function readClassifier(bytes: Uint8Array, options: ReadClassifierOptions = {}): Classifier {
  if (LogisticRegression.isSerialized(bytes)) return LogisticRegression.deserialize(bytes);
  if (CalibratedClassifier.isSerialized(bytes)) return CalibratedClassifier.deserialize(bytes, (base) => readClassifier(base, options));
  if (KnnClassifier.isSerialized(bytes)) return KnnClassifier.deserialize(bytes);
  return deserializeClassifier(bytes, options);
}
