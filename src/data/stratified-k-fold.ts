import { DataError } from "../errors.js";
import { Random } from "../util/random.js";
import { checkFolds, checkSeed } from "./split-options.js";
import { type SplitIndices, groupByClass } from "./stratified-split.js";

export interface KFoldOptions {
  /** Number of folds, at least 2. Default 5. */
  folds?: number;
  /** Seed for the shuffle. Default 42. */
  seed?: number;
}

/**
 * Seeded stratified k-fold: each class's rows are shuffled and dealt round-robin into the folds, so
 * every fold has each class's share (±1). Fold i's test set is the i-th part; its training set the rest.
 */
export function stratifiedKFold(labels: ArrayLike<string | number>, options: KFoldOptions = {}): SplitIndices[] {
  const k = checkFolds(options.folds ?? 5);
  const rng = new Random(checkSeed(options.seed ?? 42));
  const parts: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const [label, rows] of [...groupByClass(labels)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (rows.length < k) {
      throw new DataError("KFOLD_EMPTY_CLASS", `Class "${label}" has ${rows.length} example${rows.length === 1 ? "" : "s"}, fewer than the ${k} folds; some folds would have none.`, {
        hint: rows.length >= 2 ? `Use at most ${rows.length} folds (--folds ${rows.length}) or add examples.` : "Cross-validation needs at least 2 examples of each class; add examples.",
      });
    }
    // Continue dealing where the previous class stopped so fold sizes stay balanced overall.
    for (const r of rng.shuffle(rows.slice())) parts[next++ % k].push(r);
  }
  return parts.map((test, i) => ({
    train: parts.flatMap((p, j) => (j === i ? [] : p)).sort((a, b) => a - b),
    test: test.sort((a, b) => a - b),
  }));
}
