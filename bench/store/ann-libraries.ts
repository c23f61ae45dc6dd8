/**
 * usearch against hnswlib-node, the two HNSW libraries issue 15 names, on one set in one run: SST-2's
 * training texts embedded with the default offline embedder, queried with SST-2 dev texts. Both build
 * with the same M and efConstruction on one thread, and both are used as sentivec uses an index: ask
 * for ef candidates, re-score them exactly from the f32 vectors, keep the top 10. Reports build time,
 * index file bytes per vector, and per ef the median query time and recall@10 against the exact scan.
 *
 * hnswlib-node is not a dependency of sentivec: install it anywhere and point at it, e.g.
 *   mkdir /tmp/hnswlib && cd /tmp/hnswlib && npm init -y && npm install hnswlib-node@3.0.0
 *   nice -n 5 npx tsx bench/store/ann-libraries.ts --hnswlib-dir /tmp/hnswlib [--connectivity 16]
 *       [--ef-construction 64] [--efs 16,32,64,128,256] [--queries 100]
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadDataset } from "../../src/data/load-dataset.js";
import { DEFAULT_EMBEDDER_SPEC, createEmbedder } from "../../src/embed/create-embedder.js";
import { HnswIndex, type IndexQuantization } from "../../src/store/ann/hnsw-index.js";
import { TopK } from "../../src/store/top-k.js";
import { VectorStore } from "../../src/store/vector-store.js";

const { values } = parseArgs({
  options: {
    "hnswlib-dir": { type: "string" },
    connectivity: { type: "string", default: "16" },
    "ef-construction": { type: "string", default: "64" },
    efs: { type: "string", default: "16,32,64,128,256" },
    queries: { type: "string", default: "100" },
  },
});
if (!values["hnswlib-dir"]) throw new Error("--hnswlib-dir DIR: a folder where hnswlib-node is installed (see the header)");
const M = Number(values.connectivity), EFC = Number(values["ef-construction"]), Q = Number(values.queries), K = 10;
const EFS = values.efs!.split(",").map(Number);
const log = (s: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const now = (): number => performance.now();
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface HnswlibIndex {
  initIndex(maxElements: number, m: number, efConstruction: number, randomSeed: number): void;
  addPoint(point: number[], label: number): void;
  setEf(ef: number): void;
  searchKnn(query: number[], k: number): { neighbors: number[]; distances: number[] };
  writeIndexSync(path: string): void;
}
const hnswlib = createRequire(join(values["hnswlib-dir"], "package.json"))("hnswlib-node") as { HierarchicalNSW: new (space: "ip", dims: number) => HnswlibIndex };
const hnswlibVersion = (createRequire(join(values["hnswlib-dir"], "package.json"))("hnswlib-node/package.json") as { version: string }).version;

// ---- the set ----
const embedder = createEmbedder(DEFAULT_EMBEDDER_SPEC);
const train = await loadDataset("datasets/sst2/train_full.tsv");
const dev = await loadDataset("datasets/sst2/dev.tsv");
const nonZero = (v: Float32Array): boolean => v.some((x) => x !== 0);
const vectors = (await embedder.embed(train.items.map((i) => i.text))).filter(nonZero);
const queries = (await embedder.embed(dev.items.map((i) => i.text))).filter(nonZero).slice(0, Q);
const store = new VectorStore({ embedderId: embedder.id, dimensions: embedder.dimensions, initialCapacity: vectors.length });
store.addMany(vectors.map((vector, i) => ({ id: `r${String(i).padStart(6, "0")}`, vector, label: "x" })));
const X = store.toTrainingSet().X.data;
const n = store.size, D = store.dimensions;
const ids = store.allIds();
const unitQueries = queries.map((q) => {
  const norm = Math.hypot(...q);
  return q.map((x) => x / norm);
});
log(`node ${process.version}, ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}; ${n} × ${D} (${embedder.id}), ${queries.length} queries, M ${M}, efConstruction ${EFC}`);

const dot = (q: Float32Array, row: number): number => {
  let s = 0;
  for (let j = 0; j < D; j++) s += q[j] * X[row * D + j];
  return s;
};
const rerank = (q: Float32Array, rows: ArrayLike<number>): number[] => {
  const top = new TopK(K, (a, b) => ids[a] < ids[b]);
  for (let i = 0; i < rows.length; i++) top.push(dot(q, rows[i]), rows[i]);
  return top.drain().map((h) => h.row);
};
const truth = unitQueries.map((q) => new Set(store.searchVector(q, K, { approx: false }).map((h) => h.id)));

interface Contender {
  name: string;
  buildMs: number;
  bytes: number;
  candidates: (q: Float32Array, ef: number) => ArrayLike<number>;
}

function usearch(quantization: IndexQuantization): Contender {
  log(`usearch ${quantization}: building...`);
  const t = now();
  const index = HnswIndex.build(X, n, D, { connectivity: M, efConstruction: EFC, efSearch: 16, quantization }, { threads: 1 });
  const buildMs = now() - t;
  const file = join(tmpdir(), `sentivec-ann-libs-usearch-${quantization}-${process.pid}.usearch`);
  index.save(file);
  return { name: `usearch 2.25.3, ${quantization}`, buildMs, bytes: statSync(file).size, candidates: (q, ef) => index.candidates(q, ef) };
}

function hnswlibNode(): Contender {
  log("hnswlib-node: building...");
  const t = now();
  const index = new hnswlib.HierarchicalNSW("ip", D);
  index.initIndex(n, M, EFC, 100);
  for (let r = 0; r < n; r++) index.addPoint(Array.from(X.subarray(r * D, (r + 1) * D)), r);
  const buildMs = now() - t;
  const file = join(tmpdir(), `sentivec-ann-libs-hnswlib-${process.pid}.bin`);
  index.writeIndexSync(file);
  return {
    name: `hnswlib-node ${hnswlibVersion}, f32`,
    buildMs,
    bytes: statSync(file).size,
    candidates: (q, ef) => {
      index.setEf(ef);
      return index.searchKnn(Array.from(q), ef).neighbors;
    },
  };
}

const contenders = [usearch("f16"), usearch("f32"), hnswlibNode()];
const times = contenders.map(() => EFS.map(() => [] as number[]));
const recall = contenders.map(() => EFS.map(() => 0));
for (const [qi, q] of unitQueries.entries()) {
  // Interleaved query by query, so each library meets the same load.
  contenders.forEach((c, ci) => {
    EFS.forEach((ef, e) => {
      const t = now();
      const rows = rerank(q, c.candidates(q, ef));
      times[ci][e].push(now() - t);
      recall[ci][e] += rows.filter((r) => truth[qi].has(ids[r])).length / K / unitQueries.length;
    });
  });
}

const out = [
  `${n.toLocaleString("en-US")} × ${D} SST-2 train vectors (${embedder.id}), ${unitQueries.length} dev queries, M ${M}, efConstruction ${EFC}, one build thread; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(" ")}`,
  "",
  `| library | build s | index B/vector | ${EFS.map((ef) => `ef ${ef}: ms, recall@10`).join(" | ")} |`,
  `|---|---:|---:|${EFS.map(() => "---:").join("|")}|`,
  ...contenders.map((c, ci) => `| ${c.name} | ${(c.buildMs / 1000).toFixed(1)} | ${(c.bytes / n).toFixed(0)} | ${EFS.map((_, e) => `${median(times[ci][e]).toFixed(3)}, ${recall[ci][e].toFixed(3)}`).join(" | ")} |`),
];
process.stdout.write(`${out.join("\n")}\n`);
