import { describe, expect, it } from "vitest";
import { stratifiedKFold } from "../../src/data/stratified-k-fold.js";
import { stratifiedSplit } from "../../src/data/stratified-split.js";

// 160k rows per class: push(...rows) of one class overflowed the call stack above ~123k (issue 10, item 4).
const N = 320_000;
const labels = Array.from({ length: N }, (_, i) => (i % 2 === 0 ? "pos" : "neg"));

describe("splits of a 320k-row dataset", () => {
  it("stratifiedSplit returns every row once, without a stack overflow", () => {
    const { train, test } = stratifiedSplit(labels, { testSize: 0.2, seed: 7 });
    expect(test).toHaveLength(64_000);
    expect(train).toHaveLength(256_000);
    const seen = new Uint8Array(N);
    for (const i of train) seen[i]++;
    for (const i of test) seen[i]++;
    expect(seen.every((c) => c === 1)).toBe(true);
  });

  it("stratifiedKFold partitions the rows into the folds", () => {
    const folds = stratifiedKFold(labels, { folds: 2, seed: 7 });
    expect(folds.map((f) => f.test.length)).toEqual([160_000, 160_000]);
    for (const f of folds) expect(f.train.length + f.test.length).toBe(N);
  });
});
