import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluatePredictions, majorityBaseline, majorityShortfall } from "../../src/evaluate/evaluation-report.js";
import { formatReport } from "../../src/evaluate/format-report.js";
import { brierScore, logLoss } from "../../src/evaluate/probability-scores.js";
import { rocAuc, rocAucOvr } from "../../src/evaluate/roc-auc.js";

// Scores and scikit-learn 1.2.1's roc_auc_score(multi_class="ovr") on them, from
// test/classify/linear/fixtures/make-logistic-fixture.py.
const fixture = JSON.parse(readFileSync(new URL("../classify/linear/fixtures/logistic-fixture.json", import.meta.url), "utf8")) as {
  y3: number[]; ovr: { proba: number[][]; macro: number; weighted: number };
};

describe("probability scores", () => {
  it("Brier score: the mean squared error of the positive probability for two classes, summed over classes for more", () => {
    // By hand: (0.9−1)², (0.2−0)², (0.6−0)² → 0.41 / 3.
    expect(brierScore([1, 0, 0], [[0.1, 0.9], [0.8, 0.2], [0.4, 0.6]])).toBeCloseTo(0.41 / 3, 12);
    // Three classes: row 1 (0.7,0.2,0.1) true 0 → 0.09+0.04+0.01; row 2 (0.2,0.2,0.6) true 2 → 0.04+0.04+0.16.
    expect(brierScore([0, 2], [[0.7, 0.2, 0.1], [0.2, 0.2, 0.6]])).toBeCloseTo((0.14 + 0.24) / 2, 12);
  });

  it("log-loss: mean −ln p(true class), clipped so a certain wrong answer is finite", () => {
    expect(logLoss([1, 0], [[0.2, 0.8], [0.5, 0.5]])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.5)) / 2, 12);
    const worst = logLoss([0], [[0, 1]]);
    expect(worst).toBeCloseTo(-Math.log(1e-15), 6);
  });

  it("refuses mismatched or non-finite input", () => {
    expect(() => brierScore([0, 1], [[0.5, 0.5]])).toThrow(/2 labels but proba has 1/);
    expect(() => logLoss([0], [[NaN, 1]])).toThrow(/is NaN/);
    expect(() => logLoss([3], [[0.5, 0.5]])).toThrow(/not a class index/);
  });
});

describe("ROC-AUC one-vs-rest", () => {
  it("matches scikit-learn's macro and weighted figures on three classes", () => {
    const r = rocAucOvr(fixture.y3, fixture.ovr.proba, 3)!;
    expect(r.macro).toBeCloseTo(fixture.ovr.macro, 12);
    expect(r.weighted).toBeCloseTo(fixture.ovr.weighted, 12);
  });

  it("equals the binary AUC for two classes, and is null when a class is absent", () => {
    const y = [0, 1, 1, 0, 1];
    const p = [0.2, 0.9, 0.4, 0.5, 0.7].map((q) => [1 - q, q]);
    expect(rocAucOvr(y, p, 2)).toEqual({ macro: rocAuc(y, p.map((q) => q[1])), weighted: rocAuc(y, p.map((q) => q[1])) });
    expect(rocAucOvr([0, 0, 1], [[1, 0, 0], [1, 0, 0], [0, 1, 0]], 3)).toBeNull();
  });
});

describe("majority-class baseline", () => {
  const labels = ["negative", "positive"];
  const yTrue = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1];

  it("always answers the commonest training class, with the training shares as probabilities", () => {
    const b = majorityBaseline(labels, yTrue, [20, 80]);
    expect(b.name).toBe('majority class (always "positive")');
    expect(b.accuracy).toBe(0.9);
    expect(b.balancedAccuracy).toBe(0.5);
    expect(b.brier).toBeCloseTo(0.1 * 0.8 ** 2 + 0.9 * 0.2 ** 2, 12);
  });

  it("a report that does not beat it is flagged in print", () => {
    const yPred = [1, 1, 1, 1, 1, 1, 1, 1, 0, 1]; // accuracy 0.8 < 0.9; balanced 0.444 < 0.5
    const r = evaluatePredictions({ labels, yTrue, yPred });
    r.baselines = [majorityBaseline(labels, yTrue)];
    expect(majorityShortfall(r).map((s) => s.metric)).toEqual(["accuracy", "balanced accuracy"]);
    const text = formatReport(r);
    expect(text).toContain("WARNING: accuracy 0.800 does not beat the majority-class baseline (0.900).");
    expect(text).toContain("WARNING: balanced accuracy 0.444 does not beat the majority-class baseline (0.500).");
    const good = evaluatePredictions({ labels, yTrue, yPred: yTrue });
    good.baselines = r.baselines;
    expect(formatReport(good)).not.toContain("WARNING");
  });

  it("balanced accuracy is the mean recall over the classes present", () => {
    const r = evaluatePredictions({ labels: ["a", "b", "c"], yTrue: [0, 0, 1, 1], yPred: [0, 1, 1, 1] });
    expect(r.balancedAccuracy).toBeCloseTo((0.5 + 1) / 2, 12);
  });
});
