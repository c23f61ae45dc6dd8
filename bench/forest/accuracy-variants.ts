/**
 * Accuracy of the sentivec forest alone over several seeds, for A/B runs of engine changes (one change at
 * a time, with the environment or options a run names). scikit-learn's side for the same sets and seeds
 * comes from run.ts, which runs both side by side; this only saves re-running scikit-learn per variant.
 *
 *   npx tsx bench/forest/accuracy-variants.ts [--sets 2000x1536,6000x256c3] [--seeds 5] [--max-bins 256] [--exact-from 0]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { RandomForestClassifier } from "../../src/classify/forest/random-forest-classifier.js";
import { makeSyntheticSet } from "./synthetic-set.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "2000x1536,6000x256c3,5000x256c5" },
    seeds: { type: "string", default: "5" },
    seed: { type: "string", default: "42" },
    /** First forest seed (default: --seed, which also seeds the set), to add seeds to an earlier run's. */
    "forest-seed": { type: "string" },
    trees: { type: "string", default: "100" },
    "max-bins": { type: "string" },
    "exact-from": { type: "string" },
  },
});
const seed = Number(values.seed);
const forestSeed = Number(values["forest-seed"] ?? values.seed);
for (const spec of values.sets.split(",")) {
  const match = /^(\d+)x(\d+)(?:c(\d+))?(?:i(\d+))?(?:s([\d.]+))?$/.exec(spec);
  if (!match) throw new Error(`bad set ${spec}`);
  const set = makeSyntheticSet(Number(match[1]), Number(match[2]), seed, Number(match[3] ?? 2), {
      informative: match[4] === undefined ? undefined : Number(match[4]),
      separation: match[5] === undefined ? undefined : Number(match[5]),
    });
  const accs: number[] = [];
  let fitS = 0;
  let cpuS = 0;
  for (let i = 0; i < Number(values.seeds); i++) {
    const options: Record<string, unknown> = { nEstimators: Number(values.trees), seed: forestSeed + i, nJobs: 2 };
    if (values["max-bins"] !== undefined) options.maxBins = Number(values["max-bins"]);
    if (values["exact-from"] !== undefined) options.exactFrom = Number(values["exact-from"]);
    const model = new RandomForestClassifier(options);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    model.fit(set.train, set.yTrain);
    fitS += (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    cpuS += (c.user + c.system) / 1e6;
    const pred = model.predict(set.test);
    let correct = 0;
    for (let r = 0; r < pred.length; r++) if (pred[r] === set.yTest[r]) correct++;
    accs.push(correct / pred.length);
  }
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  console.log(`${set.name}: mean ${(mean * 100).toFixed(2)} [${accs.map((a) => (a * 100).toFixed(2)).join(" ")}], fit ${fitS.toFixed(1)} s total (cpu ${cpuS.toFixed(1)} s), load ${loadavg()[0].toFixed(1)}`);
}
process.exit(0);
