/**
 * Prediction layouts compared on one forest: the packed node records DecisionTree uses (one 12-byte record
 * per node) against the three separate arrays (feature, threshold, right) it used before, same traversal
 * order (row blocks of about 256 KB, every tree over a block). Same answers are checked; CPU time is
 * reported as the best of --repeats runs each, alternating, to damp a shared machine's noise.
 *
 *   npx tsx bench/forest/predict-layout.ts [--set 20000x512] [--test-rows 30000] [--trees 100] [--repeats 5]
 */
import { parseArgs } from "node:util";
import { loadavg } from "node:os";
import { RandomForestClassifier } from "../../src/classify/forest/random-forest-classifier.js";
import type { DecisionTree } from "../../src/classify/forest/decision-tree.js";
import { makeSyntheticSet } from "./synthetic-set.js";

const { values } = parseArgs({
  options: {
    set: { type: "string", default: "20000x512" },
    "test-rows": { type: "string", default: "30000" },
    trees: { type: "string", default: "100" },
    repeats: { type: "string", default: "5" },
  },
});
const [n, d] = values.set.split("x").map(Number);
const train = makeSyntheticSet(n, d, 42);
const test = makeSyntheticSet(Number(values["test-rows"]) * 2, d, 43).train;
const rows = Number(values["test-rows"]);
const X = { rows, cols: d, data: test.data.subarray(0, rows * d) };
const model = new RandomForestClassifier({ nEstimators: Number(values.trees), nJobs: 2 }).fit(train.train, train.yTrain);
const trees = (model as unknown as { trees: DecisionTree[] }).trees;
const columns = trees.map((t) => ({ ...t.columns(), values: t.leafValues }));
const K = model.nClasses;

function separateArrays(): Float64Array {
  const sums = new Float64Array(rows * K);
  const block = Math.max(16, Math.floor((1 << 16) / d));
  for (let from = 0; from < rows; from += block) {
    const to = Math.min(rows, from + block);
    for (const { feature, threshold, right, values: leafValues } of columns) {
      for (let i = from; i < to; i++) {
        const offset = i * d;
        let node = 0;
        let f = feature[0];
        while (f >= 0) {
          node = X.data[offset + f] <= threshold[node] ? node + 1 : right[node];
          f = feature[node];
        }
        const leaf = right[node] * K;
        for (let k = 0; k < K; k++) sums[i * K + k] += leafValues[leaf + k];
      }
    }
  }
  return sums;
}

function packed(): Float64Array {
  const sums = new Float64Array(rows * K);
  const block = Math.max(16, Math.floor((1 << 16) / d));
  for (let from = 0; from < rows; from += block) {
    const to = Math.min(rows, from + block);
    for (const tree of trees) tree.addProbaRows(X.data, from, to, d, sums);
  }
  return sums;
}

const cpu = (fn: () => Float64Array): { s: number; out: Float64Array } => {
  const c0 = process.cpuUsage();
  const out = fn();
  const c = process.cpuUsage(c0);
  return { s: (c.user + c.system) / 1e6, out };
};
let bestSep = Infinity;
let bestPacked = Infinity;
for (let r = 0; r < Number(values.repeats); r++) {
  const a = cpu(separateArrays);
  const b = cpu(packed);
  if (Buffer.compare(Buffer.from(a.out.buffer), Buffer.from(b.out.buffer)) !== 0) throw new Error("layouts disagree");
  bestSep = Math.min(bestSep, a.s);
  bestPacked = Math.min(bestPacked, b.s);
}
const nodes = trees.reduce((s, t) => s + t.nodeCount, 0);
console.log(
  `${values.set} forest (${trees.length} trees, ${nodes} nodes), ${rows} rows: separate arrays ${bestSep.toFixed(3)} s cpu, packed ${bestPacked.toFixed(3)} s cpu (${(bestPacked / bestSep).toFixed(2)}×), load ${loadavg()[0].toFixed(1)}`,
);
process.exit(0);
