/**
 * Forest benchmark: sentivec's engine vs scikit-learn (and ml-random-forest at the small sizes), side by
 * side in one run on identical data. Prints ratios, because absolute times on a shared 2-core machine
 * mean little.
 *
 *   npx tsx bench/forest/run.ts [--sizes 1000x256,5000x256] [--no-real] [--no-ml] [--trees 100]
 *                               [--real-rows 67349] [--real-dims 512]
 *
 * Needs Debian's scikit-learn: apt-get install -y python3-sklearn (run with /usr/bin/python3).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClassifier } from "../../src/classify/forest/create-classifier.js";
import type { Classifier } from "../../src/classify/classifier.js";
import type { Matrix } from "../../src/util/matrix.js";
import type { BenchSet } from "./bench-set.js";
import { makeSyntheticSet } from "./synthetic-set.js";
import { loadSst2Set } from "./sst2-set.js";

interface SklearnResult {
  fit_s: number;
  fit_cpu_s: number;
  predict_s: number;
  accuracy: number;
  pickle_bytes: number;
}

interface EngineResult {
  fitS: number;
  /** CPU seconds of the whole process (all threads) during fit. */
  fitCpuS: number;
  predictS: number;
  accuracy: number;
  bytes: Uint8Array;
}

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000x256,1000x1536,5000x256,20000x512" },
    "no-real": { type: "boolean", default: false },
    "no-ml": { type: "boolean", default: false },
    trees: { type: "string", default: "100" },
    seed: { type: "string", default: "42" },
    "real-rows": { type: "string", default: "67349" },
    "real-dims": { type: "string", default: "512" },
    "acc-seeds": { type: "string", default: "5" },
  },
});
const nTrees = Number(values.trees);
const seed = Number(values.seed);
const ML_RF_SIZES = new Set(["1000x256", "1000x1536"]);
/** Sets this small also get their accuracy averaged over several forest seeds (one seed's noise is ±1 point). */
const MULTI_SEED_MAX_ROWS = 5000;
const accSeeds = Number(values["acc-seeds"]);

function main(): Promise<void> | void {
  const python = spawnSync("/usr/bin/python3", ["-c", "import sklearn; print(sklearn.__version__)"], { encoding: "utf8" });
  if (python.status !== 0) {
    console.error("scikit-learn is missing: apt-get update && apt-get install -y python3-sklearn");
    process.exit(1);
  }
  console.log(`scikit-learn ${python.stdout.trim()}, Node ${process.version}, ${nTrees} trees, max_features sqrt, seed ${seed}`);
  // Warm-up, untimed: JIT-compiles our code and starts the pooled worker, as scikit-learn's compiled code
  // and imports are ready before its timer starts.
  const warm = makeSyntheticSet(500, 64, seed + 1);
  for (const nJobs of [1, 2]) createClassifier({ nJobs, nEstimators: 20 }).fit(warm.train, warm.yTrain).predictProba(warm.test);
  const rows: string[][] = [];
  const run = (set: BenchSet): void => {
    const row = benchSet(set);
    rows.push(row);
    printTable(rows);
  };
  for (const size of values.sizes.split(",").filter(Boolean)) {
    const [n, d] = size.split("x").map(Number);
    run(makeSyntheticSet(n, d, seed));
  }
  if (!values["no-real"]) {
    return loadSst2Set(Number(values["real-rows"]), Number(values["real-dims"])).then(run);
  }
}

