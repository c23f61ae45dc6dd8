import { OptionsError } from "../errors.js";

/** Class labels as indices 0..K-1 (what the forest predicts). */
type Labels = ArrayLike<number>;

function checkSameLength(yTrue: Labels, yPred: Labels): void {
  if (yTrue.length !== yPred.length) {
    throw new OptionsError("METRICS_LENGTH", `yTrue has ${yTrue.length} labels but yPred has ${yPred.length}.`);
  }
  if (yTrue.length === 0) throw new OptionsError("METRICS_EMPTY", "Cannot score zero predictions.");
}

/** Fraction of predictions equal to the truth. */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkSameLength(yTrue, yPred);
  let right = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) right++;
  return right / yTrue.length;
}

/** matrix[t][p] = rows of true class t predicted as p (scikit-learn's orientation). */
export function confusionMatrix(yTrue: Labels, yPred: Labels, nClasses?: number): number[][] {
  checkSameLength(yTrue, yPred);
  let k = nClasses ?? 0;
  if (nClasses === undefined) for (let i = 0; i < yTrue.length; i++) k = Math.max(k, yTrue[i] + 1, yPred[i] + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Rows of this class in yTrue. */
  support: number;
}

/**
 * Per-class precision, recall, F1 and support. Where a ratio has a zero denominator it is 0
 * (scikit-learn's zero_division=0), so a class never predicted gets precision 0, not NaN.
 */
export function perClassScores(yTrue: Labels, yPred: Labels, nClasses?: number): ClassScores[] {
  const m = confusionMatrix(yTrue, yPred, nClasses);
  return m.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((a, r) => a + r[c], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

/** Unweighted mean over classes (macro) and support-weighted mean (weighted) of per-class scores. */
export function averageScores(scores: ClassScores[]): { macro: Omit<ClassScores, "support">; weighted: Omit<ClassScores, "support"> } {
  const total = scores.reduce((a, s) => a + s.support, 0);
  const mean = (f: (s: ClassScores) => number, w: (s: ClassScores) => number, denom: number) =>
    denom ? scores.reduce((a, s) => a + f(s) * w(s), 0) / denom : 0;
  const avg = (w: (s: ClassScores) => number, denom: number) => ({
    precision: mean((s) => s.precision, w, denom),
    recall: mean((s) => s.recall, w, denom),
    f1: mean((s) => s.f1, w, denom),
  });
  return { macro: avg(() => 1, scores.length), weighted: avg((s) => s.support, total) };
}
