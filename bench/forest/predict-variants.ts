/**
 * Prediction inner loops compared on one forest (CPU time, best of --repeats, alternating; every variant's
 * sums are checked equal to the first's), same traversal order (row blocks of about 256 KB, every tree
 * over a block):
 *  - separate arrays: feature, threshold and right child in three arrays (before the packed layout);
 *  - packed: one 12-byte record per node, one row at a time per tree (what DecisionTree did before);
 *  - interleaved: the same records, R rows walked down the tree together, so independent rows overlap
 *    their memory and branch latencies;
 *  - and, apart, the cost of binning the test rows alone (a binary search over the training bin edges per
 *    value), which comparing thresholds in bin-code space would pay before any tree walk. (Since
 *    thresholds sit midway between occupied bins, codes alone could not even reproduce the splits.)
 *
 *   npx tsx bench/forest/predict-variants.ts [--set 6000x256c3] [--test-rows 3000] [--trees 100] [--repeats 5]
 */
import { parseArgs } from "node:util";
import { loadavg } from "node:os";
import { RandomForestClassifier } from "../../src/classify/forest/random-forest-classifier.js";
import type { DecisionTree } from "../../src/classify/forest/decision-tree.js";
import { binOf, FeatureBinner } from "../../src/classify/forest/feature-binner.js";
import { makeSyntheticSet } from "./synthetic-set.js";

const { values } = parseArgs({
  options: {
    set: { type: "string", default: "6000x256c3" },
    "test-rows": { type: "string", default: "3000" },
    trees: { type: "string", default: "100" },
    repeats: { type: "string", default: "5" },
  },
});
const match = /^(\d+)x(\d+)(?:c(\d+))?$/.exec(values.set);
if (!match) throw new Error(`--set ${values.set}: not ROWSxDIMS[cK]`);
const d = Number(match[2]);
const train = makeSyntheticSet(Number(match[1]), d, 42, Number(match[3] ?? 2));
const rows = Number(values["test-rows"]);
const test = makeSyntheticSet(Math.max(rows * 2, 2000), d, 43, Number(match[3] ?? 2)).train;
const X = test.data.subarray(0, rows * d);
const model = new RandomForestClassifier({ nEstimators: Number(values.trees), nJobs: 2 }).fit(train.train, train.yTrain);
const trees = (model as unknown as { trees: DecisionTree[] }).trees;
const K = model.nClasses;
const STRIDE = 3;
const packedTrees = trees.map((t) => {
  const { feature, threshold, right } = t.columns();
  const n = feature.length;
  const nodes = new Int32Array(STRIDE * n);
  const thr = new Float32Array(nodes.buffer);
  for (let i = 0; i < n; i++) {
    nodes[STRIDE * i] = feature[i];
    thr[STRIDE * i + 1] = threshold[i];
    nodes[STRIDE * i + 2] = feature[i] >= 0 ? STRIDE * right[i] : right[i];
  }
  return { nodes, thr, values: t.leafValues };
});
const block = Math.max(16, Math.floor((1 << 16) / d));

const columns = trees.map((t) => ({ ...t.columns(), values: t.leafValues }));

function separateArrays(): Float64Array {
  const sums = new Float64Array(rows * K);
  for (let from = 0; from < rows; from += block) {
    const to = Math.min(rows, from + block);
    for (const { feature, threshold, right, values: leafValues } of columns) {
      for (let i = from; i < to; i++) {
        const offset = i * d;
        let node = 0;
        let f = feature[0];
        while (f >= 0) {
          node = X[offset + f] <= threshold[node] ? node + 1 : right[node];
          f = feature[node];
        }
        const leaf = right[node] * K;
        for (let k = 0; k < K; k++) sums[i * K + k] += leafValues[leaf + k];
      }
    }
  }
  return sums;
}

type Packed = (typeof packedTrees)[number];

/** One row down one packed tree, its leaf's distribution added to `sums`. */
function addRow({ nodes, thr, values: leafValues }: Packed, i: number, sums: Float64Array): void {
  const offset = i * d;
  let at = 0;
  let f = nodes[0];
  while (f >= 0) {
    at = X[offset + f] <= thr[at + 1] ? at + STRIDE : nodes[at + 2];
    f = nodes[at];
  }
  const leaf = nodes[at + 2] * K;
  for (let k = 0; k < K; k++) sums[i * K + k] += leafValues[leaf + k];
}

function packed(): Float64Array {
  const sums = new Float64Array(rows * K);
  for (let from = 0; from < rows; from += block) {
    const to = Math.min(rows, from + block);
    for (const tree of packedTrees) for (let i = from; i < to; i++) addRow(tree, i, sums);
  }
  return sums;
}

