import { type Command, InvalidArgumentError, Option } from "commander";
import { CLASSIFIER_KINDS, type ClassifierKind } from "../classify/classifier-spec.js";
import type { LogisticRegressionOptions } from "../classify/linear/logistic-regression.js";
import { OptionsError } from "../errors.js";
import type { ForestCliOptions } from "./forest-options.js";
import { strictNumber } from "./number-options.js";

export interface ClassifierCliOptions {
  classifier?: ClassifierKind;
  logisticC?: number | "auto";
  /** The forest's --class-weight, which logistic regression reads too. */
  classWeight?: ForestCliOptions["classWeight"];
}

/** Which classifier to train and the logistic regression's settings (the forest's are in forest-options.ts). */
export function addClassifierOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--classifier <kind>", "forest (random forest) or logistic (L2 logistic regression; multinomial for more than two classes)").choices([...CLASSIFIER_KINDS]).default("forest"))
    .option("--logistic-c <C>", "inverse L2 strength for --classifier logistic: a positive number, or auto (chosen by 3-fold inner cross-validation over 0.001…1000, the default)", parseLogisticC);
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
  return {
    C: o.logisticC ?? "auto",
    classWeight: o.classWeight === "balanced" ? "balanced" : null,
    seed,
  };
}
