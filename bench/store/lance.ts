/**
 * LanceDB beside the in-memory store (issue 15, "Past one machine's memory"): N × D seeded random unit
 * vectors, the same rows in a VectorStore and in a lance: collection, and per query, in one interleaved
 * loop: the in-memory exact scan (the recall reference), LanceDB's exact scan (its index bypassed, on
 * the first --flat-queries queries: it reads every row from disk) and LanceDB's IVF_PQ index search at
 * each --refine factor. Reports median latency, recall@10 against the exact top 10, ingest and index
 * build time, and the bytes on disk.
 *
 *   nice -n 5 npm run bench:store-lance -- --rows 1000000
 *
 * Writes a markdown table to stdout and the figures as JSON to bench/out/store-lance.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openCollection } from "../../src/store/collection/open-collection.js";
import { INDEX_MIN_ROWS, probesFor } from "../../src/store/lance/lance-index.js";
import type { LanceCollection } from "../../src/store/lance/lance-collection.js";
import { VectorStore } from "../../src/store/vector-store.js";
import { unitVectors } from "./unit-vectors.js";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    dims: { type: "string", default: "384" },
    queries: { type: "string", default: "100" },
    "flat-queries": { type: "string", default: "20" },
    /** fraction-of-partitions:refineFactor pairs. */
    configs: { type: "string", default: "0.0625:10,0.25:10,0.5:10,1:10,0.25:50,1:50" },
    "sub-vectors": { type: "string" },
    dir: { type: "string" },
    "no-index": { type: "boolean", default: false },
    /** With --dir: keep the rows an earlier run ingested there (the same seed gives the same rows). */
    reuse: { type: "boolean", default: false },
  },
});
const N = Number(args.rows), D = Number(args.dims), Q = Number(args.queries), FLAT_Q = Math.min(Q, Number(args["flat-queries"]));
const CONFIGS = args.configs!.split(",").map((c) => c.split(":").map(Number) as [number, number]);
const K = 10;
const CHUNK = 100_000;
const log = (s: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const now = (): number => performance.now();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return total;
}
const records = (source: Float32Array, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ id: `r${from + i}`, vector: source.subarray((from + i) * D, (from + i + 1) * D) }));

const started = new Date().toISOString();
const loadBefore = loadavg().map((x) => x.toFixed(2)).join(" ");
log(`generating ${N} × ${D} unit vectors and ${Q} queries... (load ${loadBefore})`);
const source = unitVectors(N, D, 12345);
const queries = unitVectors(Q, D, 777);
const query = (i: number) => queries.subarray(i * D, (i + 1) * D);

log("in-memory VectorStore: adding rows...");
let t = now();
const memory = new VectorStore({ embedderId: "bench:random@" + D, dimensions: D, initialCapacity: N });
for (let i = 0; i < N; i += CHUNK) memory.addMany(records(source, i, Math.min(N, i + CHUNK)));
const memoryIngestS = (now() - t) / 1000;

const dir = args.dir ?? mkdtempSync(join(tmpdir(), "sentivec-bench-lance-"));
const lance = (await openCollection(`lance:${dir}`, { create: { embedderId: "bench:random@" + D, dimensions: D } })) as LanceCollection;
let lanceIngestS: number | null = null;
if (args.reuse && (await lance.count()) === N) log(`LanceDB: reusing the ${N} rows already in ${dir} (--reuse)`);
else {
  log(`LanceDB: ingesting into ${dir} in commits of ${CHUNK} rows...`);
  t = now();
  for (let i = 0; i < N; i += CHUNK) await lance.addMany(records(source, i, Math.min(N, i + CHUNK)));
  lanceIngestS = (now() - t) / 1000;
}
const dataBytes = folderBytes(join(dir, "rows.lance"));
log(`${lanceIngestS === null ? "reused" : `ingested in ${lanceIngestS.toFixed(1)} s`}, ${(dataBytes / 1e6).toFixed(0)} MB on disk`);

interface Method {
  name: string;
  queries: number;
  run: (q: Float32Array) => Promise<string[]>;
  times: number[];
  recall: number[];
}
const reference: Method = { name: "in-memory VectorStore, exact scan (reference)", queries: Q, run: async (q) => memory.searchVector(q, K).map((h) => h.id), times: [], recall: [] };
const truth: Set<string>[] = [];

/** Runs the methods query by query, interleaved (the same load for each); the reference's top 10 is the truth. */
async function measure(methods: Method[]): Promise<void> {
  for (const m of methods) await m.run(query(0)); // warm-up (opens files, loads the index), not timed
  for (let i = 0; i < Q; i++) {
    for (const m of methods) {
      if (i >= m.queries) continue;
      const a = now();
      const ids = await m.run(query(i));
      m.times.push(now() - a);
      if (m === reference) truth[i] = new Set(ids);
      m.recall.push(ids.filter((id) => truth[i].has(id)).length / K);
    }
    if (i % 20 === 19) log(`  ${i + 1} queries`);
  }
}

