import { OptionsError } from "../errors.js";

/** Probabilities are clipped to [EPS, 1 − EPS] for log-loss, as scikit-learn's log_loss does (float64 eps). */
const EPS = 1e-15;

/**
 * Brier score. For two classes, scikit-learn's brier_score_loss(y, p_positive): the mean of (p − y)².
 * For more classes, Brier's original multi-class form: the mean over rows of Σ_k (p_k − [y = k])²
 * (scikit-learn 1.2 has no multi-class Brier). Lower is better; 0 is perfect.
 */
export function brierScore(yTrue: ArrayLike<number>, proba: ArrayLike<number>[]): number {
  checkShapes(yTrue, proba);
  const K = proba[0].length;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = proba[i];
    if (K === 2) total += (p[1] - (yTrue[i] === 1 ? 1 : 0)) ** 2;
    else for (let k = 0; k < K; k++) total += (p[k] - (yTrue[i] === k ? 1 : 0)) ** 2;
  }
  return total / yTrue.length;
}

/** Mean negative log-likelihood of the true class (natural log), as scikit-learn's log_loss. Lower is better. */
export function logLoss(yTrue: ArrayLike<number>, proba: ArrayLike<number>[]): number {
  checkShapes(yTrue, proba);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = proba[i];
    // Rows are renormalised after clipping, as scikit-learn does.
    let sum = 0;
    for (let k = 0; k < p.length; k++) sum += Math.min(Math.max(p[k], EPS), 1 - EPS);
    total -= Math.log(Math.min(Math.max(p[yTrue[i]], EPS), 1 - EPS) / sum);
  }
  return total / yTrue.length;
}

function checkShapes(yTrue: ArrayLike<number>, proba: ArrayLike<number>[]): void {
  if (yTrue.length !== proba.length) throw new OptionsError("METRICS_LENGTH", `yTrue has ${yTrue.length} labels but proba has ${proba.length} rows.`);
  if (yTrue.length === 0) throw new OptionsError("METRICS_EMPTY", "No rows to score.");
  for (let i = 0; i < proba.length; i++) {
    const p = proba[i];
    if (p.length !== proba[0].length) throw new OptionsError("METRICS_LENGTH", `proba row ${i} has ${p.length} values but row 0 has ${proba[0].length}.`);
    for (let k = 0; k < p.length; k++) {
      if (!Number.isFinite(p[k])) throw new OptionsError("METRICS_NOT_FINITE", `proba row ${i}, class ${k} is ${p[k]}.`);
    }
    const y = yTrue[i];
    if (!Number.isInteger(y) || y < 0 || y >= p.length) throw new OptionsError("METRICS_LABEL", `yTrue[${i}] is ${y}, not a class index below ${p.length}.`);
  }
}
