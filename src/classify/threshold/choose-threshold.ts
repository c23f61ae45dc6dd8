import { OptionsError } from "../../errors.js";

/**
 * What an automatic threshold maximises: balanced accuracy (mean recall of the two classes), or the F1
 * score of one class (0 or 1).
 */
export type ThresholdMetric = { kind: "balanced-accuracy" } | { kind: "f1"; classIndex: 0 | 1 };

/**
 * The cut on class 1's probability (class 1 when p ≥ cut) that maximises `metric` on the given scores,
 * which must be out-of-fold or out-of-bag scores of the training rows, never the test split's. Every
 * distinct score is a candidate; the cut is put midway between the best one and the next lower score
 * so it does not sit on a training score. Ties go to the cut nearest 0.5. (Answering class 0 for
 * everything is never a candidate: it cannot beat a cut that finds any class-1 row.)
 */
export function chooseThreshold(scores: ArrayLike<number>, y: ArrayLike<number>, metric: ThresholdMetric = { kind: "balanced-accuracy" }): number {
  if (scores.length !== y.length) throw new OptionsError("THRESHOLD_LENGTH", `Got ${scores.length} scores but ${y.length} labels.`);
  let P = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) P++;
  const N = y.length - P;
  if (P === 0 || N === 0) throw new OptionsError("THRESHOLD_ONE_CLASS", "Choosing a threshold needs rows of both classes.");
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let tp = 0, fp = 0;
  let best = -Infinity, bestCut = 0.5;
  const consider = (value: number, cut: number) => {
    if (value > best + 1e-12 || (Math.abs(value - best) <= 1e-12 && Math.abs(cut - 0.5) < Math.abs(bestCut - 0.5))) {
      best = value;
      bestCut = cut;
    }
  };
  for (let r = 0; r < order.length; ) {
    const v = scores[order[r]];
    while (r < order.length && scores[order[r]] === v) {
      if (y[order[r]] === 1) tp++;
      else fp++;
      r++;
    }
    const next = r < order.length ? scores[order[r]] : 0;
    // Below the lowest score everything is class 1: half of it (0 if it is 0) stays below every score.
    consider(score(metric, tp, fp, P, N), r < order.length ? (v + next) / 2 : v / 2);
  }
  return bestCut;
}

function score(metric: ThresholdMetric, tp: number, fp: number, P: number, N: number): number {
  const fn = P - tp, tn = N - fp;
  if (metric.kind === "balanced-accuracy") return (tp / P + tn / N) / 2;
  // F1 of class 1 from (tp, fp, fn); of class 0 from (tn, fn, fp).
  const [t, f1, f2] = metric.classIndex === 1 ? [tp, fp, fn] : [tn, fn, fp];
  return t === 0 ? 0 : (2 * t) / (2 * t + f1 + f2);
}

/** Class 1 where its probability is at least `threshold`, else class 0. */
export function applyThreshold(proba: ArrayLike<number>[], threshold: number): Int32Array {
  return Int32Array.from(proba, (p) => (p[1] >= threshold ? 1 : 0));
}
