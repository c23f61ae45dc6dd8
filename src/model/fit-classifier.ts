import { buildClassifier } from "../classify/build-classifier.js";
import { CalibratedClassifier, type CalibrationMethod } from "../classify/calibration/calibrated-classifier.js";
import type { Classifier } from "../classify/classifier.js";
import { type FitProgressEvent, fitProgress } from "./fit-progress.js";
import type { ClassifierSpec } from "../classify/classifier-spec.js";
import { outOfFoldProba } from "../classify/out-of-fold-proba.js";
import { type ThresholdMetric, chooseThreshold } from "../classify/threshold/choose-threshold.js";
import { ModelError, OptionsError } from "../errors.js";
import { toMatrix } from "../util/matrix.js";

/** How a two-class decision threshold is set: a number, or "auto" (chosen on out-of-fold scores). */
export type ThresholdOption = number | "auto";

/** What "auto" maximises: balanced accuracy, or the F1 score of the named class. */
export type ThresholdObjective = { kind: "balanced-accuracy" } | { kind: "f1"; label: string };

/** Decision settings on top of a classifier: probability calibration and a two-class threshold. */
export interface DecisionOptions {
  /** Calibrate probabilities on out-of-fold scores, as scikit-learn's CalibratedClassifierCV. Default none. */
  calibrate?: CalibrationMethod;
  /**
   * Two classes only: predict the second label when its probability is at least this. "auto" picks the
   * cut maximising `thresholdObjective` on out-of-fold scores of the training rows (never the test
   * split). Default none (the most probable class, i.e. 0.5).
   */
  threshold?: ThresholdOption;
  /** Default balanced accuracy. */
  thresholdObjective?: ThresholdObjective;
  /** Folds for the out-of-fold scores. Default 5. */
  innerFolds?: number;
}

/** What a bundle records of the threshold. */
export interface ThresholdRecord {
  value: number;
  /** "auto" (chosen on out-of-fold scores, and for what) or "given". */
  source: "given" | { auto: string };
}

/**
 * Fits the classifier a spec names, calibrated when asked, and settles the decision threshold. The
 * out-of-fold scores an auto threshold needs come from the calibration when there is one (calibrated,
 * so the cut is on the probabilities the model hands out), else from a cross-validation of their own.
 */
export function fitClassifier(
  rows: readonly ArrayLike<number>[], y: Int32Array, labels: string[], spec: ClassifierSpec, decision: DecisionOptions, seed: number,
  onProgress?: (p: FitProgressEvent) => void,
): { classifier: Classifier; threshold?: ThresholdRecord } {
  const make = () => buildClassifier(spec, seed);
  const folds = decision.innerFolds ?? 5;
  const threshold = decision.threshold;
  if (threshold !== undefined) checkThreshold(threshold, labels, decision.thresholdObjective);
  const classifier = decision.calibrate ? CalibratedClassifier.create(make, { method: decision.calibrate, folds, seed }) : make();
  // Progress follows the final fit (for a forest, tree by tree); the out-of-fold fits before it are silent.
  const fitting = fitProgress(classifier, onProgress);
  classifier.fit(rows as ArrayLike<number>[], y, { onProgress: fitting.onProgress });
  fitting.end();
  if (threshold === undefined) return { classifier };
  if (threshold !== "auto") return { classifier, threshold: { value: threshold, source: "given" } };
  const objective = decision.thresholdObjective ?? { kind: "balanced-accuracy" };
  const scores = classifier instanceof CalibratedClassifier && classifier.outOfFold
    ? classifier.outOfFold
    : outOfFoldProba(make, toMatrix(rows as ArrayLike<number>[], "training vectors"), y, labels.length, folds, seed, "--threshold auto");
  const metric: ThresholdMetric = objective.kind === "f1" ? { kind: "f1", classIndex: labels.indexOf(objective.label) as 0 | 1 } : objective;
  const value = chooseThreshold(scores.map((p) => p[1]), y, metric);
  return { classifier, threshold: { value, source: { auto: objective.kind === "f1" ? `F1 of ${objective.label}` : "balanced accuracy" } } };
}

function checkThreshold(threshold: ThresholdOption, labels: string[], objective: ThresholdObjective | undefined): void {
  if (labels.length !== 2) {
    throw new ModelError("THRESHOLD_CLASSES", `A decision threshold needs exactly two classes; these labels are ${labels.length} (${labels.join(", ")}).`, {
      hint: "Leave out the threshold: with more classes the most probable one is predicted.",
    });
  }
  if (threshold !== "auto" && !(typeof threshold === "number" && threshold > 0 && threshold < 1)) {
    throw new OptionsError("THRESHOLD_VALUE", `The threshold must be "auto" or a number between 0 and 1 (exclusive); got ${JSON.stringify(threshold)}.`);
  }
  if (objective?.kind === "f1" && !labels.includes(objective.label)) {
    throw new OptionsError("THRESHOLD_LABEL", `The threshold's F1 class "${objective.label}" is not one of the labels (${labels.join(", ")}).`, { hint: "Name one of the labels." });
  }
  if (objective !== undefined && threshold !== "auto") {
    throw new OptionsError("THRESHOLD_OBJECTIVE", "A threshold objective applies only to an automatic threshold.", { hint: 'Use threshold "auto" with it, or leave it out.' });
  }
}