const methods: Method[] = [reference, { name: "LanceDB, exact scan (no index)", queries: FLAT_Q, run: async (q) => (await lance.searchVector(q, K, { tuning: { exact: true } })).map((h) => h.id), times: [], recall: [] }];
log(`searching without an index: ${Q} queries (${FLAT_Q} for LanceDB's exact scan), interleaved...`);
await measure(methods);
const summary = () => {
  const exactMs = median(reference.times);
  return methods.map((m) => ({ method: m.name, queries: m.times.length, medianMs: median(m.times), recallAt10: m.recall.reduce((a, b) => a + b, 0) / m.recall.length, speedupVsMemoryExact: exactMs / median(m.times) }));
};
const result: Record<string, unknown> = { started, node: process.version, rows: N, dims: D, k: K, loadBefore, memoryIngestS, lanceIngestS, dataBytes };
const save = () => {
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/store-lance.json", JSON.stringify({ ...result, methods: summary(), loadNow: loadavg().map((x) => x.toFixed(2)).join(" ") }, null, 2) + "\n");
};
save();
for (const r of summary()) log(`  ${r.method}: ${r.medianMs.toFixed(1)} ms, recall ${r.recallAt10.toFixed(3)}`);

let index: Awaited<ReturnType<LanceCollection["buildIndex"]>> | undefined;
let indexBytes = 0;
if (!args["no-index"]) {
  log(`LanceDB: building the IVF_PQ index (${N < INDEX_MIN_ROWS ? "forced: below the row threshold" : "over every row"})... (load ${loadavg()[0].toFixed(2)})`);
  index = await lance.buildIndex({ force: true, ...(args["sub-vectors"] ? { subVectors: Number(args["sub-vectors"]) } : {}) });
  indexBytes = folderBytes(join(dir, "rows.lance")) - dataBytes;
  Object.assign(result, { index, indexBytes });
  log(`index built in ${index.seconds!.toFixed(1)} s (${index.partitions} partitions), ${(indexBytes / 1e6).toFixed(0)} MB`);
  const indexed = CONFIGS.map(([fraction, rf]): Method => {
    const nprobes = probesFor(N, fraction);
    return {
      name: `LanceDB IVF_PQ (${index!.subVectors ?? "default"} sub-vectors), nprobes ${nprobes} of ${index!.partitions}${rf > 1 ? `, refineFactor ${rf}` : ", no refine"}`,
      queries: Q,
      run: async (q) => (await lance.searchVector(q, K, { tuning: { nprobes, ...(rf > 1 ? { refineFactor: rf } : {}) } })).map((h) => h.id),
      times: [],
      recall: [],
    };
  });
  // The reference runs again beside them, so their ratios are under the same load.
  reference.times = [];
  reference.recall = [];
  methods.push(...indexed);
  log(`searching with the index: ${Q} queries, interleaved with the in-memory scan...`);
  await measure([reference, ...indexed]);
  save();
}
lance.close();
if (!args.dir) rmSync(dir, { recursive: true, force: true });
const rows = summary();
result.loadAfter = loadavg().map((x) => x.toFixed(2)).join(" ");

const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
console.log(`${N} × ${D} random unit vectors, top-${K}; ${started}; node ${process.version}; load average before ${loadBefore}, after ${result.loadAfter}\n`);
console.log("(The in-memory reference row is from the run beside the index searches when there is one; LanceDB's exact scan ran beside an earlier pass of it.)\n");
console.log("| method | queries | median ms / query | × in-memory exact | recall@10 |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.method} | ${r.queries} | ${r.medianMs.toFixed(1)} | ${r.speedupVsMemoryExact.toFixed(2)} | ${r.recallAt10.toFixed(3)} |`);
console.log(`\n- Ingest: in-memory ${memoryIngestS.toFixed(1)} s; LanceDB ${lanceIngestS === null ? "not measured (rows reused, --reuse)" : `${lanceIngestS.toFixed(1)} s (${Math.ceil(N / CHUNK)} commits of ≤ ${CHUNK} rows)`}.`);
console.log(`- LanceDB on disk: ${mb(dataBytes)} of rows (${(dataBytes / N).toFixed(0)} B/row; the raw vectors are ${D * 4} B/row)${index ? `, ${mb(indexBytes)} of IVF_PQ index (${index.partitions} partitions, built in ${index.seconds!.toFixed(1)} s)` : "; no index built (--no-index)"}.`);
