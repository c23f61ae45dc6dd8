import { describe, expect, it } from "vitest";
import { deserializeClassifier } from "../../../src/classify/forest/create-classifier.js";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import type { Matrix } from "../../../src/util/matrix.js";
import { noisyData } from "./forest-fixtures.js";

/**
 * 400 distinct values 0, 1/400, … on feature 0 (feature 1 takes 13 values); the class turns at row 162.
 * With maxBins 2 the only bin edge of feature 0 is its median, so bins cannot tell x = 0.4025 from
 * 0.405: only a node that splits on raw values can put a threshold between them.
 */
function stepData(): { X: Matrix; y: Int32Array } {
  const n = 400;
  const data = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    data[2 * i] = i / n;
    data[2 * i + 1] = (i * 7919) % 13;
    y[i] = i >= 162 ? 1 : 0;
  }
  return { X: { rows: n, cols: 2, data }, y };
}

const oneTree = { nEstimators: 1, bootstrap: false, maxFeatures: "all", maxBins: 2, seed: 3 } as const;

function predictAt(model: RandomForestClassifier, x: number): number {
  return model.predict([[x, 0]])[0];
}

describe("exact splits in large nodes (exactFrom)", () => {
  it("splits between the node's raw values, midway, where the bins cannot", () => {
    const { X, y } = stepData();
    const binned = new RandomForestClassifier(oneTree).fit(X, y);
    // Both sides of the true step fall in one bin: the binned tree sends them the same way.
    expect(predictAt(binned, 0.4037)).toBe(predictAt(binned, 0.4038));
    // Every node of 2 rows or more (so every node) is exact: the root splits at the step.
    const exact = new RandomForestClassifier({ ...oneTree, exactFrom: 2 }).fit(X, y);
    expect(exact.predict(X)).toEqual(y);
    // Midway between 161/400 and 162/400 (0.40375), as scikit-learn places it.
    expect(predictAt(exact, 0.4037)).toBe(0);
    expect(predictAt(exact, 0.4038)).toBe(1);
  });

  it("below an exact node, grows binned nodes that know no constants of the exact ones", () => {
    // Feature 0 is 0..99 repeated 4 times, feature 1 tells the repeats apart (0..3), feature 2 is constant;
    // class: feature 0 in 37..62, or the last repeat. The root (400 rows >= 301) is exact and finds
    // feature 2 constant; the nodes below 301 rows are binned (256 bins: a bin per value), and they need
    // feature 0 to fit every row, so they must not take the exact node's constants for theirs.
    const n = 400;
    const data = new Float32Array(n * 3);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      data[3 * i] = i % 100;
      data[3 * i + 1] = Math.floor(i / 100);
      y[i] = (i % 100 >= 37 && i % 100 <= 62) || i >= 300 ? 1 : 0;
    }
    const X = { rows: n, cols: 3, data };
    const model = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: "all", seed: 5, exactFrom: 301 }).fit(X, y);
    expect(model.predict(X)).toEqual(y);
  });

  it("gives the same bytes for any nJobs and for rows given as a list, and keeps exactFrom when saved", () => {
    const { X, y } = noisyData(1500, 24, 9);
    const options = { nEstimators: 6, seed: 4, exactFrom: 300 };
    const one = new RandomForestClassifier(options).fit(X, y).serialize();
    const two = new RandomForestClassifier({ ...options, nJobs: 2 }).fit(X, y).serialize();
    const rows = Array.from({ length: X.rows }, (_, i) => X.data.subarray(i * X.cols, (i + 1) * X.cols));
    const listed = new RandomForestClassifier({ ...options, nJobs: 2 }).fit(rows, y).serialize();
    // On one thread a list is read where it is (valueRows), not copied: the same trees.
    const listedOne = new RandomForestClassifier(options).fit(rows, y).serialize();
    const plainRows = rows.map((r) => Array.from(r));
    const plainOne = new RandomForestClassifier(options).fit(plainRows, y).serialize();
    expect(Buffer.from(two).equals(Buffer.from(one))).toBe(true);
    expect(Buffer.from(listed).equals(Buffer.from(one))).toBe(true);
    expect(Buffer.from(listedOne).equals(Buffer.from(one))).toBe(true);
    expect(Buffer.from(plainOne).equals(Buffer.from(one))).toBe(true);
    const binned = new RandomForestClassifier({ nEstimators: 6, seed: 4, exactFrom: 0 }).fit(X, y).serialize();
    expect(Buffer.from(binned).equals(Buffer.from(one))).toBe(false);
    const loaded = deserializeClassifier(one) as RandomForestClassifier;
    expect(loaded.params.exactFrom).toBe(300);
    expect(Buffer.from(loaded.serialize()).equals(Buffer.from(one))).toBe(true);
    // A model fitted without exact nodes records nothing, as files from before the option did not.
    expect((deserializeClassifier(binned) as RandomForestClassifier).params.exactFrom).toBeUndefined();
  });

  it("refuses an exactFrom that is not a whole number >= 0, in one line", () => {
    expect(() => new RandomForestClassifier({ exactFrom: -1 })).toThrow(/^exactFrom must be a whole number >= 0, got -1\.$/);
    expect(() => new RandomForestClassifier({ exactFrom: 2.5 })).toThrow(/^exactFrom must be a whole number >= 0, got 2\.5\.$/);
  });
});
