import { OptionsError } from "../errors.js";

/**
 * Checks for the library's split options. Without them a NaN or negative testSize quietly meant "no test
 * split" and a NaN seed quietly meant seed 0: a silent wrong result rather than an error.
 */

export const MAX_SEED = 0xffffffff;

/** A seed is a whole number from 0 to 2^32 − 1 (the generator's state is 32-bit; larger seeds would wrap). */
export function checkSeed(seed: unknown, name = "seed"): number {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new OptionsError("OPTION_SEED", `${name} must be a whole number from 0 to ${MAX_SEED}; got ${describe(seed)}.`);
  }
  return seed;
}

/** testSize is a fraction in (0, 1), or 0 too where "no test split" is allowed (training). */
export function checkTestSize(testSize: unknown, allowZero: boolean): number {
  const ok = typeof testSize === "number" && Number.isFinite(testSize) && testSize < 1 && (testSize > 0 || (allowZero && testSize === 0));
  if (!ok) {
    throw new OptionsError("OPTION_TEST_SIZE", `testSize must be a number from 0 (${allowZero ? "inclusive: no test split" : "exclusive"}) to 1 (exclusive); got ${describe(testSize)}.`, {
      hint: "For example 0.2 holds out a fifth of the rows for testing.",
    });
  }
  return testSize === 0 ? 0 : testSize;
}

/** k-fold needs at least two folds: with one, the training part would be empty. */
export function checkFolds(folds: unknown): number {
  if (typeof folds !== "number" || !Number.isInteger(folds) || folds < 2) {
    throw new OptionsError("KFOLD_FOLDS", `folds must be a whole number ≥ 2; got ${describe(folds)}.`, {
      hint: "With one fold nothing would be left to train on; 5 or 10 are usual.",
    });
  }
  return folds;
}

function describe(v: unknown): string {
  return typeof v === "number" || v === undefined ? String(v) : JSON.stringify(v) ?? String(v);
}
