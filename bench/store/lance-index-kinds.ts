/**
 * Which LanceDB index kind and metric find the true top 10 on random unit vectors (a small trial that
 * chose what bench/store/lance.ts measures at a million rows): N × D seeded vectors in a lance:
 * collection, each index kind built in turn over 4 partitions, 20 queries at several search settings,
 * recall@10 against the exact top 10 (LanceDB's own exact scan).
 *
 *   nice -n 5 npx tsx bench/store/lance-index-kinds.ts [--rows 20000] [--dims 384]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openCollection } from "../../src/store/collection/open-collection.js";
import { lanceModules } from "../../src/store/lance/lance-modules.js";
import { unitVectors } from "./unit-vectors.js";

const { values: args } = parseArgs({ options: { rows: { type: "string", default: "20000" }, dims: { type: "string", default: "384" }, queries: { type: "string", default: "20" } } });
const N = Number(args.rows), D = Number(args.dims), Q = Number(args.queries), K = 10, P = 4;
const dir = mkdtempSync(join(tmpdir(), "sentivec-lance-kinds-"));
const source = unitVectors(N, D, 12345), queries = unitVectors(Q, D, 777);
const c = await openCollection(`lance:${dir}`, { create: { embedderId: `bench:random@${D}`, dimensions: D } });
await c.addMany(Array.from({ length: N }, (_, i) => ({ id: `r${i}`, vector: source.subarray(i * D, (i + 1) * D) })));
const truth: Set<string>[] = [];
for (let i = 0; i < Q; i++) truth.push(new Set((await c.searchVector(queries.subarray(i * D, (i + 1) * D), K)).map((h) => h.id)));
c.close();

const { lancedb } = lanceModules();
const db = await lancedb.connect(dir);
const table = await db.openTable("rows");
type Metric = "l2" | "dot";
const kinds: [string, Metric, ReturnType<typeof lancedb.Index.ivfPq>][] = [
  ["IVF_HNSW_SQ, l2", "l2", lancedb.Index.hnswSq({ distanceType: "l2", numPartitions: P })],
  ["IVF_HNSW_SQ, dot", "dot", lancedb.Index.hnswSq({ distanceType: "dot", numPartitions: P })],
  ["IVF_PQ, 96 sub-vectors, dot", "dot", lancedb.Index.ivfPq({ distanceType: "dot", numPartitions: P, numSubVectors: 96 })],
];
console.log(`${N} × ${D} random unit vectors, ${P} partitions, ${Q} queries, top-${K}; ${new Date().toISOString()}\n`);
console.log("| index | build s | nprobes | refineFactor | median ms | recall@10 |\n|---|---:|---:|---:|---:|---:|");
for (const [name, metric, config] of kinds) {
  const started = performance.now();
  await table.createIndex("vector", { config, replace: true });
  const buildS = (performance.now() - started) / 1000;
  for (const [nprobes, refine] of [[P, 0], [P, 10], [P / 2, 10]]) {
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < Q; i++) {
      let search = table.vectorSearch(queries.subarray(i * D, (i + 1) * D)).distanceType(metric).limit(K).select(["id", "_distance"]).nprobes(nprobes);
      if (refine) search = search.refineFactor(refine);
      const a = performance.now();
      const hits = (await search.toArray()) as { id: string }[];
      times.push(performance.now() - a);
      found += hits.filter((h) => truth[i].has(h.id)).length;
    }
    times.sort((a, b) => a - b);
    console.log(`| ${name} | ${buildS.toFixed(1)} | ${nprobes} | ${refine || "none"} | ${times[Q >> 1].toFixed(1)} | ${(found / (Q * K)).toFixed(3)} |`);
  }
}
db.close();
rmSync(dir, { recursive: true, force: true });
