import { availableParallelism } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { ForestOptions } from "../classify/forest/forest-options.js";
import { parseWholeNumber } from "./number-options.js";

export interface ForestCliOptions {
  engine?: ForestOptions["engine"];
  trees?: number;
  maxDepth?: number;
  maxFeatures?: ForestOptions["maxFeatures"];
  minSamplesLeaf?: number;
  classWeight?: "balanced" | "balanced_subsample";
  criterion?: "gini" | "entropy";
  maxBins?: number;
  exactFrom?: number;
  jobs?: number;
}

/** A whole number ≥ 1, written in decimal digits ("1e2", "0x10" and " 5" are refused, as for every number option). */
export function positiveInt(name: string): (value: string) => number {
  return parseWholeNumber(name, 1);
}

/** Hyperparameters of the forest, for commands that train. */
export function addForestOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--engine <engine>", "forest engine").choices(["sentivec", "ml-random-forest"]).default("sentivec"))
    .option("--trees <n>", "number of trees", positiveInt("--trees"), 100)
    .option("--max-depth <n>", "maximum tree depth (default: unlimited)", positiveInt("--max-depth"))
    .option(
      "--max-features <spec>",
      "features tried per split: sqrt, log2, all, a whole number of features (1 = one feature) or a fraction written with a point (0.5 = half, 1.0 = all), as scikit-learn reads max_features",
      parseMaxFeatures,
      "sqrt",
    )
    .option("--min-samples-leaf <n>", "minimum rows in a leaf", positiveInt("--min-samples-leaf"), 1)
    .addOption(new Option("--class-weight <mode>", "weight classes inversely to their frequency (for imbalanced data): balanced (over the training set), or balanced_subsample (forest: over each tree's bootstrap sample)").choices(["balanced", "balanced_subsample"]))
    .addOption(new Option("--criterion <name>", "split quality measure").choices(["gini", "entropy"]).default("gini"))
    .option(
      "--max-bins <n>",
      "most bins per feature when searching splits, 2 to 65535 (default 256); above 256 codes take two bytes and fits are slower, but a feature with no more distinct values than this is split exactly",
      parseWholeNumber("--max-bins", 2, 65535),
    )
    .option(
      "--exact-from <n>",
      "nodes of at least n rows (in a tree's top 6 levels) split between exact values, as scikit-learn does, instead of between bins (default 2000; 0: never, the faster fit of earlier versions); with --jobs above 1 the forest keeps a copy of the training vectors for them",
      parseWholeNumber("--exact-from", 0),
    )
    // All cores by default: the model is byte-identical whatever the thread count, so this only saves time.
    .option("--jobs <n>", "threads for building trees (the model is the same for any number)", positiveInt("--jobs"), availableParallelism());
}

const MAX_FEATURES_HELP = "use --max-features sqrt, log2, all, a whole number of features such as 20, or a fraction in (0, 1] such as 0.5 (1.0 = all)";

/**
 * `--max-features` as scikit-learn reads `max_features`: digits alone ("1", "20") are a count of
 * features, a number written with a point or exponent ("0.5", "1.0") is a fraction of them, so "1"
 * is one feature and "1.0" is all. The library takes JS numbers, where 1 and 1.0 are the same value,
 * so a fraction of exactly 1 becomes "all".
 */
export function parseMaxFeatures(value: string): NonNullable<ForestOptions["maxFeatures"]> {
  const v = value.trim();
  if (v === "sqrt" || v === "log2" || v === "all") return v;
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n >= 1 && Number.isSafeInteger(n)) return n;
    throw new InvalidArgumentError(`A count of features must be at least 1; ${MAX_FEATURES_HELP}.`);
  }
  if (/^(\d+\.\d*|\.\d+|\d+(\.\d*)?e[+-]?\d+)$/i.test(v)) {
    const f = Number(v);
    if (f > 0 && f < 1) return f;
    if (f === 1) return "all";
    throw new InvalidArgumentError(`A fraction of the features must be in (0, 1]; ${MAX_FEATURES_HELP}.`);
  }
  throw new InvalidArgumentError(`It is not a feature count, a fraction or a rule; ${MAX_FEATURES_HELP}.`);
}

export function forestOptionsFrom(o: ForestCliOptions, seed: number): ForestOptions {
  return {
    engine: o.engine,
    nEstimators: o.trees,
    maxDepth: o.maxDepth,
    maxFeatures: o.maxFeatures,
    minSamplesLeaf: o.minSamplesLeaf,
    classWeight: o.classWeight,
    criterion: o.criterion,
    maxBins: o.maxBins,
    exactFrom: o.exactFrom,
    seed,
    nJobs: o.jobs,
  };
}
