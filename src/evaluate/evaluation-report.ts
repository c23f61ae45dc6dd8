import { type ClassScores, accuracy, averageScores, confusionMatrix, perClassScores } from "./classification-metrics.js";
import { rocAuc } from "./roc-auc.js";

export interface EvaluationReport {
  /** Class names; index i is class i throughout. */
  labels: string[];
  /** Rows scored. */
  n: number;
  accuracy: number;
  perClass: (ClassScores & { label: string })[];
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  /** confusion[t][p]: rows of true class t predicted as p. */
  confusion: number[][];
  /** Binary problems only (the last label is the positive class); null otherwise or when one class is absent. */
  rocAuc: number | null;
  /** Simpler models scored on the same rows, for comparison (e.g. kNN); absent when none were run. */
  baselines?: BaselineScore[];
}

export interface BaselineScore {
  name: string;
  accuracy: number;
  macroF1: number;
  rocAuc: number | null;
}

export interface EvaluateInput {
  labels: string[];
  yTrue: ArrayLike<number>;
  yPred: ArrayLike<number>;
  /** Class probabilities per row; needed for ROC-AUC. */
  proba?: ArrayLike<number>[];
}

/** Every metric of the report from true and predicted class indices (and probabilities). */
export function evaluatePredictions({ labels, yTrue, yPred, proba }: EvaluateInput): EvaluationReport {
  const k = labels.length;
  const perClass = perClassScores(yTrue, yPred, k).map((s, c) => ({ label: labels[c], ...s }));
  const { macro, weighted } = averageScores(perClass);
  let auc: number | null = null;
  if (k === 2 && proba) {
    const present = new Set(Array.from(yTrue));
    if (present.size === 2) auc = rocAuc(Array.from(yTrue, (y) => (y === 1 ? 1 : 0)), proba.map((p) => p[1]));
  }
  return {
    labels,
    n: yTrue.length,
    accuracy: accuracy(yTrue, yPred),
    perClass,
    macro,
    weighted,
    confusion: confusionMatrix(yTrue, yPred, k),
    rocAuc: auc,
  };
}
