import { type Command, InvalidArgumentError, Option } from "commander";
import { CLASSIFIER_KINDS, type ClassifierKind } from "../classify/classifier-spec.js";
import type { LogisticRegressionOptions } from "../classify/linear/logistic-regression.js";
import { CALIBRATION_METHODS, type CalibrationMethod } from "../classify/calibration/calibrated-classifier.js";
import type { DecisionOptions, ThresholdObjective } from "../model/fit-classifier.js";
import { OptionsError } from "../errors.js";
import type { ForestCliOptions } from "./forest-options.js";
import { strictNumber } from "./number-options.js";

export interface ClassifierCliOptions {
  classifier?: ClassifierKind;
  logisticC?: number | "auto";
  calibrate?: CalibrationMethod;
  threshold?: number | "auto";
  thresholdMetric?: ThresholdObjective;
  balancedBootstrap?: boolean;
  /** The forest's --class-weight, which logistic regression reads too. */
  classWeight?: ForestCliOptions["classWeight"];
}

/** Which classifier to train and the logistic regression's settings (the forest's are in forest-options.ts). */
export function addClassifierOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--classifier <kind>", "forest (random forest) or logistic (L2 logistic regression; multinomial for more than two classes)").choices([...CLASSIFIER_KINDS]).default("forest"))
    .option("--logistic-c <C>", "inverse L2 strength for --classifier logistic: a positive number, or auto (chosen by 3-fold inner cross-validation over 0.001…1000, the default)", parseLogisticC)
    .addOption(new Option("--calibrate <method>", "calibrate probabilities on 5-fold out-of-fold scores (as scikit-learn's CalibratedClassifierCV); the report gives Brier score and log-loss before and after").choices([...CALIBRATION_METHODS]))
    .option("--threshold <cut>", "two classes: predict the second label (positive) when its probability is at least this; auto picks the cut on 5-fold out-of-fold training scores (never the test split)", parseThreshold)
    .option("--threshold-metric <metric>", "what --threshold auto maximises: balanced-accuracy (the default) or f1:LABEL (the F1 score of that class)", parseThresholdMetric)
    .option("--balanced-bootstrap", "forest: each tree draws as many rows of every class as the smallest class has (imbalanced-learn's BalancedRandomForest)");
}

export function parseThreshold(value: string): number | "auto" {
  if (value.trim() === "auto") return "auto";
  const n = strictNumber(value);
  if (n === undefined || !(n > 0 && n < 1)) throw new InvalidArgumentError("--threshold must be auto or a probability between 0 and 1 (exclusive), e.g. 0.3.");
  return n;
}

export function parseThresholdMetric(value: string): ThresholdObjective {
  const v = value.trim();
  if (v === "balanced-accuracy") return { kind: "balanced-accuracy" };
  if (v.startsWith("f1:") && v.length > 3) return { kind: "f1", label: v.slice(3) };
  throw new InvalidArgumentError("--threshold-metric must be balanced-accuracy or f1:LABEL (e.g. f1:negative).");
}

/** Calibration and threshold settings; refuses a metric without --threshold auto (it would do nothing). */
export function decisionOptionsFrom(o: ClassifierCliOptions): DecisionOptions {
  if (o.thresholdMetric !== undefined && o.threshold !== "auto") {
    throw new OptionsError("CLASSIFIER_OPTIONS", "--threshold-metric applies to --threshold auto.", { hint: "Add --threshold auto or leave out --threshold-metric." });
  }
  return { calibrate: o.calibrate, threshold: o.threshold, thresholdObjective: o.thresholdMetric };
}

export function parseLogisticC(value: string): number | "auto" {
  if (value.trim() === "auto") return "auto";
  const n = strictNumber(value);
  if (n === undefined || !(n > 0)) throw new InvalidArgumentError("--logistic-c must be a positive number such as 0.1, or auto.");
  return n;
}

/** The logistic regression's options; refuses its options given for another classifier (they would do nothing). */
export function logisticOptionsFrom(o: ClassifierCliOptions, seed: number): LogisticRegressionOptions {
  if (o.logisticC !== undefined && o.classifier !== "logistic") {
    throw new OptionsError("CLASSIFIER_OPTIONS", `--logistic-c applies to --classifier logistic, not ${o.classifier ?? "forest"}.`, { hint: "Add --classifier logistic or leave out --logistic-c." });
  }
  if (o.classifier === "logistic" && (o.balancedBootstrap || o.classWeight === "balanced_subsample")) {
    throw new OptionsError("CLASSIFIER_OPTIONS", `${o.balancedBootstrap ? "--balanced-bootstrap" : "--class-weight balanced_subsample"} applies to the forest, not --classifier logistic.`, { hint: "Use --class-weight balanced with logistic regression." });
  }
  return {
    C: o.logisticC ?? "auto",
    classWeight: o.classWeight === "balanced" ? "balanced" : null,
    seed,
  };
}
