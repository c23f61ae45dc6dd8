/**
 * Peak memory of `sentivec train --test-size 0` on a large text file against the size of its float32
 * feature matrix (rows × dims × 4 bytes), the figure issue 10 asks to keep within 2×.
 *
 *   npm run bench:memory -- [--rows 1000000] [--trees 2] [--max-depth 12] [--jobs 2] [--keep]
 *
 * Writes a headerless `sentence<TAB>label` file of unique random sentences to a temp folder (not
 * committed; --keep leaves it there), then runs the built CLI (dist/, so `npm run build` first) in a
 * child process with bench/memory/peak-rss.cjs preloaded, which reports the child's peak RSS at exit.
 * While it runs, the child's RSS is sampled from /proc every 100 ms and tagged with the stage the CLI
 * last reported on stderr, so the table shows where the peak is reached.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    // Few, shallow trees keep the run within minutes; the memory is in the data, the codes and the
    // per-thread tree buffers (sized by rows, not depth), not in the trees themselves.
    trees: { type: "string", default: "2" },
    "max-depth": { type: "string", default: "12" },
    jobs: { type: "string", default: "2" },
    keep: { type: "boolean", default: false },
  },
});
const ROWS = Number(values.rows);
const DIMS = 512; // the offline embedder's default
const dir = mkdtempSync(join(tmpdir(), "sentivec-bench-memory-"));
const file = join(dir, `reviews-${ROWS}.txt`);
const MB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

async function writeDataset(): Promise<void> {
  const positive = ["great", "love", "excellent", "happy", "perfect", "amazing", "good", "wonderful", "best", "nice"];
  const negative = ["bad", "awful", "terrible", "hate", "worst", "poor", "broken", "boring", "waste", "disappointing"];
  const filler = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`);
  let s = 12345;
  const rand = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const out = createWriteStream(file);
  for (let i = 0; i < ROWS; i++) {
    const label = i % 2;
    const words: string[] = [];
    const n = 6 + rand(10);
    for (let k = 0; k < n; k++) words.push(rand(4) === 0 ? (label ? positive : negative)[rand(10)] : filler[rand(filler.length)]);
    words.push(`r${i.toString(36)}`); // every text unique, so the loader drops no duplicates
    if (!out.write(`${words.join(" ")}\t${label}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const t0 = Date.now();
await writeDataset();
console.log(`dataset: ${ROWS} rows, ${MB(statSync(file).size)} on disk, written in ${((Date.now() - t0) / 1000).toFixed(1)} s (${file})`);

const peakFile = join(dir, "peak.json");
const args = [
  "--require", join(process.cwd(), "bench", "memory", "peak-rss.cjs"),
  join("dist", "cli", "main.js"), "train", file, "--test-size", "0", "--trees", values.trees, "--max-depth", values["max-depth"], "--jobs", values.jobs, "--out", join(dir, "model"),
];
console.log(`command: node ${args.join(" ")}`);
const child = spawn(process.execPath, args, { env: { ...process.env, SENTIVEC_BENCH_PEAK_FILE: peakFile }, stdio: ["ignore", "pipe", "pipe"] });
let stage = "start";
const stagePeak = new Map<string, { rss: number; from: number; to: number }>();
const start = Date.now();
let err = "";
child.stderr.on("data", (d: Buffer) => {
  err += d;
  const lines = String(d).split(/[\r\n]+/).map((l) => l.trim()).filter(Boolean);
  for (const l of lines) {
    if (/^Loaded/.test(l)) stage = "loaded";
    else if (/^Embedding/.test(l)) stage = "embed";
    else if (/^Training/.test(l)) stage = "fit";
  }
});
child.stdout.on("data", (d: Buffer) => {
  if (/Saved/.test(String(d))) stage = "saved";
});
const timer = setInterval(() => {
  const rss = rssOf(child.pid!);
  const now = (Date.now() - start) / 1000;
  const p = stagePeak.get(stage) ?? { rss: 0, from: now, to: now };
  p.rss = Math.max(p.rss, rss);
  p.to = now;
  stagePeak.set(stage, p);
}, 100);
const [code] = (await once(child, "exit")) as [number];
clearInterval(timer);
const seconds = (Date.now() - start) / 1000;
if (code !== 0) {
  console.error(err);
  throw new Error(`train exited with ${code}`);
}
const peak = JSON.parse(readFileSync(peakFile, "utf8")) as { maxRssBytes: number };
const matrix = ROWS * DIMS * 4;
console.log(`\ntrain --test-size 0 --trees ${values.trees} --max-depth ${values["max-depth"]} --jobs ${values.jobs}: ${seconds.toFixed(1)} s`);
console.log("| stage (from the CLI's stderr) | seconds | highest sampled RSS |");
console.log("| --- | --- | --- |");
for (const [name, p] of stagePeak) console.log(`| ${name} | ${p.from.toFixed(1)}–${p.to.toFixed(1)} | ${MB(p.rss)} |`);
console.log(`\nfeature matrix ${ROWS} × ${DIMS} float32: ${MB(matrix)}`);
console.log(`peak RSS (maxrss): ${MB(peak.maxRssBytes)} = ${(peak.maxRssBytes / matrix).toFixed(2)} × the matrix`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
