import type { GloveTable } from "../src/embed/glove-table.js";
import { chooseRidgeAlpha, ridge, ridgePredict } from "./ridge-regression.js";

/** Frequent unrated words used as neutral anchors: every NEUTRAL_STRIDE-th of the first NEUTRAL_TOP rows (GloVe frequency order), as for v1. */
const NEUTRAL_TOP = 20_000;
const NEUTRAL_STRIDE = 4;
const ALPHAS = [1, 10, 100, 300, 1000, 3000];

export interface SpreadLexicon {
  /** Per table row: AFINN valence/5, else VADER mean/4, else the ridge estimate, in [−1, 1]. */
  polarity: Float32Array;
  /** Per table row: VADER mean/4, 0 where VADER rates nothing. */
  vader: Float32Array;
  /** VADER mean/4 of the words VADER rates that the table lacks, in VADER's order. */
  extraVader: Map<string, number>;
  alpha: number;
  rated: number;
  neutral: number;
}

/**
 * The lexicon columns of local:glove-lex-v2 (see src/embed/glove-lexicon.ts), computed from the shipped v1
 * table's own int8 vectors, so the build needs no 118 MB download and the feature bench can compute the
 * same columns. AFINN keeps precedence where both lists rate a word: v1's values stay as they were for
 * AFINN's 2,477 words, and VADER adds ~3,800 more (mostly inflections and informal words AFINN lacks).
 */
export function spreadLexicon(table: GloveTable, afinn: Readonly<Record<string, number>>, vader: ReadonlyMap<string, number>, log: (line: string) => void = console.error): SpreadLexicon {
  const D = table.dims;
  const own = (w: string): number | undefined =>
    Object.prototype.hasOwnProperty.call(afinn, w) ? afinn[w] / 5 : vader.has(w) ? vader.get(w)! / 4 : undefined;
  const vec = (r: number): number[] => {
    table.rowOf(table.wordAt(r)); // loads (and checks) the row
    return Array.from(table.vectors.subarray(r * D, (r + 1) * D), (x) => x * table.scale[r]);
  };
  const X: number[][] = [];
  const y: number[] = [];
  let rated = 0;
  let neutral = 0;
  for (let r = 0; r < table.rows; r++) {
    const w = table.wordAt(r);
    const v = own(w);
    if (v !== undefined) {
      X.push(vec(r));
      y.push(v);
      rated++;
    } else if (r < NEUTRAL_TOP && r % NEUTRAL_STRIDE === 0 && /^[a-z]+$/.test(w)) {
      X.push(vec(r));
      y.push(0);
      neutral++;
    }
  }
  log(`ridge on ${rated} rated words + ${neutral} neutral anchors`);
  const alpha = chooseRidgeAlpha(X, y, ALPHAS, log);
  const model = ridge(X, y, alpha);
  const polarity = new Float32Array(table.rows);
  const vaderColumn = new Float32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    const w = table.wordAt(r);
    polarity[r] = own(w) ?? Math.max(-1, Math.min(1, ridgePredict(model, vec(r))));
    const v = vader.get(w);
    if (v !== undefined) vaderColumn[r] = v / 4;
  }
  const extraVader = new Map<string, number>();
  for (const [w, v] of vader) if (table.rowOf(w) < 0) extraVader.set(w, v / 4);
  return { polarity, vader: vaderColumn, extraVader, alpha, rated, neutral };
}

/** Parses VADER's vader_lexicon.txt (token, mean rating −4..4, standard deviation, the 10 ratings; tab-separated). */
export function parseVaderLexicon(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [word, mean] = line.split("\t");
    if (!word || mean === undefined) continue;
    const v = Number(mean);
    if (!Number.isFinite(v) || v === 0) throw new Error(`vader_lexicon.txt: "${word}" has mean ${mean}; expected a non-zero number`);
    map.set(word, v);
  }
  return map;
}
