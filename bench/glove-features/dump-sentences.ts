/**
 * Writes an embedder's features of the UCI sentences and the SST-2 training phrases, with their texts,
 * for bench/glove-features/sentence-holdout.py (a tuning stand-in for SST-2 dev that does not read it).
 *
 *   npx tsx bench/glove-features/dump-sentences.ts [--embedder local:glove-lex-v2] [--out bench/out/sentence-holdout]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createEmbedder, DEFAULT_EMBEDDER_SPEC } from "../../src/embed/create-embedder.js";
import { loadTuningSets } from "./tuning-sets.js";

const { values } = parseArgs({ options: { embedder: { type: "string", default: DEFAULT_EMBEDDER_SPEC }, out: { type: "string", default: join("bench", "out", "sentence-holdout") } } });
const out = values.out!;
mkdirSync(out, { recursive: true });
const sets = await loadTuningSets();
const embedder = createEmbedder(values.embedder!);
for (const [name, ds] of Object.entries(sets)) {
  const texts = ds.items.map((i) => i.text);
  const vectors = await embedder.embed(texts);
  const dims = vectors[0].length;
  const matrix = new Float32Array(texts.length * dims);
  vectors.forEach((v, i) => matrix.set(v, i * dims));
  writeFileSync(join(out, `${name}.f32`), matrix);
  writeFileSync(join(out, `${name}.json`), JSON.stringify({ embedder: embedder.id, dims, texts, labels: ds.items.map((i) => i.label) }));
}
console.log(`Wrote ${Object.keys(sets).join(", ")} (${embedder.id}) to ${out}`);
