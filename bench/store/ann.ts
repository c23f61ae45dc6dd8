/**
 * Approximate (HNSW, usearch) search against the store's exact scan, in one run, on
 *   - SST-2's training texts embedded with the default offline embedder (a real embedding's structure),
 *     queried with SST-2 dev texts;
 *   - N random unit vectors of D dims (default 1,000,000 × 384), queried with fresh random unit vectors.
 * For each set: exact scan time and index search time (median of the queries, measured interleaved,
 * query by query), their ratio, recall@10 against the exact top 10, build time, index bytes per vector
 * (file size, and resident memory added by loading it), load time (checksum + usearch load), for
 * several ef values. An index search is what `store search --approx` runs: the graph's ef candidates,
 * re-scored exactly from the store's f32 vectors, best k kept (src/store/ann/approx-top-k.ts).
 *
 *   nice -n 5 npm run bench:store-ann -- [--rows 1000000] [--dims 384] [--queries 100]
 *       [--efs 16,32,64,128,256,512] [--connectivity 32] [--ef-construction 128] [--quantization f16]
 *       [--sets sst2,random] [--work DIR] [--reuse] [--out FILE.json] [--threads 1]
 *
 * --threads is the build's (default 1: a one-thread build makes the same graph every run, so reruns
 * compare; usearch's parallel build does not).
 *
 * --work keeps each built index (default: a folder under the OS temp dir); with --reuse a saved index
 * built with the same settings is loaded instead of rebuilt (its build time then comes from its .json).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadDataset } from "../../src/data/load-dataset.js";
import { DEFAULT_EMBEDDER_SPEC, createEmbedder } from "../../src/embed/create-embedder.js";
import { approxTopK } from "../../src/store/ann/approx-top-k.js";
import { type HnswParams, HnswIndex, type IndexQuantization } from "../../src/store/ann/hnsw-index.js";
import { VectorStore } from "../../src/store/vector-store.js";
import { unitVectors } from "./unit-vectors.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    dims: { type: "string", default: "384" },
    queries: { type: "string", default: "100" },
    efs: { type: "string", default: "16,32,64,128,256,512" },
    connectivity: { type: "string", default: "32" },
    "ef-construction": { type: "string", default: "128" },
    quantization: { type: "string", default: "f16" },
    sets: { type: "string", default: "sst2,random" },
    work: { type: "string", default: join(tmpdir(), "sentivec-ann-bench") },
    reuse: { type: "boolean", default: false },
    out: { type: "string" },
    threads: { type: "string", default: "1" },
  },
});
const N = Number(values.rows), D = Number(values.dims), Q = Number(values.queries), K = 10;
const EFS = values.efs!.split(",").map(Number);
const params: HnswParams = {
  connectivity: Number(values.connectivity),
  efConstruction: Number(values["ef-construction"]),
  efSearch: EFS[0],
  quantization: values.quantization as IndexQuantization,
};
const log = (s: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const now = (): number => performance.now();
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
mkdirSync(values.work!, { recursive: true });

interface SetData {
  name: string;
  store: VectorStore;
  queries: Float32Array[];
}

interface EfRow {
  ef: number;
  exactMs: number;
  approxMs: number;
  speedup: number;
  recallAt10: number;
  fallbacks: number;
}

interface SetResult {
  name: string;
  rows: number;
  dims: number;
  params: HnswParams;
  buildMs: number;
  built: boolean;
  fileBytesPerVector: number;
  rssBytesPerVector: number;
  verifyMs: number;
  loadMs: number;
  byEf: EfRow[];
  load: number[];
}

// ---- data ----
function storeOf(embedderId: string, dims: number, rows: number, vectorAt: (i: number) => Float32Array): VectorStore {
  const store = new VectorStore({ embedderId, dimensions: dims, initialCapacity: rows });
  const CHUNK = 50_000;
  for (let s = 0; s < rows; s += CHUNK) {
    const recs = [];
    for (let i = s; i < Math.min(rows, s + CHUNK); i++) recs.push({ id: `r${String(i).padStart(7, "0")}`, vector: vectorAt(i), label: i % 2 ? "a" : "b" });
    store.addMany(recs);
  }
  return store;
}

function randomSet(): SetData {
  log(`generating ${N} × ${D} random unit vectors...`);
  const data = unitVectors(N, D, 12345);
  const store = storeOf(`random@${D}`, D, N, (i) => data.subarray(i * D, (i + 1) * D));
  const qs = unitVectors(Q, D, 777);
  return { name: `random unit vectors, ${N.toLocaleString("en-US")} × ${D}`, store, queries: Array.from({ length: Q }, (_, i) => qs.subarray(i * D, (i + 1) * D)) };
}

async function sst2Set(): Promise<SetData> {
  const embedder = createEmbedder(DEFAULT_EMBEDDER_SPEC);
  const train = await loadDataset("datasets/sst2/train_full.tsv");
  const dev = await loadDataset("datasets/sst2/dev.tsv");
  log(`embedding ${train.items.length} SST-2 training texts and ${Q} dev texts with ${embedder.id}...`);
  // A text with no word the embedder knows embeds to zeros, which has no direction: a store refuses it.
  const nonZero = (v: Float32Array): boolean => v.some((x) => x !== 0);
  const vectors = (await embedder.embed(train.items.map((i) => i.text))).filter(nonZero);
  const queries = (await embedder.embed(dev.items.map((i) => i.text))).filter(nonZero).slice(0, Q);
  const store = storeOf(embedder.id, embedder.dimensions, vectors.length, (i) => vectors[i]);
  return { name: `SST-2 train texts, ${embedder.id} (${store.size.toLocaleString("en-US")} × ${embedder.dimensions}), dev queries`, store, queries };
}

// ---- measurement ----
function dot(a: Float32Array, b: Float32Array, off: number, dims: number): number {
  let s = 0;
  for (let j = 0; j < dims; j++) s += a[j] * b[off + j];
  return s;
}

function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

function measure(set: SetData, key: string): SetResult {
  const { store, queries } = set;
  const n = store.size, dims = store.dimensions;
  const X = store.toTrainingSet().X.data; // a view of the store's own buffer: what store.buildIndex indexes
  const ids = store.allIds();
  const file = join(values.work!, `${key}-${n}x${dims}-M${params.connectivity}-efc${params.efConstruction}-${params.quantization}.usearch`);
  const metaFile = `${file}.json`;
  let buildMs: number;
  let built = false;
  if (values.reuse && existsSync(file) && existsSync(metaFile)) {
    buildMs = (JSON.parse(readFileSync(metaFile, "utf8")) as { buildMs: number }).buildMs;
    log(`${key}: reusing ${file} (built in ${(buildMs / 1000).toFixed(1)} s)`);
  } else {
    log(`${key}: building HNSW over ${n} × ${dims} (M ${params.connectivity}, efConstruction ${params.efConstruction}, ${params.quantization}, ${values.threads} thread(s))...`);
    const t0 = now();
    let next = 0;
    const index = HnswIndex.build(X, n, dims, params, {
      threads: Number(values.threads),
      onProgress: (done, total) => {
        if (done >= next) {
          log(`  ${done}/${total} rows, ${((now() - t0) / 1000).toFixed(0)} s`);
          next = done + Math.max(20_000, total / 50);
        }
      },
    });
    buildMs = now() - t0;
    built = true;
    index.save(file);
    writeFileSync(metaFile, JSON.stringify({ buildMs, params, rows: n, dims, at: new Date().toISOString() }));
    log(`${key}: built in ${(buildMs / 1000).toFixed(1)} s`);
  }
  const fileBytes = statSync(file).size;
  // Load as the store does: checksum the file, then usearch reads it.
  const tv = now();
  sha256File(file);
  const verifyMs = now() - tv;
  const rss0 = process.memoryUsage().rss;
  const tl = now();
  const index = HnswIndex.load(file, dims, params);
  const loadMs = now() - tl;
  const rssBytes = process.memoryUsage().rss - rss0;
  log(`${key}: loaded in ${loadMs.toFixed(0)} ms (+ ${verifyMs.toFixed(0)} ms checksum)`);

  const before = (a: number, b: number): boolean => ids[a] < ids[b];
  const exactMs: number[] = [];
  const approxMs = EFS.map(() => [] as number[]);
  const recall = EFS.map(() => 0);
  const fallbacks = EFS.map(() => 0);
  for (const [qi, q] of queries.entries()) {
    // Interleaved: the exact scan and every ef run back to back on the same query, under the same load.
    const t = now();
    const exact = store.searchVector(q, K);
    exactMs.push(now() - t);
    const truth = new Set(exact.map((h) => h.id));
    EFS.forEach((ef, e) => {
      const ta = now();
      const got = approxTopK(index, q, { k: K, ef, size: n, score: (r) => dot(q, X, r * dims, dims), accept: null, before });
      approxMs[e].push(now() - ta);
      if (got === null) {
        fallbacks[e]++;
        recall[e] += 1;
      } else recall[e] += got.filter((h) => truth.has(ids[h.row])).length / K;
    });
    if (qi % 25 === 24) log(`${key}: ${qi + 1}/${queries.length} queries`);
  }
  const ex = median(exactMs);
  return {
    name: set.name,
    rows: n,
    dims,
    params,
    buildMs,
    built,
    fileBytesPerVector: fileBytes / n,
    rssBytesPerVector: rssBytes / n,
    verifyMs,
    loadMs,
    byEf: EFS.map((ef, e) => ({ ef, exactMs: ex, approxMs: median(approxMs[e]), speedup: ex / median(approxMs[e]), recallAt10: recall[e] / queries.length, fallbacks: fallbacks[e] })),
    load: loadavg(),
  };
}

function table(r: SetResult): string {
  const lines = [
    `### ${r.name}`,
    "",
    `HNSW M ${r.params.connectivity}, efConstruction ${r.params.efConstruction}, ${r.params.quantization}; build ${(r.buildMs / 1000).toFixed(1)} s${r.built ? "" : " (reused index, time from its build)"}; ` +
      `index file ${r.fileBytesPerVector.toFixed(0)} B/vector, resident after load +${r.rssBytesPerVector.toFixed(0)} B/vector (the store's own f32 vectors: ${4 * r.dims} B/vector); ` +
      `load ${r.loadMs.toFixed(0)} ms + checksum ${r.verifyMs.toFixed(0)} ms; load average ${r.load.map((x) => x.toFixed(1)).join(" ")}`,
    "",
    "| ef | exact scan ms (median) | index search ms (median) | speed-up | recall@10 |",
    "|---:|---:|---:|---:|---:|",
    ...r.byEf.map((e) => `| ${e.ef} | ${e.exactMs.toFixed(2)} | ${e.approxMs.toFixed(3)} | ${e.speedup.toFixed(1)}× | ${e.recallAt10.toFixed(3)}${e.fallbacks ? ` (${e.fallbacks} exact fallbacks)` : ""} |`),
    "",
  ];
  return lines.join("\n");
}

const results: SetResult[] = [];
log(`node ${process.version}, ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}; queries ${Q}, k ${K}, efs ${EFS.join(",")}`);
for (const set of values.sets!.split(",")) {
  const data = set === "sst2" ? await sst2Set() : set === "random" ? randomSet() : undefined;
  if (!data) throw new Error(`unknown set ${set} (sst2, random)`);
  const r = measure(data, set);
  results.push(r);
  process.stdout.write(`${table(r)}\n`);
  if (values.out) writeFileSync(values.out, JSON.stringify({ at: new Date().toISOString(), node: process.version, queries: Q, k: K, results }, null, 2));
}
