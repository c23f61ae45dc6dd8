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
  /**
   * Class weights (sentivec engine): "balanced" weighs classes inversely to their frequency in the
   * training set, "balanced_subsample" in each tree's bootstrap sample (scikit-learn); default null (equal).
   */
  classWeight?: "balanced" | "balanced_subsample" | null;
  /**
   * Most bins per feature (sentivec engine), 2 to 65,535. Splits are searched between bins; a feature
   * with no more distinct training values than this gets a bin per value, so its splits are exact, as
   * scikit-learn's. Above 256, bin codes take two bytes instead of one (twice the memory for codes).
   * Default 256.
   */
  maxBins?: number;
  /**
   * Nodes with at least this many (distinct, in-bag) rows, in a tree's top 6 levels, search exact
   * thresholds between their rows' raw values, as scikit-learn does at every node, instead of between
   * bins (sentivec engine). Default 2000: on large sets 256 bins cost accuracy in exactly those nodes.
   * Costs fit time (a sort per drawn feature in those nodes; nothing on sets under 2,000 rows); with
   * nJobs > 1 and training rows not already in one SharedArrayBuffer-backed matrix, also a shared float32
   * copy of the training set. 0: every node splits between bins (the default before it was 2000).
   */
  exactFrom?: number;
  /**
   * Grow each tree on a bootstrap sample (sentivec engine). Default true. "balanced": each tree draws,
   * with replacement, as many rows of every class as the smallest class has (imbalanced-learn's
   * BalancedRandomForestClassifier); see bootstrap-sample.ts.
   */
  bootstrap?: boolean | "balanced";
  /** Compute the out-of-bag accuracy after fitting (sentivec engine). Default false. */
  oobScore?: boolean;
  /**
   * Threads used to grow trees (sentivec engine): 1 (default) or more; -1 for one per core.
   * The fitted model is identical whatever this is.
   */
  nJobs?: number;
}
