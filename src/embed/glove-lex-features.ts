import type { GloveLexicon } from "./glove-lexicon.js";
import type { GloveTable } from "./glove-table.js";
import { LEXICON_DIMENSIONS, writeLexiconFeatures } from "./sentiment-lexicon.js";
import { type Token, isContrast, negationMask, normalizeInput, tokenize } from "./text-tokens.js";

/**
 * The features of `local:glove-lex-v1` and `-v2`, as pure functions of a text and the word table (v2:
 * and its lexicon columns, glove-lexicon.ts). The layout:
 *
 *   [0, dims)            SIF-weighted mean of the words' GloVe vectors; a word inside a negation scope
 *                        ("not good") adds its vector negated
 *   [dims, dims+8)       POLARITY_FEATURES, from each word's table polarity (AFINN-165 spread to all
 *                        words; v2: AFINN-165 and VADER spread), negation-aware
 *   [dims+8, dims+24)    the 16 AFINN lexicon slots the hash embedder also has (sentiment-lexicon.ts)
 *   dims+24              share of words the table knows (so a model can tell a thin vector from a neutral one)
 *   [dims+25, dims+33)   v2 only: VADER_FEATURES, from the VADER ratings of the words VADER rates (7,517
 *                        tokens rated by 10 people each: more words than AFINN, and inflections)
 *
 * `GloveLexOptions` holds the choices measured while building it; GLOVE_LEX_V1 is the frozen set the
 * embedder id names. Any change to what these functions return for GLOVE_LEX_V1 needs a new version.
 */
export const POLARITY_FEATURES = [
  "polarity_sum",
  "polarity_mean",
  "polarity_max",
  "polarity_min",
  "positive_words",
  "negative_words",
  "last_polar_word",
  "after_contrast_sum",
] as const;

/** v2's block from VADER's ratings (rating/4, ×−0.74 inside a negation scope as VADER does). */
export const VADER_FEATURES = [
  "vader_sum",
  "vader_mean",
  "vader_max",
  "vader_min",
  "vader_positive_words",
  "vader_negative_words",
  "vader_last",
  "vader_compound",
] as const;

/** VADER's dampening of a negated word: a negated rating keeps 0.74 of its strength, flipped. */
const VADER_NEGATION = -0.74;
/** VADER's normalisation of a summed rating to (−1, 1): x / sqrt(x² + 15). */
const VADER_ALPHA = 15;

export interface GloveLexOptions {
  /** Polarity multiplier inside a negation scope. */
  negationFactor: number;
  /** Weight of words before the last contrast word ("good screen, but …") in the mean and the polarity sums; 1 = off. */
  beforeContrastWeight: number;
  /** Polarity multiplier for a word right after an intensifier ("very good"); 1 = off. */
  intensifierFactor: number;
  /** Count emoji and emoticons as polarity words. */
  emoji: boolean;
}

export const GLOVE_LEX_V1: Readonly<GloveLexOptions> = Object.freeze({
  negationFactor: -0.5,
  beforeContrastWeight: 1,
  intensifierFactor: 1,
  emoji: false,
});

/** Total length for a table of `dims`-d vectors, with the VADER block (v2) or without (v1). */
export function gloveLexDimensions(dims: number, vader = false): number {
  return dims + POLARITY_FEATURES.length + LEXICON_DIMENSIONS + 1 + (vader ? VADER_FEATURES.length : 0);
}

/** A word's polarity counts as positive or negative beyond this (plain words sit near ±0.1). */
const POLAR = 0.25;
const INTENSIFIERS = new Set(["very", "really", "so", "extremely", "absolutely", "totally", "truly", "incredibly", "super", "highly", "most", "too", "quite", "utterly"]);

const EMOJI_POLARITY: ReadonlyMap<string, number> = new Map([
  ["😀", 0.6], ["😃", 0.6], ["😄", 0.6], ["😁", 0.6], ["😊", 0.6], ["🙂", 0.4], ["😍", 0.8], ["🥰", 0.8], ["😘", 0.6],
  ["👍", 0.6], ["👏", 0.6], ["🎉", 0.6], ["❤", 0.6], ["♥", 0.6], ["💯", 0.6], ["🔥", 0.4], ["😂", 0.4], ["🤣", 0.4],
  ["😞", -0.6], ["😢", -0.6], ["😭", -0.6], ["😡", -0.8], ["😠", -0.8], ["🤬", -0.8], ["👎", -0.6], ["💩", -0.6],
  ["🙁", -0.4], ["☹", -0.4], ["😒", -0.6], ["😤", -0.6], ["🤮", -0.8], ["😩", -0.6], ["😫", -0.6], ["💔", -0.6],
  [":)", 0.4], [":-)", 0.4], [":d", 0.6], [":-d", 0.6], [";)", 0.4], ["<3", 0.6], [":(", -0.4], [":-(", -0.4], [":'(", -0.6], [":/", -0.2],
]);
const EMOJI = /\p{Extended_Pictographic}|[:;]-?[)(d/]|:'\(|<3/gu;

/** Stems GloVe's tokeniser leaves before "n't" that are not words of their own. */
const NT_STEMS: Readonly<Record<string, string>> = { ca: "can", wo: "will", sha: "shall", ai: "is" };
/** Clitics spelled out (the table has no "'ll", "n't"... : wink dropped GloVe's apostrophe tokens). "'s" is dropped. */
const CLITICS: Readonly<Record<string, string>> = { "'ll": "will", "'re": "are", "'ve": "have", "'m": "am", "'d": "would" };

