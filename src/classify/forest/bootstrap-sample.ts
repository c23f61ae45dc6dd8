/**
 * The imbalance options of the forest's per-tree sample, kept apart from the tree builder:
 * - balanced bootstrap (imbalanced-learn's BalancedRandomForestClassifier, its default since 0.13:
 *   sampling_strategy "all", replacement true): each tree draws, with replacement, as many rows of every
 *   class as the smallest class has;
 * - "balanced_subsample" class weights (scikit-learn): "balanced" weights, n / (K · n_k), computed on each
 *   tree's own bootstrap sample (draws counted with multiplicity) rather than on the whole training set.
 *
 * Like tree-builder.ts, these functions run inside worker threads as source text (see
 * TREE_BUILDER_FUNCTIONS): self-contained, no imports, no module-level values.
 */
import type { TreeRandom } from "./tree-builder.js";

/** Per-sample draw counts of a balanced bootstrap: `minority` draws with replacement from each class. */
export function drawBalancedBootstrap(rng: TreeRandom, y: Int32Array, nClasses: number, counts: Int32Array): void {
  counts.fill(0);
  const byClass: number[][] = [];
  for (let k = 0; k < nClasses; k++) byClass.push([]);
  for (let i = 0; i < y.length; i++) byClass[y[i]].push(i);
  let minority = Infinity;
  for (const rows of byClass) if (rows.length > 0) minority = Math.min(minority, rows.length);
  for (const rows of byClass) {
    if (rows.length === 0) continue;
    for (let t = 0; t < minority; t++) counts[rows[rng.int(rows.length)]]++;
  }
}

/** "balanced_subsample": each class's weight from the sample's class totals (with multiplicity); 1 for a class absent from it. */
export function subsampleClassWeights(y: Int32Array, nClasses: number, counts: Int32Array): Float64Array {
  const totals = new Float64Array(nClasses);
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    totals[y[i]] += counts[i];
    n += counts[i];
  }
  const w = new Float64Array(nClasses).fill(1);
  let present = 0;
  for (let k = 0; k < nClasses; k++) if (totals[k] > 0) present++;
  // scikit-learn's compute_class_weight counts only the classes present in the sample.
  for (let k = 0; k < nClasses; k++) if (totals[k] > 0) w[k] = n / (present * totals[k]);
  return w;
}
