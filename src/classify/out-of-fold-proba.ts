import { stratifiedKFold } from "../data/stratified-k-fold.js";
import { ModelError } from "../errors.js";
import { type Matrix, selectRows } from "../util/matrix.js";
import type { Classifier } from "./classifier.js";

/**
 * Probabilities of every training row from a model that did not see it (scikit-learn's
 * cross_val_predict(method="predict_proba") over stratified folds): what calibration and an automatic
 * threshold are fitted on, so neither learns from scores the model made on its own training rows.
 * Uses fewer folds when a class has fewer rows than `folds`; needs 2 rows of every class.
 */
export function outOfFoldProba(make: () => Classifier, X: Matrix, y: Int32Array, nClasses: number, folds: number, seed: number, purpose: string): Float64Array[] {
  const counts = new Array<number>(nClasses).fill(0);
  for (const c of y) counts[c]++;
  const smallest = counts.reduce((a, b) => Math.min(a, b));
  const k = Math.min(folds, smallest);
  if (k < 2) {
    throw new ModelError("FIT_TOO_FEW_FOR_CV", `${purpose} needs at least 2 training rows of every class (one class has ${smallest}).`, {
      hint: "Add examples of the rarest class, or leave that option out.",
    });
  }
  const out = new Array<Float64Array>(y.length);
  for (const { train, test } of stratifiedKFold(y, { folds: k, seed })) {
    const model = make().fit(selectRows(X, train), Int32Array.from(train, (i) => y[i]));
    const proba = model.predictProba(selectRows(X, test));
    // A fold may lack a class: its model then has fewer columns; pad so every row has nClasses.
    test.forEach((i, r) => {
      const p = new Float64Array(nClasses);
      p.set(proba[r].subarray(0, nClasses));
      out[i] = p;
    });
  }
  return out;
}
