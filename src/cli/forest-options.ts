import { availableParallelism } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { ForestOptions } from "../forest/classifier.js";

export interface ForestCliOptions {
  engine?: ForestOptions["engine"];
  trees?: number;
  maxDepth?: number;
  maxFeatures?: string;
  minSamplesLeaf?: number;
  classWeight?: "balanced";
  criterion?: "gini" | "entropy";
  jobs?: number;
}

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1.`);
    return n;
  };
}

/** Hyperparameters of the forest, for commands that train. */
export function addForestOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--engine <engine>", "forest engine").choices(["sentivec", "ml-random-forest"]).default("sentivec"))
    .option("--trees <n>", "number of trees", positiveInt("--trees"), 100)
    .option("--max-depth <n>", "maximum tree depth (default: unlimited)", positiveInt("--max-depth"))
    .option("--max-features <spec>", 'features tried per split: sqrt, log2, all, a count or a fraction', "sqrt")
    .option("--min-samples-leaf <n>", "minimum rows in a leaf", positiveInt("--min-samples-leaf"), 1)
    .addOption(new Option("--class-weight <mode>", "weight classes inversely to their frequency (for imbalanced data)").choices(["balanced"]))
    .addOption(new Option("--criterion <name>", "split quality measure").choices(["gini", "entropy"]).default("gini"))
    // All cores by default: the model is byte-identical whatever the thread count, so this only saves time.
    .option("--jobs <n>", "threads for building trees (the model is the same for any number)", positiveInt("--jobs"), availableParallelism());
}

export function forestOptionsFrom(o: ForestCliOptions, seed: number): ForestOptions {
  const mf = o.maxFeatures;
  const maxFeatures = mf === undefined || mf === "sqrt" || mf === "log2" || mf === "all" ? mf : Number(mf);
  if (typeof maxFeatures === "number" && !(maxFeatures > 0)) {
    throw new InvalidArgumentError(`--max-features "${mf}" is not sqrt, log2, all, a count or a fraction.`);
  }
  return {
    engine: o.engine,
    nEstimators: o.trees,
    maxDepth: o.maxDepth,
    maxFeatures: maxFeatures as ForestOptions["maxFeatures"],
    minSamplesLeaf: o.minSamplesLeaf,
    classWeight: o.classWeight,
    criterion: o.criterion,
    seed,
    nJobs: o.jobs,
  };
}
