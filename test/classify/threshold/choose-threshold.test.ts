import { describe, expect, it } from "vitest";
import { applyThreshold, chooseThreshold } from "../../../src/classify/threshold/choose-threshold.js";

describe("chooseThreshold", () => {
  // Class 1 rows score 0.3–0.45 (a model leaning to class 0): 0.5 would call them all class 0.
  const scores = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.32];
  const y = [0, 0, 0, 0, 0, 1, 1, 1, 1, 0];

  it("maximises balanced accuracy, cutting midway between scores", () => {
    const t = chooseThreshold(scores, y);
    // Best: class 1 from 0.3 up (recall 1, one false positive at 0.32): the cut between 0.25 and 0.3.
    expect(t).toBeCloseTo(0.275, 12);
    expect(Array.from(applyThreshold(scores.map((s) => [1 - s, s]), t))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });

  it("maximises a named class's F1 when asked", () => {
    const t = chooseThreshold(scores, y, { kind: "f1", classIndex: 0 });
    const pred = Array.from(applyThreshold(scores.map((s) => [1 - s, s]), t));
    const tp = pred.filter((p, i) => p === 0 && y[i] === 0).length;
    const fp = pred.filter((p, i) => p === 0 && y[i] === 1).length;
    const fn = pred.filter((p, i) => p === 1 && y[i] === 0).length;
    // Checked against every possible cut by brute force.
    const best = Math.max(...[0, ...scores].map((c) => {
      const q = scores.map((s) => (s >= c + 1e-9 ? 1 : 0));
      const a = q.filter((p, i) => p === 0 && y[i] === 0).length, b = q.filter((p, i) => p === 0 && y[i] === 1).length, d = q.filter((p, i) => p === 1 && y[i] === 0).length;
      return (2 * a) / (2 * a + b + d);
    }));
    expect((2 * tp) / (2 * tp + fp + fn)).toBeCloseTo(best, 12);
  });

  it("refuses one-class input", () => {
    expect(() => chooseThreshold([0.1, 0.2], [1, 1])).toThrow(/both classes/);
  });
});
