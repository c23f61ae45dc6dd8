import { DataError } from "../errors.js";
import { Random } from "../util/random.js";
import { checkSeed, checkTestSize } from "./split-options.js";

export interface SplitOptions {
  /** Fraction of rows held out for testing, in (0, 1). Default 0.2. */
  testSize?: number;
  /** Seed for the shuffle. Default 42. */
  seed?: number;
}

export interface SplitIndices {
  train: number[];
  test: number[];
}

/**
 * Seeded stratified train/test split over class labels: each class keeps its share in both parts.
 * The number of test rows is round(testSize × n), spread over classes by largest remainder so the
 * total is exact. Throws if a class would be missing from either side, because the metrics of such
 * a split mean nothing. Returns sorted row indices.
 */
export function stratifiedSplit(labels: ArrayLike<string | number>, options: SplitOptions = {}): SplitIndices {
  const testSize = checkTestSize(options.testSize ?? 0.2, false);
  const rng = new Random(checkSeed(options.seed ?? 42));
  const byClass = groupByClass(labels);
  const n = labels.length;
  const nTest = Math.round(testSize * n);

  // Largest-remainder allocation of the test rows to classes.
  const classes = [...byClass.keys()].sort();
  const exact = classes.map((c) => (byClass.get(c)!.length * nTest) / n);
  const alloc = exact.map(Math.floor);
  let left = nTest - alloc.reduce((a, b) => a + b, 0);
  const order = classes.map((_, i) => i).sort((a, b) => exact[b] - alloc[b] - (exact[a] - alloc[a]) || a - b);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) alloc[order[k]]++;

  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((c, ci) => {
    const rows = rng.shuffle(byClass.get(c)!.slice());
    const t = alloc[ci];
    if (t === 0 || t === rows.length) {
      throw new DataError(
        "SPLIT_EMPTY_CLASS",
        `Class "${c}" has ${rows.length} example${rows.length === 1 ? "" : "s"}; a ${Math.round(testSize * 100)}% test split leaves it with none in the ${t === 0 ? "test" : "training"} set.`,
        { hint: "Add more examples of that class, or change the test size." },
      );
    }
    // Element by element: push(...rows) passes every row as an argument and overflows the stack above ~120k.
    for (let k = 0; k < rows.length; k++) (k < t ? test : train).push(rows[k]);
  });
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

export function groupByClass(labels: ArrayLike<string | number>): Map<string, number[]> {
  const byClass = new Map<string, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = String(labels[i]);
    let rows = byClass.get(key);
    if (!rows) byClass.set(key, (rows = []));
    rows.push(i);
  }
  return byClass;
}
