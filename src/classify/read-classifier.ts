import { CalibratedClassifier } from "./calibration/calibrated-classifier.js";
import type { Classifier } from "./classifier.js";
import { deserializeClassifier } from "./forest/create-classifier.js";
import { KnnClassifier } from "./knn-classifier.js";
import { LogisticRegression } from "./linear/logistic-regression.js";

/**
 * Reads bytes written by any classifier's `serialize()`, recognising the kind from its header: what a
 * model bundle stores. Forest engines are the forest module's to recognise (it throws for unknown bytes).
 */
export function readClassifier(bytes: Uint8Array): Classifier {
  if (LogisticRegression.isSerialized(bytes)) return LogisticRegression.deserialize(bytes);
  if (CalibratedClassifier.isSerialized(bytes)) return CalibratedClassifier.deserialize(bytes, readClassifier);
  if (KnnClassifier.isSerialized(bytes)) return KnnClassifier.deserialize(bytes);
  return deserializeClassifier(bytes);
}
