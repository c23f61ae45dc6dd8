import { describe, expect, it } from "vitest";
import { ModelError, OptionsError } from "../../../src/errors.js";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";

const X = [[0, 1], [1, 0], [2, 2], [3, 1]];
const y = [0, 1, 0, 1];

describe("RandomForestClassifier input checks", () => {
  it("rejects NaN with the row and column", () => {
    const bad = [[0, 1], [1, Number.NaN], [2, 2]];
    expect(() => new RandomForestClassifier().fit(bad, [0, 1, 0])).toThrow(OptionsError);
    expect(() => new RandomForestClassifier().fit(bad, [0, 1, 0])).toThrow(/row 1, column 1 is NaN/);
  });

  it("rejects ragged rows", () => {
    expect(() => new RandomForestClassifier().fit([[0, 1], [1], [2, 2]], [0, 1, 0])).toThrow(/row 1 has 1 values but row 0 has 2/);
  });

  it("rejects a single class", () => {
    expect(() => new RandomForestClassifier().fit(X, [1, 1, 1, 1])).toThrow(ModelError);
    expect(() => new RandomForestClassifier().fit(X, [1, 1, 1, 1])).toThrow(/same class/);
  });

  it("rejects empty input", () => {
    expect(() => new RandomForestClassifier().fit([], [])).toThrow(/empty matrix/);
  });

  it("rejects a feature count that differs from training at predict time", () => {
    const c = new RandomForestClassifier({ nEstimators: 3 }).fit(X, y);
    expect(() => c.predict([[1, 2, 3]])).toThrow(ModelError);
    expect(() => c.predictProba([[1, 2, 3]])).toThrow(/trained on 2 features but got vectors of 3/);
    expect(c.predict([])).toHaveLength(0);
  });

  it("rejects predicting before fitting, and bad options", () => {
    expect(() => new RandomForestClassifier().predict(X)).toThrow(/not been trained/);
    expect(() => new RandomForestClassifier({ nEstimators: 0 })).toThrow(/nEstimators/);
    expect(() => new RandomForestClassifier({ minSamplesSplit: 1 })).toThrow(/minSamplesSplit/);
    expect(() => new RandomForestClassifier({ nJobs: 0 })).toThrow(/nJobs/);
    expect(() => new RandomForestClassifier({ criterion: "mse" as "gini" })).toThrow(/criterion/);
    expect(() => new RandomForestClassifier({ oobScore: true, bootstrap: false })).toThrow(/oobScore/);
    expect(() => new RandomForestClassifier({ maxFeatures: 1.5 }).fit(X, y)).toThrow(/maxFeatures/);
    expect(() => new RandomForestClassifier({ maxBins: 1 })).toThrow(/maxBins must be a whole number >= 2, got 1/);
    expect(() => new RandomForestClassifier({ maxBins: 65536 })).toThrow(/maxBins must be at most 65535, got 65536/);
  });
});