function benchSet(set: BenchSet): string[] {
  console.log(`\n== ${set.name}: train ${set.train.rows}×${set.train.cols}, test ${set.test.rows}`);
  const sk = runSklearn(set, [seed])[0];
  console.log(`scikit-learn   fit ${sk.fit_s.toFixed(2)} s (cpu ${sk.fit_cpu_s.toFixed(2)} s), predict ${sk.predict_s.toFixed(3)} s, accuracy ${sk.accuracy.toFixed(4)}`);
  const one = runEngine(set, { engine: "sentivec", nJobs: 1 });
  console.log(`sentivec ×1    fit ${one.fitS.toFixed(2)} s (cpu ${one.fitCpuS.toFixed(2)} s), predict ${one.predictS.toFixed(3)} s, accuracy ${one.accuracy.toFixed(4)}, ${one.bytes.length} bytes`);
  const two = runEngine(set, { engine: "sentivec", nJobs: 2 });
  const same = Buffer.from(one.bytes).equals(Buffer.from(two.bytes));
  console.log(`sentivec ×2    fit ${two.fitS.toFixed(2)} s (cpu ${two.fitCpuS.toFixed(2)} s, model ${same ? "byte-identical" : "DIFFERENT"} to ×1)`);
  let ml: EngineResult | undefined;
  if (!values["no-ml"] && ML_RF_SIZES.has(`${set.train.rows}x${set.train.cols}`)) {
    ml = runEngine(set, { engine: "ml-random-forest" });
    console.log(`ml-rf          fit ${ml.fitS.toFixed(2)} s, accuracy ${ml.accuracy.toFixed(4)}, ${ml.bytes.length} bytes JSON`);
  }
  // Accuracy over several forest seeds, for the sets where that is cheap (timings above are seed `seed`).
  let accuracyCell = `${(sk.accuracy * 100).toFixed(1)} / ${(one.accuracy * 100).toFixed(1)} (${signed((one.accuracy - sk.accuracy) * 100)})`;
  if (accSeeds > 1 && set.train.rows <= MULTI_SEED_MAX_ROWS) {
    const extra = Array.from({ length: accSeeds - 1 }, (_, i) => seed + 1 + i);
    const skAcc = [sk.accuracy, ...runSklearn(set, extra).map((r) => r.accuracy)];
    const ourAcc = [one.accuracy, ...extra.map((s) => runEngine(set, { engine: "sentivec", nJobs: 2 }, s).accuracy)];
    const a = mean(skAcc);
    const b = mean(ourAcc);
    console.log(`accuracy over seeds ${[seed, ...extra].join(",")}: scikit-learn ${skAcc.map((x) => x.toFixed(3)).join(" ")}; sentivec ${ourAcc.map((x) => x.toFixed(3)).join(" ")}`);
    accuracyCell = `${(a * 100).toFixed(1)} / ${(b * 100).toFixed(1)} (${signed((b - a) * 100)}), mean of ${accSeeds} seeds`;
  }
  return [
    set.name,
    `${sk.fit_s.toFixed(2)} s`,
    `${(one.fitS / sk.fit_s).toFixed(2)}× (cpu ${(one.fitCpuS / sk.fit_cpu_s).toFixed(2)}×)`,
    `${(two.fitS / sk.fit_s).toFixed(2)}×`,
    `${(one.predictS / sk.predict_s).toFixed(2)}×`,
    accuracyCell,
    kb(one.bytes.length),
    ml ? `${kb(ml.bytes.length)} (${(one.bytes.length / ml.bytes.length).toFixed(3)}×)` : "–",
    ml ? `${(ml.fitS / sk.fit_s).toFixed(0)}× / ${(ml.accuracy * 100).toFixed(1)}` : "–",
  ];
}

function runSklearn(set: BenchSet, seeds: number[]): SklearnResult[] {
  const dir = mkdtempSync(join(tmpdir(), "sentivec-bench-"));
  try {
    writeSet(dir, "train", set.train, set.yTrain);
    writeSet(dir, "test", set.test, set.yTest);
    const script = join(process.cwd(), "bench/forest/sklearn_forest.py");
    return seeds.map((s) => {
      const r = spawnSync("/usr/bin/python3", [script, dir, String(set.train.cols), String(nTrees), String(s)], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      if (r.status !== 0) throw new Error(`scikit-learn run failed: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as SklearnResult;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Raw little-endian float32 rows and int32 labels: exactly the numbers our side trains on. */
function writeSet(dir: string, name: string, X: Matrix, y: Int32Array): void {
  writeFileSync(join(dir, `${name}.X.f32`), new Uint8Array(X.data.buffer, X.data.byteOffset, X.data.byteLength));
  writeFileSync(join(dir, `${name}.y.i32`), new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
}

function runEngine(set: BenchSet, options: Parameters<typeof createClassifier>[0], forestSeed = seed): EngineResult {
  const model: Classifier = createClassifier({ ...options, nEstimators: nTrees, seed: forestSeed, maxFeatures: "sqrt" });
  let t0 = performance.now();
  const c0 = process.cpuUsage();
  model.fit(set.train, set.yTrain);
  const fitS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const fitCpuS = (cpu.user + cpu.system) / 1e6;
  t0 = performance.now();
  const proba = model.predictProba(set.test);
  const predictS = (performance.now() - t0) / 1000;
  let correct = 0;
  proba.forEach((p, i) => {
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
    if (best === set.yTest[i]) correct++;
  });
  return { fitS, fitCpuS, predictS, accuracy: correct / set.yTest.length, bytes: model.serialize() };
}

function printTable(rows: string[][]): void {
  const head = [
    "set (train N×D)",
    "sklearn fit",
    "fit ratio nJobs 1 (cpu-time ratio)",
    "fit ratio nJobs 2",
    "predict ratio",
    "accuracy % sklearn / sentivec (diff)",
    "sentivec model",
    "ml-rf JSON (ours/ml-rf)",
    "ml-rf fit ratio / acc %",
  ];
  const lines = [head, head.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`);
  console.log(`\n${lines.join("\n")}\n`);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function signed(x: number): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;
}

function kb(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MB` : `${(bytes / 1024).toFixed(0)} KB`;
}

void main();