/** R rows at once: each step advances every row that has not reached its leaf. */
function interleaved4(): Float64Array {
  const sums = new Float64Array(rows * K);
  for (let from = 0; from < rows; from += block) {
    const to = Math.min(rows, from + block);
    for (const tree of packedTrees) {
      const { nodes, thr, values: leafValues } = tree;
      let i = from;
      for (; i + 4 <= to; i += 4) {
        const o0 = i * d;
        const o1 = o0 + d;
        const o2 = o1 + d;
        const o3 = o2 + d;
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let f0 = nodes[0];
        let f1 = f0;
        let f2 = f0;
        let f3 = f0;
        while ((f0 & f1 & f2 & f3) >= 0) {
          if (f0 >= 0) {
            a0 = X[o0 + f0] <= thr[a0 + 1] ? a0 + STRIDE : nodes[a0 + 2];
            f0 = nodes[a0];
          }
          if (f1 >= 0) {
            a1 = X[o1 + f1] <= thr[a1 + 1] ? a1 + STRIDE : nodes[a1 + 2];
            f1 = nodes[a1];
          }
          if (f2 >= 0) {
            a2 = X[o2 + f2] <= thr[a2 + 1] ? a2 + STRIDE : nodes[a2 + 2];
            f2 = nodes[a2];
          }
          if (f3 >= 0) {
            a3 = X[o3 + f3] <= thr[a3 + 1] ? a3 + STRIDE : nodes[a3 + 2];
            f3 = nodes[a3];
          }
        }
        const l0 = nodes[a0 + 2] * K;
        const l1 = nodes[a1 + 2] * K;
        const l2 = nodes[a2 + 2] * K;
        const l3 = nodes[a3 + 2] * K;
        for (let k = 0; k < K; k++) {
          sums[i * K + k] += leafValues[l0 + k];
          sums[(i + 1) * K + k] += leafValues[l1 + k];
          sums[(i + 2) * K + k] += leafValues[l2 + k];
          sums[(i + 3) * K + k] += leafValues[l3 + k];
        }
      }
      for (; i < to; i++) addRow(tree, i, sums);
    }
  }
  return sums;
}

/** Branch-free step: the comparison as 0/1 picks the child by arithmetic instead of a jump. */
function branchless(): Float64Array {
  const sums = new Float64Array(rows * K);
  for (let from = 0; from < rows; from += block) {
    const to = Math.min(rows, from + block);
    for (const { nodes, thr, values: leafValues } of packedTrees) {
      for (let i = from; i < to; i++) {
        const offset = i * d;
        let at = 0;
        let f = nodes[0];
        while (f >= 0) {
          const right = nodes[at + 2];
          const goRight = (X[offset + f] > thr[at + 1]) as unknown as number;
          at = at + STRIDE + ((right - at - STRIDE) & -goRight);
          f = nodes[at];
        }
        const leaf = nodes[at + 2] * K;
        for (let k = 0; k < K; k++) sums[i * K + k] += leafValues[leaf + k];
      }
    }
  }
  return sums;
}

const { binner } = FeatureBinner.fitTransform(train.train);
function binRows(): Float64Array {
  const codes = new Uint8Array(rows * d);
  for (let i = 0; i < rows; i++) for (let f = 0; f < d; f++) codes[i * d + f] = binOf(binner.edges[f], X[i * d + f]);
  return Float64Array.of(codes[0]);
}

const cpu = (fn: () => Float64Array): { s: number; out: Float64Array } => {
  const c0 = process.cpuUsage();
  const out = fn();
  const c = process.cpuUsage(c0);
  return { s: (c.user + c.system) / 1e6, out };
};
const variants: [string, () => Float64Array][] = [
  ["separate arrays, row by row", separateArrays],
  ["packed, row by row", packed],
  ["packed, 4 rows interleaved", interleaved4],
  ["packed, branch-free step", branchless],
];
const best = variants.map(() => Infinity);
let reference: Float64Array | undefined;
for (let r = 0; r < Number(values.repeats); r++) {
  variants.forEach(([name, fn], v) => {
    const { s, out } = cpu(fn);
    reference ??= out;
    if (Buffer.compare(Buffer.from(reference.buffer), Buffer.from(out.buffer)) !== 0) throw new Error(`${name} disagrees`);
    best[v] = Math.min(best[v], s);
  });
}
let binning = Infinity;
for (let r = 0; r < Number(values.repeats); r++) binning = Math.min(binning, cpu(binRows).s);
const nodes = trees.reduce((s, t) => s + t.nodeCount, 0);
console.log(`${values.set} forest (${trees.length} trees, ${nodes} nodes), ${rows} rows, load ${loadavg()[0].toFixed(1)}:`);
variants.forEach(([name], v) => console.log(`  ${name}: ${(best[v] * 1000).toFixed(1)} ms cpu (${(best[v] / best[0]).toFixed(2)}×)`));
console.log(`  binning the test rows alone (no tree walked): ${(binning * 1000).toFixed(1)} ms cpu (${(binning / best[0]).toFixed(2)}×)`);
process.exit(0);
