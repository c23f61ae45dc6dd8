import type { GrownTree } from "./tree-builder.js";

/**
 * A fitted tree ready to predict on raw float features: nodes in preorder (left child of internal node
 * i is i + 1), float32 thresholds, leaf class distributions in float32. These arrays are exactly what
 * the serializer writes, so a loaded tree predicts bit-for-bit like the one that was saved.
 */
export class DecisionTree {
  constructor(
    readonly nClasses: number,
    /** Feature tested at each node; -1 marks a leaf. */
    readonly feature: Int32Array,
    /** Rows with `x[feature] <= threshold` go left. */
    readonly threshold: Float32Array,
    /** Internal node: right child index. Leaf: leaf index into `leafValues` (in units of nClasses). */
    readonly right: Int32Array,
    /** leafCount × nClasses class distributions. */
    readonly leafValues: Float32Array,
  ) {}

  get nodeCount(): number {
    return this.feature.length;
  }

  get leafCount(): number {
    return this.leafValues.length / this.nClasses;
  }

  /** Turns bin-code thresholds into the raw values they stand for (`edges[feature][bin]`). */
  static fromGrown(tree: GrownTree, nClasses: number, edges: readonly Float32Array[]): DecisionTree {
    const threshold = new Float32Array(tree.nodeCount);
    for (let i = 0; i < tree.nodeCount; i++) {
      const f = tree.feature[i];
      if (f >= 0) threshold[i] = edges[f][tree.thresholdBin[i]];
    }
    return new DecisionTree(nClasses, tree.feature, threshold, tree.right, Float32Array.from(tree.leafValues));
  }

  /** Index of the leaf row `data[offset .. offset + nFeatures)` falls in. */
  leafIndex(data: Float32Array, offset: number): number {
    const feature = this.feature;
    const threshold = this.threshold;
    const right = this.right;
    let node = 0;
    let f = feature[0];
    while (f >= 0) {
      node = data[offset + f] <= threshold[node] ? node + 1 : right[node];
      f = feature[node];
    }
    return right[node];
  }

  /**
   * Adds this tree's class distribution for rows [from, to) of a row-major matrix into `out`
   * (row i at i × nClasses). One tree over many rows keeps its nodes in cache.
   */
  addProbaRows(data: Float32Array, from: number, to: number, cols: number, out: Float64Array): void {
    const K = this.nClasses;
    const feature = this.feature;
    const threshold = this.threshold;
    const right = this.right;
    const values = this.leafValues;
    const root = feature[0];
    for (let i = from; i < to; i++) {
      const offset = i * cols;
      let node = 0;
      let f = root;
      while (f >= 0) {
        node = data[offset + f] <= threshold[node] ? node + 1 : right[node];
        f = feature[node];
      }
      const leaf = right[node] * K;
      const o = i * K;
      for (let k = 0; k < K; k++) out[o + k] += values[leaf + k];
    }
  }

  /** Adds this tree's class distribution for one row into `out[outOffset ..]`. */
  addProba(data: Float32Array, offset: number, out: Float64Array, outOffset: number): void {
    const K = this.nClasses;
    const leaf = this.leafIndex(data, offset) * K;
    for (let k = 0; k < K; k++) out[outOffset + k] += this.leafValues[leaf + k];
  }
}
