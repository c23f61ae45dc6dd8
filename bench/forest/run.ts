/**
 * Forest benchmark: sentivec's engine vs scikit-learn (and ml-random-forest at the small sizes), side by
 * side in one run on identical data. Prints ratios, because absolute times on a shared 2-core machine
 * mean little.
 *
 *   npx tsx bench/forest/run.ts [--sets 1000x256,6000x256c3] [--no-real] [--no-ml] [--no-memory]
 *                               [--trees 100] [--acc-seeds 5] [--real-rows 67349] [--real-dims 512]
 *                               [--predict-repeats 3] [--max-bins 256] [--exact-from 0]
 *
 * A set is ROWSxDIMS, or ROWSxDIMScK for a K-class mixture (see synthetic-set.ts). Sets up to
 * MULTI_SEED_MAX_ROWS rows (--acc-seeds-max-rows, default 6000) get their accuracy over --acc-seeds forest seeds (mean ± sample sd).
 * Peak RSS of a fit is measured for each engine in a process of its own (scikit-learn: its first fit;
 * sentivec: fit-child.ts, nJobs 1).
 *
 * Needs Debian's scikit-learn: apt-get install -y python3-sklearn (run with /usr/bin/python3).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClassifier } from "../../src/classify/forest/create-classifier.js";
import type { Classifier } from "../../src/classify/classifier.js";
import type { Matrix } from "../../src/util/matrix.js";
import type { BenchSet } from "./bench-set.js";
import { makeSyntheticSet } from "./synthetic-set.js";
import { loadSst2Set } from "./sst2-set.js";

interface SklearnResult {
  seed: number;
  fit_s: number;
  fit_cpu_s: number;
  predict_s: number;
  predict_cpu_s: number;
  accuracy: number;
  pickle_bytes: number;
  /** Bytes; the first seed's only (measured right after its fit). */
  peak_rss: number | null;
  base_rss: number;
  loaded_rss: number;
}

interface EngineResult {
  fitS: number;
  /** CPU seconds of the whole process (all threads) during fit. */
  fitCpuS: number;
  /** Best of --predict-repeats predictions: wall seconds and CPU seconds (all threads). */
  predictS: number;
  predictCpuS: number;
  accuracy: number;
  bytes: Uint8Array;
}

interface MemoryResult {
  fitS: number;
  baseRss: number;
  loadedRss: number;
  peakRss: number;
}

const DEFAULT_SETS = "1000x256,1000x1536,2000x1536,5000x256,6000x256c3,5000x256c5,20000x512";
const { values } = parseArgs({
  options: {
    sets: { type: "string" },
    sizes: { type: "string" },
    "no-real": { type: "boolean", default: false },
    "no-ml": { type: "boolean", default: false },
    "no-memory": { type: "boolean", default: false },
    trees: { type: "string", default: "100" },
    seed: { type: "string", default: "42" },
    "real-rows": { type: "string", default: "67349" },
    "real-dims": { type: "string", default: "512" },
    "acc-seeds": { type: "string", default: "5" },
    "predict-repeats": { type: "string", default: "3" },
    /** Larger sets get one seed by default (their fits are long); raise this to average them too. */
    "acc-seeds-max-rows": { type: "string", default: "6000" },
    /** sentivec's maxBins and exactFrom options (src/classify/forest/forest-options.ts), for every sentivec fit. */
    "max-bins": { type: "string" },
    "exact-from": { type: "string" },
  },
});
/** Options given to every sentivec fit (and to fit-child.ts for the memory figure). */
const sentivecOptions = {
  maxBins: values["max-bins"] === undefined ? undefined : Number(values["max-bins"]),
  exactFrom: values["exact-from"] === undefined ? undefined : Number(values["exact-from"]),
};
const nTrees = Number(values.trees);
const seed = Number(values.seed);
const ML_RF_SIZES = new Set(["1000x256", "1000x1536"]);
/** Sets this small also get their accuracy averaged over several forest seeds (one seed's noise is ±1 point). */
const MULTI_SEED_MAX_ROWS = Number(values["acc-seeds-max-rows"]);
const accSeeds = Number(values["acc-seeds"]);
/** Each side's prediction is timed this many times and the best kept (wall and CPU separately). */
const predictRepeats = Number(values["predict-repeats"]);
const MB = 1 << 20;

