/**
 * Every tree of a forest in one pair of buffers, for prediction: node records (feature, threshold bits,
 * right child) for all trees back to back, and all leaf class distributions back to back. In shared
 * memory, so prediction threads read the model without a copy, and each `DecisionTree` of the classifier
 * is a view into these buffers (the model is held once).
 *
 * `addForestProba` is the prediction loop for the calling thread and for worker threads alike. Workers
 * receive it as source text (see tree-worker-source.ts), so it must stay self-contained: no imports, no
 * module-level values, only globals.
 */

/** Int32 slots per node: feature (-1 = leaf), threshold (float32 bits), right child's slot (leaf: leaf index). */
export const NODE_STRIDE = 3;

export interface PackedForest {
  nClasses: number;
  /** All trees' node records; a tree's `right` slots are relative to its own first slot. */
  nodes: Int32Array;
  /** All trees' leaf class distributions (leafCount × nClasses each). */
  leafValues: Float32Array;
  /** Per tree: its first slot in `nodes` and its first value in `leafValues`. */
  nodeStart: Int32Array;
  leafStart: Int32Array;
}

/** Room for a forest of `nodeSlots` node slots and `leafFloats` leaf values, shared between threads. */
export function allocatePackedForest(nClasses: number, nTrees: number, nodeSlots: number, leafFloats: number): PackedForest {
  return {
    nClasses,
    nodes: new Int32Array(new SharedArrayBuffer(4 * nodeSlots)),
    leafValues: new Float32Array(new SharedArrayBuffer(4 * leafFloats)),
    nodeStart: new Int32Array(nTrees),
    leafStart: new Int32Array(nTrees),
  };
}

/**
 * Sets rows [from, to) of `out` (row i at i × K) to the sum over trees, in tree order, of the class
 * distribution of the leaf each row reaches. Rows are walked `block` at a time, every tree over a
 * block, so the block's features stay in cache while the trees go by.
 *
 * A row's sum depends only on the row and the trees, never on which rows share a call: any split of
 * the rows between threads gives the same bits.
 */
export function addForestProba(
  forest: PackedForest,
  data: Float32Array,
  cols: number,
  from: number,
  to: number,
  block: number,
  out: Float64Array,
): void {
  const K = forest.nClasses;
  const nodes = forest.nodes;
  const thresholds = new Float32Array(nodes.buffer, nodes.byteOffset, nodes.length);
  const values = forest.leafValues;
  const nodeStart = forest.nodeStart;
  const leafStart = forest.leafStart;
  const nTrees = nodeStart.length;
  out.fill(0, from * K, to * K);
  for (let b0 = from; b0 < to; b0 += block) {
    const b1 = Math.min(to, b0 + block);
    for (let t = 0; t < nTrees; t++) {
      const base = nodeStart[t];
      const leafBase = leafStart[t];
      const root = nodes[base];
      for (let i = b0; i < b1; i++) {
        const offset = i * cols;
        let at = base;
        let f = root;
        while (f >= 0) {
          at = data[offset + f] <= thresholds[at + 1] ? at + 3 : base + nodes[at + 2];
          f = nodes[at];
        }
        const leaf = leafBase + nodes[at + 2] * K;
        const o = i * K;
        for (let k = 0; k < K; k++) out[o + k] += values[leaf + k];
      }
    }
  }
}
