import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { parseMaxFeatures } from "../../../src/cli/forest-options.js";
import { OptionsError } from "../../../src/errors.js";
import { MlRandomForestClassifier } from "../../../src/classify/forest/ml-random-forest-classifier.js";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import { resolveMaxFeatures } from "../../../src/classify/forest/validate.js";

describe("--max-features, read as scikit-learn reads max_features", () => {
  it("digits alone are a count, a number with a point is a fraction (1.0 = all)", () => {
    expect(parseMaxFeatures("1")).toBe(1);
    expect(parseMaxFeatures("20")).toBe(20);
    expect(parseMaxFeatures("1.0")).toBe("all");
    expect(parseMaxFeatures("1.")).toBe("all");
    expect(parseMaxFeatures("0.5")).toBe(0.5);
    expect(parseMaxFeatures(".25")).toBe(0.25);
    expect(parseMaxFeatures("sqrt")).toBe("sqrt");
    expect(parseMaxFeatures("log2")).toBe("log2");
    expect(parseMaxFeatures("all")).toBe("all");
    expect(resolveMaxFeatures(parseMaxFeatures("1.0"), 512)).toBe(512);
    expect(resolveMaxFeatures(parseMaxFeatures("1"), 512)).toBe(1);
  });

  it("refuses what names no number of features, saying what to use", () => {
    for (const bad of ["abc", "0", "0.0", "1.5", "2.0", "-1", "", "1e3", "sqrt2", "NaN", "Infinity"]) {
      expect(() => parseMaxFeatures(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => parseMaxFeatures("0")).toThrow(/A count of features must be at least 1; use --max-features sqrt, log2, all/);
    expect(() => parseMaxFeatures("abc")).toThrow(/It is not a feature count, a fraction or a rule/);
    expect(() => parseMaxFeatures("1.5")).toThrow(/A fraction of the features must be in \(0, 1\]/);
  });
});

describe("maxFeatures in the library", () => {
  it("is checked when the forest is built, for both engines", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "abc", "1.0"]) {
      const options = { maxFeatures: bad as "sqrt" };
      expect(() => new RandomForestClassifier(options), String(bad)).toThrow(OptionsError);
      expect(() => new MlRandomForestClassifier(options), String(bad)).toThrow(OptionsError);
    }
    expect(() => new RandomForestClassifier({ maxFeatures: 0 })).toThrow(/maxFeatures must be "sqrt", "log2", "all", a whole number >= 1 or a fraction in \(0, 1\), got 0/);
  });

  it("ml-random-forest tries one feature for maxFeatures 1, not all of them (it reads the number 1 as 100%)", () => {
    const X = Array.from({ length: 40 }, (_, i) => [i % 2, (i * 7) % 5, (i * 3) % 4, i % 3]);
    const y = X.map((r) => r[0]);
    const c = new MlRandomForestClassifier({ nEstimators: 3, maxFeatures: 1 }).fit(X, y);
    expect((c as unknown as { model: { n: number } }).model.n).toBe(1);
    const all = new MlRandomForestClassifier({ nEstimators: 3, maxFeatures: "all" }).fit(X, y);
    expect((all as unknown as { model: { n: number } }).model.n).toBe(4);
  });
});
