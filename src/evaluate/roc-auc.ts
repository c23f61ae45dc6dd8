import { OptionsError } from "../errors.js";

/**
 * Area under the ROC curve for a binary problem: the probability that a random positive scores
 * higher than a random negative, ties counting half (Mann–Whitney U with average ranks).
 * `yTrue` holds 1 for the positive class and 0 otherwise; `scores` the positive-class probability.
 * Undefined (throws) when only one class is present.
 */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (yTrue.length !== scores.length) throw new OptionsError("METRICS_LENGTH", `yTrue has ${yTrue.length} labels but scores has ${scores.length}.`);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (yTrue[order[k]] === 1) { nPos++; rankSumPos += avgRank; }
    i = j + 1;
  }
  const nNeg = order.length - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new OptionsError("METRICS_ONE_CLASS", "ROC-AUC needs both classes in yTrue; only one is present.");
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** ROC curve points (false-positive rate, true-positive rate), one per distinct threshold, from (0,0) to (1,1). */
export function rocCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): { fpr: number[]; tpr: number[]; thresholds: number[] } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let P = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === 1) P++;
  const N = yTrue.length - P;
  const fpr = [0], tpr = [0], thresholds = [Number.POSITIVE_INFINITY];
  let tp = 0, fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (yTrue[order[i]] === 1) tp++;
    else fp++;
    if (i + 1 === order.length || scores[order[i + 1]] !== scores[order[i]]) {
      fpr.push(N ? fp / N : 0);
      tpr.push(P ? tp / P : 0);
      thresholds.push(scores[order[i]]);
    }
  }
  return { fpr, tpr, thresholds };
}

/**
 * One-vs-rest ROC-AUC for K ≥ 2 classes, as scikit-learn's roc_auc_score(y, proba, multi_class="ovr"):
 * each class's AUC against the rest, averaged plainly (macro) and by prevalence (weighted). For two
 * classes both equal the binary AUC of the second class's score. Null when a class is absent from
 * yTrue (its AUC is undefined; scikit-learn raises then).
 */
export function rocAucOvr(yTrue: ArrayLike<number>, proba: ArrayLike<number>[], nClasses: number): { macro: number; weighted: number } | null {
  if (yTrue.length !== proba.length) throw new OptionsError("METRICS_LENGTH", `yTrue has ${yTrue.length} labels but proba has ${proba.length} rows.`);
  const counts = new Array<number>(nClasses).fill(0);
  for (let i = 0; i < yTrue.length; i++) counts[yTrue[i]]++;
  if (counts.some((c) => c === 0 || c === yTrue.length)) return null;
  if (nClasses === 2) {
    const auc = rocAuc(Array.from(yTrue, (y) => (y === 1 ? 1 : 0)), proba.map((p) => p[1]));
    return { macro: auc, weighted: auc };
  }
  let macro = 0, weighted = 0;
  for (let k = 0; k < nClasses; k++) {
    const auc = rocAuc(Array.from(yTrue, (y) => (y === k ? 1 : 0)), proba.map((p) => p[k]));
    macro += auc / nClasses;
    weighted += (auc * counts[k]) / yTrue.length;
  }
  return { macro, weighted };
}