function main(): Promise<void> | void {
  const python = spawnSync("/usr/bin/python3", ["-c", "import sklearn; print(sklearn.__version__)"], { encoding: "utf8" });
  if (python.status !== 0) {
    console.error("scikit-learn is missing: apt-get update && apt-get install -y python3-sklearn");
    process.exit(1);
  }
  console.log(`scikit-learn ${python.stdout.trim()}, Node ${process.version}, ${nTrees} trees, max_features sqrt, seed ${seed}, sentivec options ${JSON.stringify(sentivecOptions)}`);
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
  for (const spec of (values.sets ?? values.sizes ?? DEFAULT_SETS).split(",").filter(Boolean)) {
    const match = /^(\d+)x(\d+)(?:c(\d+))?(?:i(\d+))?(?:s([\d.]+))?$/.exec(spec);
    if (!match) {
      console.error(`--sets: "${spec}" is not ROWSxDIMS or ROWSxDIMScCLASSES (e.g. 2000x1536 or 6000x256c3).`);
      process.exit(2);
    }
    run(makeSyntheticSet(Number(match[1]), Number(match[2]), seed, Number(match[3] ?? 2), {
      informative: match[4] === undefined ? undefined : Number(match[4]),
      separation: match[5] === undefined ? undefined : Number(match[5]),
    }));
  }
  if (!values["no-real"]) {
    return loadSst2Set(Number(values["real-rows"]), Number(values["real-dims"])).then(run);
  }
}