/** Table rows for one token: the word itself, or its parts spelled out ("didn't" → did + not, "we'll" → we + will). */
export function tokenRows(word: string, table: GloveTable): number[] {
  const whole = table.rowOf(word);
  if (whole >= 0) return [whole];
  const apostrophe = word.indexOf("'");
  if (apostrophe <= 0) return [];
  let pieces: string[];
  if (word.endsWith("n't")) {
    const stem = word.slice(0, -3);
    pieces = [NT_STEMS[stem] ?? stem, "not"];
  } else {
    const clitic = word.slice(apostrophe);
    pieces = [word.slice(0, apostrophe)];
    if (Object.prototype.hasOwnProperty.call(CLITICS, clitic)) pieces.push(CLITICS[clitic]);
  }
  const rows: number[] = [];
  for (const piece of pieces) {
    const r = table.rowOf(piece);
    if (r >= 0) rows.push(r);
  }
  return rows;
}

/**
 * Writes the text's features into `out` (zero-filled, gloveLexDimensions(table.dims, lexicon !== undefined)
 * long). With a lexicon (v2), the polarity block reads its polarity column instead of the table's, and
 * the VADER block follows.
 */
export function writeGloveLexFeatures(
  text: string,
  table: GloveTable,
  out: Float32Array,
  options: Readonly<GloveLexOptions> = GLOVE_LEX_V1,
  lexicon?: GloveLexicon,
): Float32Array {
  const normalized = normalizeInput(text);
  const tokens = tokenize(normalized);
  const negated = negationMask(tokens);
  const dims = table.dims;
  let lastContrast = -1;
  if (options.beforeContrastWeight !== 1) for (let i = 0; i < tokens.length; i++) if (tokens[i].kind === "word" && isContrast(tokens[i].text)) lastContrast = i;

  let weightSum = 0;
  let words = 0;
  let known = 0;
  const polarities: number[] = [];
  let afterContrast = 0;
  let sawContrast = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "punct") continue;
    words++;
    if (isContrast(t.text)) {
      sawContrast = true;
      afterContrast = 0;
    }
    const rows = tokenRows(t.text, table);
    if (rows.length === 0) continue;
    known++;
    const clause = i < lastContrast ? options.beforeContrastWeight : 1;
    const sign = negated[i] ? -1 : 1;
    for (const r of rows) {
      const w = table.sifWeight[r] * clause;
      const k = w * sign * table.scale[r];
      const base = r * dims;
      for (let j = 0; j < dims; j++) out[j] += k * table.vectors[base + j];
      weightSum += w;
    }
    let p = (lexicon ?? table).polarity[rows[0]];
    if (options.intensifierFactor !== 1 && i > 0 && tokens[i - 1].kind === "word" && INTENSIFIERS.has(tokens[i - 1].text)) p *= options.intensifierFactor;
    if (negated[i]) p *= options.negationFactor;
    p *= clause;
    polarities.push(p);
    if (sawContrast) afterContrast += p;
  }
  if (options.emoji) {
    for (const m of normalized.toLowerCase().matchAll(EMOJI)) {
      const p = EMOJI_POLARITY.get(m[0]);
      if (p !== undefined) polarities.push(p);
    }
  }
  if (weightSum > 0) for (let j = 0; j < dims; j++) out[j] /= weightSum;
  writePolarity(polarities, afterContrast, out, dims);
  writeLexiconFeatures(tokens, out, dims + POLARITY_FEATURES.length);
  out[dims + POLARITY_FEATURES.length + LEXICON_DIMENSIONS] = words === 0 ? 0 : known / words;
  if (lexicon) writeVader(tokens, negated, table, lexicon, out, dims + POLARITY_FEATURES.length + LEXICON_DIMENSIONS + 1);
  return out;
}

/** The VADER block, over the words VADER rates (looked up as they are: "didn't" is not split here, as VADER does not). */
function writeVader(tokens: readonly Token[], negated: readonly boolean[], table: GloveTable, lexicon: GloveLexicon, out: Float32Array, offset: number): void {
  let sum = 0, n = 0, max = 0, min = 0, positive = 0, negative = 0, last = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].kind === "punct") continue;
    const row = table.rowOf(tokens[i].text);
    let p = row >= 0 ? lexicon.vader[row] : (lexicon.extraVader.get(tokens[i].text) ?? 0);
    if (p === 0) continue;
    if (negated[i]) p *= VADER_NEGATION;
    sum += p;
    n++;
    if (p > max) max = p;
    if (p < min) min = p;
    if (p >= POLAR) positive++;
    if (p <= -POLAR) negative++;
    last = p;
  }
  const raw = 4 * sum;
  const f = [
    Math.tanh(sum / 2), n === 0 ? 0 : sum / n, max, min,
    Math.tanh(positive / 3), Math.tanh(negative / 3), last, raw / Math.sqrt(raw * raw + VADER_ALPHA),
  ];
  for (let k = 0; k < f.length; k++) out[offset + k] = f[k];
}

function writePolarity(p: number[], afterContrast: number, out: Float32Array, offset: number): void {
  let sum = 0, max = 0, min = 0, positive = 0, negative = 0, last = 0;
  for (const v of p) {
    sum += v;
    if (v > max) max = v;
    if (v < min) min = v;
    if (v >= POLAR) positive++;
    if (v <= -POLAR) negative++;
    if (Math.abs(v) >= POLAR) last = v;
  }
  const f = [
    Math.tanh(sum / 2), p.length === 0 ? 0 : sum / p.length, max, min,
    Math.tanh(positive / 3), Math.tanh(negative / 3), last, Math.tanh(afterContrast / 2),
  ];
  for (let k = 0; k < f.length; k++) out[offset + k] = f[k];
}
