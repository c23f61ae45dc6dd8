import type { ForestOptions } from "./forest/forest-options.js";
import type { LogisticRegressionOptions } from "./linear/logistic-regression.js";

/** The classifiers a SentimentModel can be trained with. */
export const CLASSIFIER_KINDS = ["forest", "logistic"] as const;
export type ClassifierKind = (typeof CLASSIFIER_KINDS)[number];

/** Which classifier to build and its hyperparameters; only the kind's own options are read. */
export interface ClassifierSpec {
  /** Default "forest". */
  kind?: ClassifierKind;
  forest?: ForestOptions;
  logistic?: LogisticRegressionOptions;
}
