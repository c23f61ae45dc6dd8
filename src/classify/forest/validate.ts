import { ModelError, OptionsError } from "../../errors.js";
import type { Matrix } from "../../util/matrix.js";
import type { ForestOptions } from "./forest-options.js";

/**
 * Checks shared by every engine before fitting: non-empty, one label per row, integer labels
 * 0..K-1, at least two classes. Returns the number of classes.
 */
export function checkFitInput(X: { rows: number; cols: number }, y: ArrayLike<number>): { nClasses: number } {
  if (X.rows === 0 || X.cols === 0) {
    throw new ModelError("FIT_EMPTY", `Cannot train on an empty matrix (${X.rows} rows × ${X.cols} columns).`, {
      hint: "Give at least one row per class.",
    });
  }
  if (y.length !== X.rows) {
    throw new ModelError("FIT_LABEL_COUNT", `Got ${X.rows} rows but ${y.length} labels.`, { hint: "Give one label per row." });
  }
  let max = -1;
  const seen = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0) {
      throw new ModelError("FIT_BAD_LABEL", `Label at row ${i} is ${v}; labels must be class indices 0, 1, ...`);
    }
    seen.add(v);
    if (v > max) max = v;
  }
  if (seen.size < 2) {
    throw new ModelError("FIT_SINGLE_CLASS", `All ${y.length} training rows have the same class (${max}).`, {
      hint: "A classifier needs examples of at least two classes.",
    });
  }
  return { nClasses: max + 1 };
}

export function checkPredictInput(X: Matrix, nFeatures: number): Matrix {
  if (X.rows > 0 && X.cols !== nFeatures) {
    throw new ModelError("PREDICT_FEATURES", `The model was trained on ${nFeatures} features but got vectors of ${X.cols}.`, {
      hint: "Embed with the same embedder and dimensions the model was trained with.",
    });
  }
  return X;
}

const MAX_FEATURES_HINT = 'Use "sqrt", "log2", "all", a whole number of features (1 = one feature), or a fraction between 0 and 1 (use "all" for every feature).';

/**
 * Rejects a maxFeatures that names no number of features, when the forest is built rather than at fit.
 * Numbers follow scikit-learn, except that JS cannot tell 1.0 from 1: the number 1 is one feature.
 */
export function checkMaxFeatures(spec: unknown): void {
  if (spec === undefined || spec === "sqrt" || spec === "log2" || spec === "all") return;
  if (typeof spec === "number" && ((Number.isInteger(spec) && spec >= 1) || (spec > 0 && spec < 1))) return;
  throw new OptionsError("FOREST_OPTION", `maxFeatures must be "sqrt", "log2", "all", a whole number >= 1 or a fraction in (0, 1), got ${typeof spec === "string" ? JSON.stringify(spec) : String(spec)}.`, {
    hint: MAX_FEATURES_HINT,
  });
}

/** Number of features to try per split (or per tree, for ml-random-forest). */
export function resolveMaxFeatures(spec: ForestOptions["maxFeatures"], nFeatures: number): number {
  let k: number;
  // Truncated, as scikit-learn does (max(1, int(sqrt(n_features)))), so the same settings try the same number of features.
  if (spec === undefined || spec === "sqrt") k = Math.floor(Math.sqrt(nFeatures));
  else if (spec === "log2") k = Math.floor(Math.log2(nFeatures));
  else if (spec === "all") k = nFeatures;
  else if (typeof spec === "number" && Number.isInteger(spec) && spec >= 1) k = Math.min(spec, nFeatures);
  else if (typeof spec === "number" && spec > 0 && spec < 1) k = Math.floor(spec * nFeatures);
  else {
    throw new ModelError("FOREST_MAX_FEATURES", `maxFeatures ${JSON.stringify(spec)} is not understood.`, {
      hint: MAX_FEATURES_HINT,
    });
  }
  return Math.max(1, Math.min(nFeatures, k));
}
