import type { Matrix } from "../util/matrix.js";

/**
 * The estimator shape every classifier implements, forests and kNN alike (scikit-learn's shape): hyperparameters in the
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
  /** Fits on rows X with integer labels y; `options` carries progress reporting (engines may ignore it). */
  fit(X: Matrix | ArrayLike<number>[], y: ArrayLike<number>, options?: FitOptions): this;
  /** Most probable class per row; ties go to the lower class index. */
  predict(X: Matrix | ArrayLike<number>[]): Int32Array;
  /** One probability row per input row, each of length nClasses, summing to 1. */
  predictProba(X: Matrix | ArrayLike<number>[]): Float64Array[];
  /** Compact bytes; `deserializeClassifier` reads them back. */
  serialize(): Uint8Array;
}

/** Per-call options of `Classifier.fit`: what a caller watches, not what the model learns (never saved). */
export interface FitOptions {
  /**
   * Called as fitting advances, e.g. after each tree of a forest: `done` of `total` units. Called on the
   * calling thread; must not throw.
   */
  onProgress?: (done: number, total: number) => void;
}
