import { describe, expect, it } from "vitest";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import { createClassifier, DEFAULT_ENGINE, deserializeClassifier } from "../../../src/classify/forest/create-classifier.js";
import { noisyData, separableData, xorData } from "./forest-fixtures.js";

function accuracy(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe("RandomForestClassifier", () => {
  it("is the default engine", () => {
    expect(DEFAULT_ENGINE).toBe("sentivec");
    const c = createClassifier();
    expect(c).toBeInstanceOf(RandomForestClassifier);
    expect(c.engine).toBe("sentivec");
    expect(c.params).toMatchObject({ nEstimators: 100, maxFeatures: "sqrt", maxDepth: null, minSamplesLeaf: 1, minSamplesSplit: 2, criterion: "gini", seed: 42 });
  });

  it("learns XOR exactly", () => {
    const train = xorData(400, 1);
    const test = xorData(200, 2);
    const c = new RandomForestClassifier({ nEstimators: 30 }).fit(train.X, train.y);
    expect(accuracy(c.predict(train.X), train.y)).toBe(1);
    expect(accuracy(c.predict(test.X), test.y)).toBe(1);
  });

  it("learns a separable three-class set exactly", () => {
    const train = separableData(300, 20, 3, 3);
    const test = separableData(150, 20, 3, 4);
    // One random feature per split: each split alone must find that feature's margin.
    const c = new RandomForestClassifier({ nEstimators: 25, maxFeatures: 1 }).fit(train.X, train.y);
    expect(c.nClasses).toBe(3);
    expect(Array.from(c.predict(test.X))).toEqual(Array.from(test.y));
  });

  it("keeps drawing features when the sampled ones cannot split", () => {
    // Only feature 7 varies; with maxFeatures 1 a tree must draw past the constant ones to split at all.
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 60; i++) {
      const row = new Array(10).fill(0.5);
      row[7] = i;
      X.push(row);
      y.push(i < 30 ? 0 : 1);
    }
    const c = new RandomForestClassifier({ nEstimators: 5, maxFeatures: 1, bootstrap: false }).fit(X, y);
    expect(Array.from(c.predict(X))).toEqual(y);
    expect(c.featureImportances[7]).toBeCloseTo(1, 10);
  });

  it("gives probabilities that sum to 1, and predict is their argmax", () => {
    const train = noisyData(300, 16, 5);
    const test = noisyData(100, 16, 6);
    const c = new RandomForestClassifier({ nEstimators: 20, minSamplesLeaf: 5 }).fit(train.X, train.y);
    const proba = c.predictProba(test.X);
    const pred = c.predict(test.X);
    expect(proba).toHaveLength(100);
    proba.forEach((p, i) => {
      expect(p).toHaveLength(2);
      expect(p[0] + p[1]).toBeCloseTo(1, 12);
      expect(pred[i]).toBe(p[1] > p[0] ? 1 : 0);
    });
    // Means of leaf distributions, not vote counts: with impure leaves these are not all multiples of 1/20.
    expect(proba.some((p) => Math.abs(p[1] * 20 - Math.round(p[1] * 20)) > 1e-6)).toBe(true);
  });

  it("is deterministic across runs and across nJobs", () => {
    const { X, y } = noisyData(400, 32, 7);
    const a = new RandomForestClassifier({ nEstimators: 12, seed: 5 }).fit(X, y).serialize();
    const b = new RandomForestClassifier({ nEstimators: 12, seed: 5 }).fit(X, y).serialize();
    const parallel = new RandomForestClassifier({ nEstimators: 12, seed: 5, nJobs: 2 }).fit(X, y).serialize();
    const other = new RandomForestClassifier({ nEstimators: 12, seed: 6 }).fit(X, y).serialize();
    // Three threads: the pooled worker from the fit above is reused and a second one is started.
    const wider = new RandomForestClassifier({ nEstimators: 12, seed: 5, nJobs: 3 }).fit(X, y).serialize();
    expect(equalBytes(a, b)).toBe(true);
    expect(equalBytes(a, parallel)).toBe(true);
    expect(equalBytes(a, wider)).toBe(true);
    expect(equalBytes(a, other)).toBe(false);
  });

  it("with maxBins above 256 is still identical for any nJobs, and round-trips", () => {
    const { X, y } = noisyData(600, 16, 7);
    const a = new RandomForestClassifier({ nEstimators: 8, seed: 5, maxBins: 4000 }).fit(X, y);
    const parallel = new RandomForestClassifier({ nEstimators: 8, seed: 5, maxBins: 4000, nJobs: 2 }).fit(X, y).serialize();
    expect(equalBytes(a.serialize(), parallel)).toBe(true);
    const loaded = deserializeClassifier(parallel);
    expect(loaded.params.maxBins).toBe(4000);
    expect(loaded.predictProba(X)).toEqual(a.predictProba(X));
    // 600 rows: every value its own bin, so every training row is fitted (leaves pure but for duplicates).
    expect(accuracy(a.predict(X), y)).toBeGreaterThan(0.97);
  });

  it("generalises on noisy data about as well as a forest should", () => {
    const train = noisyData(1000, 64, 8);
    const test = noisyData(500, 64, 9);
    const c = new RandomForestClassifier({ nEstimators: 50, oobScore: true }).fit(train.X, train.y);
    const acc = accuracy(c.predict(test.X), test.y);
    expect(acc).toBeGreaterThan(0.75);
    // OOB accuracy estimates test accuracy.
    expect(c.oobScore).not.toBeNull();
    expect(Math.abs((c.oobScore ?? 0) - acc)).toBeLessThan(0.08);
    // The 8 informative features carry most of the importance.
    const imp = c.featureImportances;
    expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    const informative = imp.slice(0, 8).reduce((s, v) => s + v, 0);
    expect(informative).toBeGreaterThan(0.3);
    expect(Math.min(...imp.slice(0, 8))).toBeGreaterThan(Math.max(...imp.slice(8)));
  });

  it("honours maxDepth, minSamplesLeaf, entropy and balanced class weights", () => {
    const { X, y } = noisyData(300, 8, 10);
    const stump = new RandomForestClassifier({ nEstimators: 3, maxDepth: 1 }).fit(X, y);
    const round = deserializeClassifier(stump.serialize()) as RandomForestClassifier;
    expect(round.params.maxDepth).toBe(1);
    // A depth-1 tree has 3 nodes: at most 2 distinct probabilities per tree, ≤ 8 combinations over 3 trees.
    expect(new Set(stump.predictProba(X).map((p) => p[1].toFixed(9))).size).toBeLessThanOrEqual(8);

    const big = new RandomForestClassifier({ nEstimators: 5, minSamplesLeaf: 40, bootstrap: false }).fit(X, y);
    const small = new RandomForestClassifier({ nEstimators: 5, bootstrap: false }).fit(X, y);
    expect(big.serialize().length).toBeLessThan(small.serialize().length / 4);

    const ent = new RandomForestClassifier({ nEstimators: 10, criterion: "entropy" }).fit(X, y);
    expect(accuracy(ent.predict(X), y)).toBeGreaterThan(0.95);

    // 90/10 imbalance: balanced weights make the rare class's leaves weigh as much as the common one's.
    const yImb = Array.from(y, (_, i) => (i % 10 === 0 ? 1 : 0));
    const plain = new RandomForestClassifier({ nEstimators: 10, maxDepth: 2 }).fit(X, yImb);
    const balanced = new RandomForestClassifier({ nEstimators: 10, maxDepth: 2, classWeight: "balanced" }).fit(X, yImb);
    const meanP1 = (c: RandomForestClassifier): number => c.predictProba(X).reduce((s, p) => s + p[1], 0) / X.rows;
    expect(meanP1(plain)).toBeLessThan(0.2);
    expect(meanP1(balanced)).toBeGreaterThan(0.35);
  });
});
