import { describe, expect, it } from "vitest";
import { stratifiedKFold } from "../../src/data/stratified-k-fold.js";
import { stratifiedSplit } from "../../src/data/stratified-split.js";
import { DataError, OptionsError } from "../../src/errors.js";

const labels = [...Array(70).fill("pos"), ...Array(30).fill("neg")];

describe("stratifiedSplit", () => {
  it("holds out the requested share of each class, disjoint and complete", () => {
    const { train, test } = stratifiedSplit(labels, { testSize: 0.2, seed: 1 });
    expect(test).toHaveLength(20);
    expect(test.filter((i) => labels[i] === "pos")).toHaveLength(14);
    expect(test.filter((i) => labels[i] === "neg")).toHaveLength(6);
    expect(new Set([...train, ...test]).size).toBe(100);
    expect(train.length + test.length).toBe(100);
  });

  it("is the same for the same seed and differs for another", () => {
    expect(stratifiedSplit(labels, { seed: 42 })).toEqual(stratifiedSplit(labels, { seed: 42 }));
    expect(stratifiedSplit(labels, { seed: 42 }).test).not.toEqual(stratifiedSplit(labels, { seed: 43 }).test);
  });

  it("refuses a split that leaves a class empty", () => {
    const few = ["a", "a", "a", "a", "a", "a", "a", "a", "a", "b"];
    expect(() => stratifiedSplit(few, { testSize: 0.2 })).toThrow(DataError);
    expect(() => stratifiedSplit(few, { testSize: 0.2 })).toThrow(/Class "b" has 1 example; a 20% test split leaves it with none in the (test|training) set/);
  });
});

describe("stratifiedKFold", () => {
  it("partitions the rows into k stratified test folds", () => {
    const folds = stratifiedKFold(labels, { folds: 5, seed: 3 });
    expect(folds).toHaveLength(5);
    const all = folds.flatMap((f) => f.test).sort((a, b) => a - b);
    expect(all).toEqual([...Array(100).keys()]);
    for (const f of folds) {
      expect(f.test.filter((i) => labels[i] === "neg")).toHaveLength(6);
      expect(f.train.length + f.test.length).toBe(100);
      expect(f.train.some((i) => f.test.includes(i))).toBe(false);
    }
  });

  it("refuses more folds than a class has rows", () => {
    expect(() => stratifiedKFold(["a", "a", "a", "b", "b"], { folds: 3 })).toThrow(/Class "b" has 2 examples, fewer than the 3 folds/);
  });
});

describe("split options are checked, not read as something else (issue 10 item 11)", () => {
  it("testSize NaN, negative or ≥ 1 is an OptionsError", () => {
    for (const testSize of [Number.NaN, -0.5, 0, 1, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => stratifiedSplit(labels, { testSize }), String(testSize)).toThrow(OptionsError);
    }
    expect(() => stratifiedSplit(labels, { testSize: -0.5 })).toThrow(/testSize must be a number from 0 \(exclusive\) to 1 \(exclusive\); got -0.5/);
  });

  it("a seed must be a whole number from 0 to 2^32 − 1 (NaN used to mean 0)", () => {
    for (const seed of [Number.NaN, -1, 1.5, 2 ** 32]) expect(() => stratifiedSplit(labels, { seed }), String(seed)).toThrow(/seed must be a whole number from 0 to 4294967295/);
    for (const seed of [Number.NaN, 2.5]) expect(() => stratifiedKFold(labels, { seed })).toThrow(OptionsError);
  });

  it("folds must be a whole number ≥ 2, and the message says 2", () => {
    for (const folds of [0, 1, 2.5, Number.NaN]) expect(() => stratifiedKFold(labels, { folds }), String(folds)).toThrow(/folds must be a whole number ≥ 2/);
  });

  it("a class with one example cannot be cross-validated, and the hint does not suggest 1 fold", () => {
    expect(() => stratifiedKFold(["a", "a", "a", "b"], { folds: 2 })).toThrow(/Class "b" has 1 example, fewer than the 2 folds.*at least 2 examples of each class/);
  });
});
