import { describe, expect, it } from "vitest";
import { accuracy, averageScores, confusionMatrix, perClassScores } from "../../src/evaluate/classification-metrics.js";
import { evaluatePredictions } from "../../src/evaluate/evaluation-report.js";
import { formatReport } from "../../src/evaluate/format-report.js";
import { rocAuc, rocCurve } from "../../src/evaluate/roc-auc.js";

// Hand-checked example: 10 rows, classes 0/1.
const yTrue = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
const yPred = [0, 0, 1, 0, 1, 1, 0, 1, 1, 0];

describe("metrics", () => {
  it("accuracy and confusion matrix", () => {
    expect(accuracy(yTrue, yPred)).toBeCloseTo(0.7);
    expect(confusionMatrix(yTrue, yPred)).toEqual([[3, 1], [2, 4]]);
  });

  it("per-class precision, recall, F1 and the averages", () => {
    const s = perClassScores(yTrue, yPred);
    expect(s[0].precision).toBeCloseTo(3 / 5);
    expect(s[0].recall).toBeCloseTo(3 / 4);
    expect(s[1].precision).toBeCloseTo(4 / 5);
    expect(s[1].recall).toBeCloseTo(4 / 6);
    expect(s[1].f1).toBeCloseTo((2 * 0.8 * (4 / 6)) / (0.8 + 4 / 6));
    const { macro, weighted } = averageScores(s);
    expect(macro.recall).toBeCloseTo((0.75 + 4 / 6) / 2);
    expect(weighted.recall).toBeCloseTo(0.7);
  });

  it("a class never predicted scores 0 precision, not NaN", () => {
    const s = perClassScores([0, 1, 1], [1, 1, 1], 2);
    expect(s[0]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it("ROC-AUC counts ties as half", () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBeCloseTo(0.5);
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1])).toBe(1);
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/both classes/);
    const c = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(c.fpr[0]).toBe(0);
    expect(c.tpr.at(-1)).toBe(1);
    expect(c.fpr.at(-1)).toBe(1);
  });

  it("the report holds every metric and prints as a table", () => {
    const proba = yPred.map((p) => (p === 1 ? [0.2, 0.8] : [0.7, 0.3]));
    const r = evaluatePredictions({ labels: ["negative", "positive"], yTrue, yPred, proba });
    expect(r.accuracy).toBeCloseTo(0.7);
    expect(r.confusion).toEqual([[3, 1], [2, 4]]);
    expect(r.rocAuc).not.toBeNull();
    const text = formatReport(r);
    expect(text).toMatch(/negative\s+0\.600\s+0\.750\s+0\.667\s+4/);
    expect(text).toMatch(/accuracy\s+0\.700\s+10/);
    expect(text).toContain("Confusion matrix");
  });
});
