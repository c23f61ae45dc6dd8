/**
 * Prediction alone, for profiling (`node --cpu-prof --import tsx bench/forest/predict-profile.ts`): fits one
 * forest on a synthetic set, then predicts its test set --repeats times and prints the best wall and CPU time.
 *
 *   npx tsx bench/forest/predict-profile.ts [--set 6000x256c3] [--trees 100] [--repeats 10] [--jobs 1]
 */
import { parseArgs } from "node:util";
import { loadavg } from "node:os";
import { RandomForestClassifier } from "../../src/classify/forest/random-forest-classifier.js";
import { makeSyntheticSet } from "./synthetic-set.js";

const { values } = parseArgs({
  options: {
    set: { type: "string", default: "6000x256c3" },
    trees: { type: "string", default: "100" },
    repeats: { type: "string", default: "10" },
    jobs: { type: "string", default: "1" },
  },
});
const match = /^(\d+)x(\d+)(?:c(\d+))?$/.exec(values.set);
if (!match) throw new Error(`--set ${values.set}: not ROWSxDIMS[cK]`);
const set = makeSyntheticSet(Number(match[1]), Number(match[2]), 42, Number(match[3] ?? 2));
const model = new RandomForestClassifier({ nEstimators: Number(values.trees), nJobs: 2 }).fit(set.train, set.yTrain);
const predictor = RandomForestClassifier.deserialize(model.serialize());
(predictor as unknown as { nJobs: number }).nJobs = Number(values.jobs);
let best = Infinity;
let bestCpu = Infinity;
let checksum = 0;
for (let r = 0; r < Number(values.repeats); r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const p = predictor.predictProba(set.test);
  const c = process.cpuUsage(c0);
  bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
  const ms = performance.now() - t0;
  if (process.env.EACH) console.log(`repeat ${r}: ${ms.toFixed(1)} ms`);
  best = Math.min(best, ms);
  checksum += p[0][0];
}
console.log(`${set.name}: ${set.test.rows} test rows, best of ${values.repeats}: ${best.toFixed(1)} ms wall, ${bestCpu.toFixed(1)} ms cpu (checksum ${checksum.toFixed(6)}), load ${loadavg()[0].toFixed(1)}`);
process.exit(0);
