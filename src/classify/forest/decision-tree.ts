import type { GrownTree } from "./tree-builder.js";

/** Int32 slots per node in the packed layout: feature, threshold (float32 bits), right. */
const STRIDE = 3;

/**
 * A fitted tree ready to predict on raw float features: nodes in preorder (left child of internal node
 * i is i + 1), float32 thresholds, leaf class distributions in float32.
 *
 * Nodes are kept packed, one 12-byte record per node (feature, threshold, right child), not as three
 * arrays: prediction walks one root-to-leaf path per row, and a node read then costs one cache line
 * instead of three (measured in bench/forest/RESULTS.md). The serializer writes the three columns
 * (`columns()`), so the file format does not depend on this layout.
 */
export class DecisionTree {
  /** Per node: [feature (-1 = leaf), threshold bits, right child's slot (leaf: leaf index)]. */
  private readonly nodes: Int32Array;
  /** The same buffer as float32, to read thresholds. */
  private readonly thresholds: Float32Array;

  constructor(
    readonly nClasses: number,
    /** Feature tested at each node; -1 marks a leaf. */
    feature: Int32Array,
    /** Rows with `x[feature] <= threshold` go left. */
    threshold: Float32Array,
    /** Internal node: right child index. Leaf: leaf index into `leafValues` (in units of nClasses). */
    right: Int32Array,
    /** leafCount × nClasses class distributions. */
    readonly leafValues: Float32Array,
  ) {
    const n = feature.length;
    this.nodes = new Int32Array(STRIDE * n);
    this.thresholds = new Float32Array(this.nodes.buffer);
    for (let i = 0; i < n; i++) {
      const at = STRIDE * i;
      const f = feature[i];
      this.nodes[at] = f;
      this.thresholds[at + 1] = threshold[i];
      this.nodes[at + 2] = f >= 0 ? STRIDE * right[i] : right[i];
    }
  }

  get nodeCount(): number {
    return this.nodes.length / STRIDE;
  }

  get leafCount(): number {
    return this.leafValues.length / this.nClasses;
  }

  /** The nodes as three columns (feature, threshold, right: as the constructor takes them), for saving. */
  columns(): { feature: Int32Array; threshold: Float32Array; right: Int32Array } {
    const n = this.nodeCount;
    const feature = new Int32Array(n);
    const threshold = new Float32Array(n);
    const right = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const at = STRIDE * i;
      feature[i] = this.nodes[at];
      threshold[i] = this.thresholds[at + 1];
      right[i] = feature[i] >= 0 ? this.nodes[at + 2] / STRIDE : this.nodes[at + 2];
    }
    return { feature, threshold, right };
  }

  /**
   * Turns bin-code thresholds into raw values. A split "code <= b" with the node's next occupied bin c
   * could sit anywhere from edges[b] (the top of bin b) to edges[c - 1] (the bottom of bin c) and send
   * every training row the same way; it is put midway, as scikit-learn puts a threshold midway between
   * the neighbouring values, so unseen values in the gap are split evenly instead of all going right.
   * (Measured in bench/forest/RESULTS.md.)
   */
  static fromGrown(tree: GrownTree, nClasses: number, edges: readonly Float32Array[]): DecisionTree {
    const threshold = new Float32Array(tree.nodeCount);
    for (let i = 0; i < tree.nodeCount; i++) {
      const f = tree.feature[i];
      if (f < 0) continue;
      const low = edges[f][tree.thresholdBin[i]];
      const high = edges[f][tree.nextBin[i] - 1];
      // Both are float32, so the rounded mean stays within [low, high].
      threshold[i] = Math.fround(low / 2 + high / 2);
    }
    return new DecisionTree(nClasses, tree.feature, threshold, tree.right, Float32Array.from(tree.leafValues));
  }

  /** Index of the leaf row `data[offset .. offset + nFeatures)` falls in. */
  leafIndex(data: Float32Array, offset: number): number {
    const nodes = this.nodes;
    const thresholds = this.thresholds;
    let at = 0;
    let f = nodes[0];
    while (f >= 0) {
      at = data[offset + f] <= thresholds[at + 1] ? at + STRIDE : nodes[at + 2];
      f = nodes[at];
    }
    return nodes[at + 2];
  }

  /**
   * Adds this tree's class distribution for rows [from, to) of a row-major matrix into `out`
   * (row i at i × nClasses). One tree over a block of rows keeps its upper levels in cache.
   */
  addProbaRows(data: Float32Array, from: number, to: number, cols: number, out: Float64Array): void {
    const K = this.nClasses;
    const nodes = this.nodes;
    const thresholds = this.thresholds;
    const values = this.leafValues;
    const root = nodes[0];
    for (let i = from; i < to; i++) {
      const offset = i * cols;
      let at = 0;
      let f = root;
      while (f >= 0) {
        at = data[offset + f] <= thresholds[at + 1] ? at + STRIDE : nodes[at + 2];
        f = nodes[at];
      }
      const leaf = nodes[at + 2] * K;
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
