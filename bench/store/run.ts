/**
 * Vector store benchmark: exact top-10 search over 100k random unit vectors of 1536 dims, measured side
 * by side in one run against
 *   - a plain number[][] loop as users write it (cosine per row, sort, slice),
 *   - ml-matrix's matrix-vector product (then a sort for the top 10),
 *   - the memory floor: one sequential pass summing the same floats (JS, and WebAssembly SIMD),
 * plus build time, bytes per vector, and save/load time. Prints a markdown table of medians and ratios;
 * absolute times on a shared 2-core machine mean little, ratios measured in the same run do.
 *
 *   NODE_OPTIONS=--max-old-space-size=8192 npx tsx bench/store/run.ts [--rows 100000] [--dims 1536]
 *       [--queries 100] [--slow-queries 20]
 *
 * Needs ~6 GB of RAM at the default size (the number[][] and ml-matrix copies are float64).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { Matrix as MlMatrix } from "ml-matrix";
import { VectorStore, type VectorRecord } from "../../src/store/vector-store.js";
import { createSimdSum } from "./simd-sum.js";
import { unitVectors } from "./unit-vectors.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "100000" },
    dims: { type: "string", default: "1536" },
    queries: { type: "string", default: "100" },
    "slow-queries": { type: "string", default: "20" },
  },
});
const N = Number(values.rows), D = Number(values.dims), Q = Number(values.queries), QSLOW = Math.min(Q, Number(values["slow-queries"]));
const K = 10;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const heapUsed = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const now = (): number => performance.now();
const log = (s: string): void => void process.stderr.write(`${s}\n`);

// ---- data: N seeded random unit vectors ----

log(`generating ${N} × ${D} unit vectors...`);
const source = unitVectors(N, D, 12345);
const queries = unitVectors(Q, D, 777);
const query = (i: number): Float32Array => queries.subarray(i * D, (i + 1) * D);
const ids = Array.from({ length: N }, (_, i) => `doc-${String(i).padStart(6, "0")}`);
const labels = ["negative", "positive"];
const records = (): VectorRecord[] => ids.map((id, i) => ({ id, vector: source.subarray(i * D, (i + 1) * D), label: labels[i % 2] }));

// ---- builds ----
interface Row { method: string; buildMs?: number; bytesPerVector?: number; note?: string; times: number[] }
const rows: Row[] = [];

log("building VectorStore (addMany)...");
let recs = records();
let h0 = heapUsed();
let t0 = now();
const store = new VectorStore({ embedderId: "bench:random@" + D, dimensions: D });
store.addMany(recs);
const storeBuild = now() - t0;
// Heap the store added per row: its id/label/metadata arrays and id → row map (the id strings
// themselves are shared with the caller's, as they would be in real use).
const storeMeta = heapUsed() - h0;
recs = [];
const storeBytes = (store.capacity * D * 4 + Math.max(0, storeMeta)) / N;
log(`  ${storeBuild.toFixed(0)} ms, capacity ${store.capacity}, metadata heap ${(storeMeta / N).toFixed(0)} B/row, kernel ${store.info().kernel}`);

log("building VectorStore one add() at a time (growth by doubling)...");
t0 = now();
let grown: VectorStore | null = new VectorStore({ embedderId: "bench:random@" + D, dimensions: D });
for (let i = 0; i < N; i++) grown.add({ id: ids[i], vector: source.subarray(i * D, (i + 1) * D), label: labels[i % 2] });
const grownBuild = now() - t0;
const grownCapacity = grown.capacity;
grown = null;

log("building VectorStore with the JS kernel (simd: false)...");
const jsStore = new VectorStore({ embedderId: "bench:random@" + D, dimensions: D, simd: false });
jsStore.addMany(records());

log("building number[][]...");
h0 = heapUsed();
t0 = now();
let arrays: number[][] = new Array(N);
for (let i = 0; i < N; i++) arrays[i] = Array.from(source.subarray(i * D, (i + 1) * D));
const arraysBuild = now() - t0;
const arraysBytes = (heapUsed() - h0) / N;

log("building ml-matrix Matrix...");
const ab0 = process.memoryUsage().arrayBuffers;
t0 = now();
let ml: MlMatrix | null = new MlMatrix(arrays);
const mlBuild = now() - t0;
const mlBytes = (process.memoryUsage().arrayBuffers - ab0) / N;

log("copying into the SIMD floor's memory...");
const floor = createSimdSum(N * D);
floor.data.set(source);
const X = store.toTrainingSet().X.data; // the store's own buffer, for the JS floor passes

// ---- the contenders, each given query index qi ----
function floorJs(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
function floorJs4(a: Float32Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = a.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[i];
    s1 += a[i + 1];
    s2 += a[i + 2];
    s3 += a[i + 3];
  }
  for (; i < n; i++) s0 += a[i];
  return s0 + s1 + s2 + s3;
}
/** How people write it: cosine per row, map to objects, sort all, take the top. */
function cosineSimilarity(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}
function searchArrays(q: number[]): string[] {
  return arrays
    .map((v, i) => ({ id: ids[i], score: cosineSimilarity(q, v) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, K)
    .map((r) => r.id);
}
function searchMl(q: number[]): string[] {
  const scores = ml!.mmul(MlMatrix.columnVector(q)).getColumn(0);
  return scores
    .map((score, i) => ({ id: ids[i], score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, K)
    .map((r) => r.id);
}

let sink = 0;
const contenders: { name: string; slow?: boolean; run: (qi: number) => unknown }[] = [
  { name: "memory floor: WebAssembly SIMD sum pass", run: () => (sink += floor.sum()) },
  { name: "memory floor: JS sum pass, 4 accumulators", run: () => (sink += floorJs4(X)) },
  { name: "memory floor: JS sum pass, plain loop", run: () => (sink += floorJs(X)) },
  { name: "VectorStore.searchVector (WASM SIMD kernel)", run: (qi) => store.searchVector(query(qi), K) },
  { name: "VectorStore.searchVector (JS kernel, simd: false)", run: (qi) => jsStore.searchVector(query(qi), K) },
  { name: "number[][] cosine + sort (as users write it)", slow: true, run: (qi) => searchArrays(Array.from(query(qi))) },
  { name: "ml-matrix mmul + sort", slow: true, run: (qi) => searchMl(Array.from(query(qi))) },
];
const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));

// Warm-up, and a correctness check: every exact method agrees on the top 10.
let agree = 0;
for (let qi = 0; qi < Math.min(3, Q); qi++) {
  const a = store.searchVector(query(qi), K).map((h) => h.id);
  const b = jsStore.searchVector(query(qi), K).map((h) => h.id);
  const c = searchArrays(Array.from(query(qi)));
  const d = searchMl(Array.from(query(qi)));
  if ([b, c, d].every((x) => x.join() === a.join())) agree++;
  for (const ct of contenders) if (!ct.slow) ct.run(qi);
}

log(`searching: ${Q} queries (${QSLOW} for the number[][] and ml-matrix baselines), round-robin...`);
for (let qi = 0; qi < Q; qi++) {
  for (const c of contenders) {
    if (c.slow && qi >= QSLOW) continue;
    const t = now();
    c.run(qi);
    times.get(c.name)!.push(now() - t);
  }
  if (qi % 10 === 9) log(`  ${qi + 1}/${Q}`);
}

// ---- persistence ----
log("save / load...");
const dir = mkdtempSync(join(tmpdir(), "sentivec-store-bench-"));
t0 = now();
const saved = store.save(dir);
const saveMs = now() - t0;
const loadTimes: number[] = [], loadSyncTimes: number[] = [], loadNoVerifyTimes: number[] = [];
let loadedOk = true;
const same = (a: VectorStore): boolean =>
  a.searchVector(query(0), K).map((h) => `${h.id}:${h.score}`).join() === store.searchVector(query(0), K).map((h) => `${h.id}:${h.score}`).join();
for (let i = 0; i < 5; i++) {
  gc();
  t0 = now();
  const loaded = await VectorStore.load(dir);
  loadTimes.push(now() - t0);
  loadedOk &&= same(loaded);
  gc();
  t0 = now();
  loadedOk &&= same(VectorStore.loadSync(dir));
  loadSyncTimes.push(now() - t0);
  gc();
  t0 = now();
  await VectorStore.load(dir, { verify: false });
  loadNoVerifyTimes.push(now() - t0);
}
rmSync(dir, { recursive: true, force: true });

// ---- report ----
const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const med = (name: string): number => median(times.get(name)!);
const floorSimd = med(contenders[0].name), floorJs4Ms = med(contenders[1].name), floorJsMs = med(contenders[2].name);
const storeMs = med(contenders[3].name);
const out: string[] = [];
out.push(`${N} × ${D} unit vectors, top-${K}, median of ${Q} queries (${QSLOW} for the two slow baselines); node ${process.version}; ${new Date().toISOString()}`);
out.push("");
out.push("| method | median ms / query | ÷ SIMD floor | ÷ JS floor (4 acc.) | ÷ JS floor (plain) | ÷ VectorStore (SIMD) |");
out.push("|---|---:|---:|---:|---:|---:|");
for (const c of contenders) {
  const m = med(c.name);
  out.push(`| ${c.name} | ${m.toFixed(1)} | ${(m / floorSimd).toFixed(2)} | ${(m / floorJs4Ms).toFixed(2)} | ${(m / floorJsMs).toFixed(2)} | ${(m / storeMs).toFixed(1)} |`);
}
out.push("");
out.push(`Top-10 agreement (VectorStore SIMD vs JS kernel vs number[][] vs ml-matrix): ${agree}/${Math.min(3, Q)} queries identical.`);
out.push("");
out.push("| build / memory | build ms | bytes per vector | ÷ (4 × dims) |");
out.push("|---|---:|---:|---:|");
const mem = (b: number): string => `${b.toFixed(0)} | ${(b / (4 * D)).toFixed(3)}`;
out.push(`| VectorStore.addMany (vectors + ids/labels) | ${storeBuild.toFixed(0)} | ${mem(storeBytes)} |`);
out.push(`| VectorStore.addMany, vectors only (capacity ${store.capacity}) | | ${mem((store.capacity * D * 4) / N)} |`);
out.push(`| VectorStore.add one at a time (doubling, capacity ${grownCapacity}) | ${grownBuild.toFixed(0)} | ${mem((grownCapacity * D * 4) / N)} |`);
out.push(`| number[][] (Array.from per row) | ${arraysBuild.toFixed(0)} | ${mem(arraysBytes)} |`);
out.push(`| ml-matrix Matrix (from number[][]) | ${mlBuild.toFixed(0)} | ${mem(mlBytes)} |`);
out.push("");
out.push("| persistence | ms |");
out.push("|---|---:|");
out.push(`| save (${(saved.bytes / 1e6).toFixed(0)} MB vectors + manifest, fsync) | ${saveMs.toFixed(0)} |`);
out.push(`| await VectorStore.load, sha256 verified, read and hash overlapped (median of 5, warm page cache) | ${median(loadTimes).toFixed(0)} |`);
out.push(`| VectorStore.loadSync, sha256 verified (median of 5) | ${median(loadSyncTimes).toFixed(0)} |`);
out.push(`| await VectorStore.load, verify: false (median of 5) | ${median(loadNoVerifyTimes).toFixed(0)} |`);
out.push(`| loaded store returns identical results | ${loadedOk ? "yes" : "NO"} |`);
process.stdout.write(out.join("\n") + "\n");
if (sink === 12345.678) log("");
arrays = [];
ml = null;