function benchSet(set: BenchSet): string[] {
  console.log(`\n== ${set.name}: train ${set.train.rows}×${set.train.cols}, test ${set.test.rows}, load ${loadAverage()}`);
  const dir = mkdtempSync(join(tmpdir(), "sentivec-bench-"));
  try {
    writeSet(dir, "train", set.train, set.yTrain);
    writeSet(dir, "test", set.test, set.yTest);
    const multi = accSeeds > 1 && set.train.rows <= MULTI_SEED_MAX_ROWS;
    const seeds = multi ? Array.from({ length: accSeeds }, (_, i) => seed + i) : [seed];
    // scikit-learn's first seed is timed in a fresh process; later seeds only add accuracy.
    const skAll = runSklearn(dir, set.train.cols, seeds);
    const sk = skAll[0];
    console.log(`scikit-learn   fit ${sk.fit_s.toFixed(2)} s (cpu ${sk.fit_cpu_s.toFixed(2)} s), predict ${sk.predict_s.toFixed(3)} s (cpu ${sk.predict_cpu_s.toFixed(3)} s), accuracy ${sk.accuracy.toFixed(4)}, peak RSS ${mb(sk.peak_rss ?? 0)}`);
    const one = runEngine(set, { engine: "sentivec", nJobs: 1 });
    console.log(`sentivec ×1    fit ${one.fitS.toFixed(2)} s (cpu ${one.fitCpuS.toFixed(2)} s), predict ${one.predictS.toFixed(3)} s (cpu ${one.predictCpuS.toFixed(3)} s), accuracy ${one.accuracy.toFixed(4)}, ${one.bytes.length} bytes`);
    const two = runEngine(set, { engine: "sentivec", nJobs: 2 });
    const same = Buffer.from(one.bytes).equals(Buffer.from(two.bytes));
    console.log(`sentivec ×2    fit ${two.fitS.toFixed(2)} s (cpu ${two.fitCpuS.toFixed(2)} s, model ${same ? "byte-identical" : "DIFFERENT"} to ×1), predict ${two.predictS.toFixed(3)} s (cpu ${two.predictCpuS.toFixed(3)} s)`);
    let ml: EngineResult | undefined;
    if (!values["no-ml"] && ML_RF_SIZES.has(`${set.train.rows}x${set.train.cols}`)) {
      ml = runEngine(set, { engine: "ml-random-forest" });
      console.log(`ml-rf          fit ${ml.fitS.toFixed(2)} s, accuracy ${ml.accuracy.toFixed(4)}, ${ml.bytes.length} bytes JSON`);
    }
    const skAcc = skAll.map((r) => r.accuracy);
    const ourAcc = [one.accuracy, ...seeds.slice(1).map((s) => runEngine(set, { engine: "sentivec", nJobs: 2 }, s, 1).accuracy)];
    let accuracyCell = `${pct(sk.accuracy)} / ${pct(one.accuracy)} (${signed((one.accuracy - sk.accuracy) * 100)})`;
    if (multi) {
      console.log(`accuracy over seeds ${seeds.join(",")}: scikit-learn ${skAcc.map((x) => x.toFixed(4)).join(" ")}; sentivec ${ourAcc.map((x) => x.toFixed(4)).join(" ")}`);
      const diffs = ourAcc.map((a, i) => a - skAcc[i]);
      accuracyCell = `${pct(mean(skAcc))} ± ${pct(sd(skAcc))} / ${pct(mean(ourAcc))} ± ${pct(sd(ourAcc))} (${signed(mean(diffs) * 100)}), ${seeds.length} seeds`;
    }
    let memoryCell = "–";
    if (!values["no-memory"]) {
      const mem = runMemoryChild(dir, set.train.cols);
      const skPeak = sk.peak_rss ?? 0;
      console.log(`peak RSS of one fit, own process: scikit-learn ${mb(skPeak)} (start ${mb(sk.base_rss)}, data loaded ${mb(sk.loaded_rss)}); sentivec ${mb(mem.peakRss)} (start ${mb(mem.baseRss)}, data loaded ${mb(mem.loadedRss)})`);
      memoryCell = `${mb(skPeak)} / ${mb(mem.peakRss)} (${(mem.peakRss / skPeak).toFixed(2)}×)`;
    }
    return [
      set.name,
      `${sk.fit_s.toFixed(2)} s`,
      `${(one.fitS / sk.fit_s).toFixed(2)}× (cpu ${(one.fitCpuS / sk.fit_cpu_s).toFixed(2)}×)`,
      `${(two.fitS / sk.fit_s).toFixed(2)}×`,
      `${(one.predictS / sk.predict_s).toFixed(2)}× (cpu ${(one.predictCpuS / sk.predict_cpu_s).toFixed(2)}×) / ${(two.predictS / sk.predict_s).toFixed(2)}×`,
      accuracyCell,
      memoryCell,
      kb(one.bytes.length),
      ml ? `${kb(ml.bytes.length)} (${(one.bytes.length / ml.bytes.length).toFixed(3)}×)` : "–",
      ml ? `${(ml.fitS / sk.fit_s).toFixed(0)}× / ${(ml.accuracy * 100).toFixed(1)}` : "–",
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runSklearn(dir: string, cols: number, seeds: number[]): SklearnResult[] {
  const script = join(process.cwd(), "bench/forest/sklearn_forest.py");
  const r = spawnSync("/usr/bin/python3", [script, dir, String(cols), String(nTrees), seeds.join(","), String(predictRepeats)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`scikit-learn run failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as SklearnResult);
}

/** One sentivec fit (nJobs 1) in a child process of its own, for its peak RSS. */
function runMemoryChild(dir: string, cols: number): MemoryResult {
  const script = join(process.cwd(), "bench/forest/fit-child.ts");
  const r = spawnSync(process.execPath, ["--import", "tsx", script, dir, String(cols), String(nTrees), String(seed), "1", JSON.stringify(sentivecOptions)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`sentivec memory run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as MemoryResult;
}

/** Raw little-endian float32 rows and int32 labels: exactly the numbers our side trains on. */
function writeSet(dir: string, name: string, X: Matrix, y: Int32Array): void {
  writeFileSync(join(dir, `${name}.X.f32`), new Uint8Array(X.data.buffer, X.data.byteOffset, X.data.byteLength));
  writeFileSync(join(dir, `${name}.y.i32`), new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
}

function runEngine(set: BenchSet, options: Parameters<typeof createClassifier>[0], forestSeed = seed, repeats = predictRepeats): EngineResult {
  const extra = options?.engine === "sentivec" ? sentivecOptions : {};
  const model: Classifier = createClassifier({ ...options, ...extra, nEstimators: nTrees, seed: forestSeed, maxFeatures: "sqrt" });
  let t0 = performance.now();
  const c0 = process.cpuUsage();
  model.fit(set.train, set.yTrain);
  const fitS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const fitCpuS = (cpu.user + cpu.system) / 1e6;
  let proba: Float64Array[] = [];
  let predictS = Infinity;
  let predictCpuS = Infinity;
  for (let r = 0; r < repeats; r++) {
    t0 = performance.now();
    const p0 = process.cpuUsage();
    proba = model.predictProba(set.test);
    predictS = Math.min(predictS, (performance.now() - t0) / 1000);
    const pc = process.cpuUsage(p0);
    predictCpuS = Math.min(predictCpuS, (pc.user + pc.system) / 1e6);
  }
  let correct = 0;
  proba.forEach((p, i) => {
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
    if (best === set.yTest[i]) correct++;
  });
  return { fitS, fitCpuS, predictS, predictCpuS, accuracy: correct / set.yTest.length, bytes: model.serialize() };
}

function printTable(rows: string[][]): void {
  const head = [
    "set (train N×D)",
    "sklearn fit",
    "fit ratio nJobs 1 (cpu-time ratio)",
    "fit ratio nJobs 2",
    "predict ratio nJobs 1 (cpu) / nJobs 2",
    "accuracy % sklearn / sentivec (diff)",
    "peak RSS of a fit sklearn / sentivec",
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

function sd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

function pct(x: number): string {
  return (x * 100).toFixed(1);
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(0)} MB`;
}

function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
}

function signed(x: number): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;
}

function kb(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MB` : `${(bytes / 1024).toFixed(0)} KB`;
}

void main();
