import { describe, expect, it } from "vitest";
import { DecisionTree } from "../../../src/classify/forest/decision-tree.js";
import type { GrownTree } from "../../../src/classify/forest/tree-builder.js";

/**
 * A stump on feature 0: code <= thresholdBin goes to leaf 0 (class 0), else leaf 1 (class 1); or, given
 * `exact`, a raw value <= exact (a node split on raw values, see exactFrom).
 */
function stump(thresholdBin: number, nextBin: number, exact = Number.NaN): GrownTree {
  return {
    nodeCount: 3,
    feature: Int32Array.from([0, -1, -1]),
    thresholdBin: Int32Array.from([thresholdBin, 0, 0]),
    nextBin: Int32Array.from([nextBin, 0, 0]),
    right: Int32Array.from([2, 0, 1]),
    exactThreshold: Float64Array.from([exact, Number.NaN, Number.NaN]),
    leafCount: 2,
    leafValues: Float64Array.from([1, 0, 0, 1]),
    importances: new Float64Array(1),
  };
}

describe("DecisionTree", () => {
  // Bins of width 1: bin b holds (b - 0.5, b + 0.5].
  const edges = [Float32Array.from([0.5, 1.5, 2.5, 3.5, 4.5, 5.5])];

  it("puts a threshold midway between the node's last bin on the left and its first on the right", () => {
    // The node had samples in bins ≤ 1 and ≥ 5: bins 2–4 were empty there, so the threshold sits at
    // (edges[1] + edges[4]) / 2 = 3, not at edges[1] = 1.5.
    const tree = DecisionTree.fromGrown(stump(1, 5), 2, edges);
    expect(tree.columns().threshold[0]).toBe(3);
    const leaf = (x: number) => tree.leafIndex(Float32Array.from([x]), 0);
    expect([1.4, 2.9, 3, 3.1, 4.6].map(leaf)).toEqual([0, 0, 0, 1, 1]);
  });

  it("keeps the bin's edge when the next bin is occupied", () => {
    expect(DecisionTree.fromGrown(stump(2, 3), 2, edges).columns().threshold[0]).toBe(2.5);
  });

  it("takes a node split on raw values at its own threshold, not at a bin's", () => {
    expect(DecisionTree.fromGrown(stump(2, 3, 2.125), 2, edges).columns().threshold[0]).toBe(2.125);
  });

  it("gives back the columns it was built from (the saved layout)", () => {
    const feature = Int32Array.from([1, 0, -1, -1, -1]);
    const threshold = Float32Array.from([0.25, -3, 0, 0, 0]);
    const right = Int32Array.from([4, 3, 0, 1, 2]);
    const tree = DecisionTree.fromColumns(2, feature, threshold, right, new Float32Array(6));
    const c = tree.columns();
    expect(Array.from(c.feature)).toEqual(Array.from(feature));
    expect(Array.from(c.threshold)).toEqual(Array.from(threshold));
    expect(Array.from(c.right)).toEqual(Array.from(right));
    expect(tree.nodeCount).toBe(5);
    expect(tree.leafCount).toBe(3);
    // x1 = 1 > 0.25 goes right to leaf 2; x1 = 0, x0 = -4 <= -3 goes to leaf 0, x0 = 0 to leaf 1.
    expect(tree.leafIndex(Float32Array.from([0, 1]), 0)).toBe(2);
    expect(tree.leafIndex(Float32Array.from([-4, 0]), 0)).toBe(0);
    expect(tree.leafIndex(Float32Array.from([0, 0]), 0)).toBe(1);
  });
});
