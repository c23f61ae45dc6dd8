import { type ClassScores, accuracy, averageScores, confusionMatrix, perClassScores } from "./classification-metrics.js";
import { brierScore, logLoss } from "./probability-scores.js";
import { rocAucOvr } from "./roc-auc.js";

export interface EvaluationReport {
  /** Class names; index i is class i throughout. */
  labels: string[];
  /** Rows scored. */
  n: number;
  accuracy: number;
  /** Mean recall over classes (scikit-learn's balanced_accuracy_score): 1/K for a constant answer. */
  balancedAccuracy: number;
  perClass: (ClassScores & { label: string })[];
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  /** confusion[t][p]: rows of true class t predicted as p. */
  confusion: number[][];
  /**
   * ROC-AUC: for two classes, of the second label's probability (the positive class); for more, the
   * one-vs-rest macro average, as scikit-learn's roc_auc_score(multi_class="ovr"). Null without
   * probabilities or when a class is absent from the rows.
   */
  rocAuc: number | null;
  /** One-vs-rest ROC-AUC weighted by class prevalence (average="weighted"); equals rocAuc for two classes. */
  rocAucWeighted: number | null;
  /** Brier score of the probabilities (see probability-scores.ts); null without probabilities. */
  brier: number | null;
  /** Log-loss of the probabilities; null without probabilities. */
  logLoss: number | null;
  /** Simpler models scored on the same rows, for comparison (majority class, kNN, logistic regression). */
  baselines?: BaselineScore[];
  /** Probability quality before calibration, when the model's probabilities are calibrated. */
  uncalibrated?: { method: string; brier: number; logLoss: number };
  /** The decision threshold used on the positive class's probability, when one was set (two classes). */
  threshold?: number;
}

export interface BaselineScore {
  name: string;
  accuracy: number;
  macroF1: number;
  rocAuc: number | null;
  /** Absent in reports saved before balanced accuracy was added. */
  balancedAccuracy?: number;
  brier?: number | null;
  logLoss?: number | null;
}

export interface EvaluateInput {
  labels: string[];
  yTrue: ArrayLike<number>;
  yPred: ArrayLike<number>;
  /** Class probabilities per row; needed for ROC-AUC, Brier score and log-loss. */
  proba?: ArrayLike<number>[];
}

/** Every metric of the report from true and predicted class indices (and probabilities). */
export function evaluatePredictions({ labels, yTrue, yPred, proba }: EvaluateInput): EvaluationReport {
  const k = labels.length;
  const perClass = perClassScores(yTrue, yPred, k).map((s, c) => ({ label: labels[c], ...s }));
  const { macro, weighted } = averageScores(perClass);
  const auc = proba && yTrue.length > 0 ? rocAucOvr(yTrue, proba, k) : null;
  const present = perClass.filter((c) => c.support > 0);
  return {
    labels,
    n: yTrue.length,
    accuracy: accuracy(yTrue, yPred),
    // Over the classes present, as scikit-learn (which warns and ignores absent ones).
    balancedAccuracy: present.length ? present.reduce((s, c) => s + c.recall, 0) / present.length : 0,
    perClass,
    macro,
    weighted,
    confusion: confusionMatrix(yTrue, yPred, k),
    rocAuc: auc?.macro ?? null,
    rocAucWeighted: auc?.weighted ?? null,
    brier: proba && yTrue.length > 0 ? brierScore(yTrue, proba) : null,
    logLoss: proba && yTrue.length > 0 ? logLoss(yTrue, proba) : null,
  };
}

/** A baseline's line in a report, from its full evaluation. */
export function baselineScore(name: string, r: EvaluationReport): BaselineScore {
  return { name, accuracy: r.accuracy, balancedAccuracy: r.balancedAccuracy, macroF1: r.macro.f1, rocAuc: r.rocAuc, brier: r.brier, logLoss: r.logLoss };
}

/**
 * The majority-class baseline: always answers the most frequent class of `prior` (the training
 * labels' class shares; the scored rows' own shares when not given), with those shares as its
 * probabilities, as scikit-learn's DummyClassifier(strategy="prior").
 */
export function majorityBaseline(labels: string[], yTrue: ArrayLike<number>, prior?: ArrayLike<number>): BaselineScore {
  const K = labels.length;
  let shares: Float64Array;
  if (prior) {
    const total = Array.from(prior).reduce((a, b) => a + b, 0);
    shares = Float64Array.from(prior, (c) => c / total);
  } else {
    shares = new Float64Array(K);
    for (let i = 0; i < yTrue.length; i++) shares[yTrue[i]] += 1 / yTrue.length;
  }
  let best = 0;
  for (let c = 1; c < K; c++) if (shares[c] > shares[best]) best = c;
  const r = evaluatePredictions({ labels, yTrue, yPred: new Int32Array(yTrue.length).fill(best), proba: Array.from({ length: yTrue.length }, () => shares) });
  return baselineScore(`majority class (always "${labels[best]}")`, r);
}

export const MAJORITY_PREFIX = "majority class";

/**
 * Which headline figures fail to beat the majority-class baseline: accuracy (the figure a constant
 * answer inflates on imbalanced data) and balanced accuracy (which a constant answer cannot inflate).
 */
export function majorityShortfall(report: EvaluationReport): { metric: "accuracy" | "balanced accuracy"; model: number; baseline: number }[] {
  const majority = report.baselines?.find((b) => b.name.startsWith(MAJORITY_PREFIX));
  if (!majority) return [];
  const out: { metric: "accuracy" | "balanced accuracy"; model: number; baseline: number }[] = [];
  if (report.accuracy <= majority.accuracy) out.push({ metric: "accuracy", model: report.accuracy, baseline: majority.accuracy });
  if (majority.balancedAccuracy !== undefined && report.balancedAccuracy <= majority.balancedAccuracy) {
    out.push({ metric: "balanced accuracy", model: report.balancedAccuracy, baseline: majority.balancedAccuracy });
  }
  return out;
}
