import type { GrownTree } from "./tree-builder.js";
import { allocatePackedForest, NODE_STRIDE as STRIDE, type PackedForest } from "./packed-forest.js";

/**
 * A fitted tree ready to predict on raw float features: nodes in preorder (left child of internal node
 * i is i + 1), float32 thresholds, leaf class distributions in float32.
 *
 * Nodes are kept packed, one 12-byte record per node (feature, threshold, right child), not as three
 * arrays: prediction walks one root-to-leaf path per row, and a node read then costs one cache line
 * instead of three (measured in bench/forest/RESULTS.md). The serializer writes the three columns
 * (`columns()`), so the file format does not depend on this layout. A forest's trees are views into
 * one `PackedForest` (see `pack`), which prediction threads share.
 */
export class DecisionTree {
  /** Per node: [feature (-1 = leaf), threshold bits, right child's slot (leaf: leaf index)]. */
  private readonly nodes: Int32Array;
  /** The same memory as float32, to read thresholds. */
  private readonly thresholds: Float32Array;

  /** From packed records (see `nodes`) and leafCount × nClasses class distributions, used as given (not copied). */
  constructor(
    readonly nClasses: number,
    nodes: Int32Array,
    readonly leafValues: Float32Array,
  ) {
    this.nodes = nodes;
    this.thresholds = new Float32Array(nodes.buffer, nodes.byteOffset, nodes.length);
  }

  /**
   * From the three columns the file stores: feature tested at each node (-1 marks a leaf); threshold
   * (rows with `x[feature] <= threshold` go left); right (internal node: right child index; leaf: leaf
   * index into `leafValues`, in units of nClasses).
   */
  static fromColumns(nClasses: number, feature: Int32Array, threshold: Float32Array, right: Int32Array, leafValues: Float32Array): DecisionTree {
    const n = feature.length;
    const nodes = new Int32Array(STRIDE * n);
    const thresholds = new Float32Array(nodes.buffer);
    for (let i = 0; i < n; i++) {
      const at = STRIDE * i;
      const f = feature[i];
      nodes[at] = f;
      thresholds[at + 1] = threshold[i];
      nodes[at + 2] = f >= 0 ? STRIDE * right[i] : right[i];
    }
    return new DecisionTree(nClasses, nodes, leafValues);
  }

  /**
   * Copies the trees into one shared `PackedForest` and returns them as views into it, so the forest is
   * held once and prediction threads read it without a copy.
   */
  static pack(trees: readonly DecisionTree[], nClasses: number): { forest: PackedForest; trees: DecisionTree[] } {
    let slots = 0;
    let floats = 0;
    for (const t of trees) {
      slots += t.nodes.length;
      floats += t.leafValues.length;
    }
    const forest = allocatePackedForest(nClasses, trees.length, slots, floats);
    slots = 0;
    floats = 0;
    const views = trees.map((t, i) => {
      forest.nodeStart[i] = slots;
      forest.leafStart[i] = floats;
      const nodes = forest.nodes.subarray(slots, slots + t.nodes.length);
      const values = forest.leafValues.subarray(floats, floats + t.leafValues.length);
      nodes.set(t.nodes);
      values.set(t.leafValues);
      slots += t.nodes.length;
      floats += t.leafValues.length;
      return new DecisionTree(nClasses, nodes, values);
    });
    return { forest, trees: views };
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
      // A node split on raw values (exactFrom) has its threshold already.
      const exact = tree.exactThreshold[i];
      if (!Number.isNaN(exact)) {
        threshold[i] = exact;
        continue;
      }
      const low = edges[f][tree.thresholdBin[i]];
      const high = edges[f][tree.nextBin[i] - 1];
      // Both are float32, so the rounded mean stays within [low, high].
      threshold[i] = Math.fround(low / 2 + high / 2);
    }
    return DecisionTree.fromColumns(nClasses, tree.feature, threshold, tree.right, Float32Array.from(tree.leafValues));
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

  /** Adds this tree's class distribution for one row into `out[outOffset ..]`. */
  addProba(data: Float32Array, offset: number, out: Float64Array, outOffset: number): void {
    const K = this.nClasses;
    const leaf = this.leafIndex(data, offset) * K;
    for (let k = 0; k < K; k++) out[outOffset + k] += this.leafValues[leaf + k];
  }
}
