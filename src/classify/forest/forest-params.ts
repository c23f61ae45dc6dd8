import { OptionsError } from "../../errors.js";
import type { ForestOptions } from "./forest-options.js";
import { checkMaxFeatures } from "./validate.js";
import { MAX_BINS, MAX_BINS_LIMIT } from "./feature-binner.js";

/** The sentivec engine's hyperparameters with every default filled in (recorded in the model). */
export interface ForestParams {
  nEstimators: number;
  maxFeatures: NonNullable<ForestOptions["maxFeatures"]>;
  /** null = grow until leaves are pure or too small to split. */
  maxDepth: number | null;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  criterion: "gini" | "entropy";
  classWeight: "balanced" | "balanced_subsample" | null;
  /** Most bins per feature; files written before it existed were fitted with 256. */
  maxBins: number;
  /**
   * Nodes from this many rows on (in the top levels, see growTree) split on exact raw values. Left out
   * of `params` (so out of a saved model's bytes) when 0, which is also what files written before it
   * existed were fitted with.
   */
  exactFrom?: number;
  bootstrap: boolean | "balanced";
  oobScore: boolean;
  seed: number;
}

/**
 * Nodes of this many rows and more split between exact values by default. 256 bins cost 0.65 points of
 * accuracy against scikit-learn at 100k×512 (paired over 10 seeds, bench/forest/RESULTS.md), all of it in
 * nodes of 2,000 rows and more; exact splits there close it.
 */
export const DEFAULT_EXACT_FROM = 2000;

/** Fills in defaults and rejects values that cannot work, naming the option. */
export function resolveForestParams(options: ForestOptions): ForestParams {
  const params: ForestParams = {
    nEstimators: options.nEstimators ?? 100,
    maxFeatures: options.maxFeatures ?? "sqrt",
    maxDepth: options.maxDepth ?? null,
    minSamplesLeaf: options.minSamplesLeaf ?? 1,
    minSamplesSplit: options.minSamplesSplit ?? 2,
    criterion: options.criterion ?? "gini",
    classWeight: options.classWeight ?? null,
    maxBins: options.maxBins ?? MAX_BINS,
    bootstrap: options.bootstrap ?? true,
    oobScore: options.oobScore ?? false,
    seed: options.seed ?? 42,
  };
  wholeNumber("nEstimators", params.nEstimators, 1);
  checkMaxFeatures(params.maxFeatures);
  if (params.maxDepth !== null) wholeNumber("maxDepth", params.maxDepth, 1);
  wholeNumber("minSamplesLeaf", params.minSamplesLeaf, 1);
  wholeNumber("minSamplesSplit", params.minSamplesSplit, 2);
  wholeNumber("maxBins", params.maxBins, 2);
  const exactFrom = options.exactFrom ?? DEFAULT_EXACT_FROM;
  wholeNumber("exactFrom", exactFrom, 0);
  if (exactFrom > 0) params.exactFrom = exactFrom;
  if (params.maxBins > MAX_BINS_LIMIT) {
    throw new OptionsError("FOREST_OPTION", `maxBins must be at most ${MAX_BINS_LIMIT}, got ${params.maxBins}.`);
  }
  if (!Number.isInteger(params.seed)) {
    throw new OptionsError("FOREST_OPTION", `seed must be an integer, got ${String(params.seed)}.`);
  }
  if (params.criterion !== "gini" && params.criterion !== "entropy") {
    throw new OptionsError("FOREST_OPTION", `criterion must be "gini" or "entropy", got ${JSON.stringify(params.criterion)}.`);
  }
  if (params.classWeight !== null && params.classWeight !== "balanced" && params.classWeight !== "balanced_subsample") {
    throw new OptionsError("FOREST_OPTION", `classWeight must be "balanced", "balanced_subsample" or null, got ${JSON.stringify(params.classWeight)}.`);
  }
  if (params.bootstrap !== true && params.bootstrap !== false && params.bootstrap !== "balanced") {
    throw new OptionsError("FOREST_OPTION", `bootstrap must be true, false or "balanced", got ${JSON.stringify(params.bootstrap)}.`);
  }
  if (params.classWeight === "balanced_subsample" && params.bootstrap !== true) {
    throw new OptionsError("FOREST_OPTION", `classWeight "balanced_subsample" weighs each tree's bootstrap sample, so it needs bootstrap: true (got ${JSON.stringify(params.bootstrap)}).`, {
      hint: 'A balanced bootstrap is balanced already; use classWeight "balanced" or none with it.',
    });
  }
  if (params.oobScore && !params.bootstrap) {
    throw new OptionsError("FOREST_OPTION", "oobScore needs bootstrap: without it no row is out of bag.", {
      hint: "Set bootstrap: true or oobScore: false.",
    });
  }
  return params;
}

/** nJobs as a thread count: -1 means one per available core. */
export function resolveJobs(nJobs: number | undefined, availableCores: number): number {
  if (nJobs === undefined) return 1;
  if (nJobs === -1) return Math.max(1, availableCores);
  wholeNumber("nJobs", nJobs, 1);
  return nJobs;
}

function wholeNumber(name: string, value: unknown, min: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new OptionsError("FOREST_OPTION", `${name} must be a whole number >= ${min}, got ${String(value)}.`);
  }
}
