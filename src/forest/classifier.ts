import type { Matrix } from "../util/matrix.js";

/**
 * The estimator shape every forest engine implements (scikit-learn's): hyperparameters in the
 * constructor, fit(X, y), predict(X), predictProba(X). Class labels are integers 0..nClasses-1;
 * the SentimentModel maps them to names.
 */
export interface Classifier {
  /** Engine name recorded in bundles, e.g. "sentivec" or "ml-random-forest". */
  readonly engine: string;
  readonly nClasses: number;
  readonly nFeatures: number;
  /** Hyperparameters as given (defaults filled in), for the model bundle. */
  readonly params: Readonly<Record<string, unknown>>;
  fit(X: Matrix | ArrayLike<number>[], y: ArrayLike<number>): this;
  /** Most probable class per row; ties go to the lower class index. */
  predict(X: Matrix | ArrayLike<number>[]): Int32Array;
  /** One probability row per input row, each of length nClasses, summing to 1. */
  predictProba(X: Matrix | ArrayLike<number>[]): Float64Array[];
  /** Compact bytes; `deserializeClassifier` reads them back. */
  serialize(): Uint8Array;
}

/** Options common to every forest engine. Engines document their own defaults. */
export interface ForestOptions {
  /** Which engine to use. Default "sentivec" (the built-in engine). */
  engine?: "sentivec" | "ml-random-forest";
  /** Number of trees. Default 100. */
  nEstimators?: number;
  /**
   * Features tried per split: "sqrt" (default), "log2", "all", an integer count, or a fraction in (0,1).
   * The number 1 is one feature (JS cannot tell it from 1.0); scikit-learn's `max_features=1.0` is "all".
   */
  maxFeatures?: "sqrt" | "log2" | "all" | number;
  /** Maximum tree depth. Default unlimited. */
  maxDepth?: number;
  /** Minimum samples in a leaf. Default 1. */
  minSamplesLeaf?: number;
  /** Minimum samples to split a node. Default 2. */
  minSamplesSplit?: number;
  /** Seed for bootstrap and feature sampling. Default 42. */
  seed?: number;
  /** Split quality (sentivec engine): "gini" (default) or "entropy". */
  criterion?: "gini" | "entropy";
  /** Class weights (sentivec engine): "balanced" weighs classes inversely to their frequency; default null (equal). */
  classWeight?: "balanced" | null;
  /** Grow each tree on a bootstrap sample (sentivec engine). Default true. */
  bootstrap?: boolean;
  /** Compute the out-of-bag accuracy after fitting (sentivec engine). Default false. */
  oobScore?: boolean;
  /**
   * Threads used to grow trees (sentivec engine): 1 (default) or more; -1 for one per core.
   * The fitted model is identical whatever this is.
   */
  nJobs?: number;
}
