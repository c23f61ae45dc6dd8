/**
 * Load time of a saved 100k × 1536 store on its own, in a fresh process (run.ts measures it after
 * ~6 GB of other allocations). Saves a store of random unit vectors to a temp dir, then loads it
 * `--runs` times each way: async and sync, with and without the sha256 check.
 *
 *   npx tsx bench/store/load.ts [--rows 100000] [--dims 1536] [--runs 6]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { VectorStore } from "../../src/store/vector-store.js";

const { values } = parseArgs({ options: { rows: { type: "string", default: "100000" }, dims: { type: "string", default: "1536" }, runs: { type: "string", default: "6" } } });
const N = Number(values.rows), D = Number(values.dims), RUNS = Number(values.runs);

const dir = mkdtempSync(join(tmpdir(), "sentivec-store-load-"));
{
  const store = new VectorStore({ embedderId: `bench:random@${D}`, dimensions: D, initialCapacity: N });
  const v = new Float32Array(D);
  let s = 1;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < D; j++) {
      s = (Math.imul(s, 1664525) + 1013904223) | 0;
      v[j] = s / 2147483648;
    }
    store.add({ id: `doc-${String(i).padStart(6, "0")}`, vector: v, label: i % 2 ? "positive" : "negative" });
  }
  store.save(dir);
}

const ways: [string, () => unknown][] = [
  ["await VectorStore.load(dir)  (sha256 verified)", () => VectorStore.load(dir)],
  ["VectorStore.loadSync(dir)  (sha256 verified)", () => VectorStore.loadSync(dir)],
  ["await VectorStore.load(dir, { verify: false })", () => VectorStore.load(dir, { verify: false })],
  ["VectorStore.loadSync(dir, { verify: false })", () => VectorStore.loadSync(dir, { verify: false })],
];
const times = ways.map(() => [] as number[]);
for (let r = 0; r < RUNS; r++) {
  for (let w = 0; w < ways.length; w++) {
    const t = performance.now();
    await ways[w][1]();
    times[w].push(performance.now() - t);
  }
}
rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${N} × ${D}, ${RUNS} runs each, interleaved; node ${process.version}`);
console.log("");
console.log("| load | median ms | runs (ms) |");
console.log("|---|---:|---|");
ways.forEach(([name], w) => console.log(`| ${name} | ${median(times[w]).toFixed(0)} | ${times[w].map((t) => t.toFixed(0)).join(", ")} |`));
