import { describe, expect, it } from "vitest";
import { drawBalancedBootstrap, subsampleClassWeights } from "../../../src/classify/forest/bootstrap-sample.js";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import { Random } from "../../../src/util/random.js";

describe("imbalance options of the forest's sample", () => {
  const y = Int32Array.from({ length: 100 }, (_, i) => (i < 10 ? 0 : 1)); // 10 of class 0, 90 of class 1

  it("a balanced bootstrap draws as many rows of each class as the smallest class has", () => {
    const counts = new Int32Array(100);
    drawBalancedBootstrap(new Random(1), y, 2, counts);
    let c0 = 0, c1 = 0;
    for (let i = 0; i < 100; i++) (y[i] === 0 ? (c0 += counts[i]) : (c1 += counts[i]));
    expect([c0, c1]).toEqual([10, 10]);
  });

  it("balanced_subsample weights come from the sample's own class totals (with multiplicity), as scikit-learn's", () => {
    const counts = new Int32Array(100);
    counts[0] = 2; // class 0: 2 draws
    counts[50] = 3;
    counts[60] = 3; // class 1: 6 draws
    const w = subsampleClassWeights(y, 2, counts);
    expect(Array.from(w)).toEqual([8 / (2 * 2), 8 / (2 * 6)]);
  });

  it("a forest fitted either way is deterministic and its out-of-bag replay matches the draws", () => {
    const X = Array.from({ length: 100 }, (_, i) => [i % 7, (i * 13) % 11, y[i] + ((i * 7) % 5) / 10]);
    for (const opts of [{ bootstrap: "balanced" as const }, { classWeight: "balanced_subsample" as const }]) {
      const a = new RandomForestClassifier({ nEstimators: 10, seed: 5, oobScore: true, ...opts }).fit(X, y);
      const b = new RandomForestClassifier({ nEstimators: 10, seed: 5, oobScore: true, ...opts }).fit(X, y);
      expect(a.serialize()).toEqual(b.serialize());
      expect(a.oobScore).toBeGreaterThan(0.5);
    }
  });
});
