/** What the report's charts are drawn from: every scored row's true class and class probabilities. */
export interface ScoredRows {
  /** Class names; class i is labels[i]. */
  labels: string[];
  /** True class index per row. */
  yTrue: ArrayLike<number>;
  /** Probability of each class per row (rows sum to 1). */
  proba: ArrayLike<number>[];
  /** The texts, when known (for the table of confident mistakes). */
  texts?: (string | undefined)[];
}
