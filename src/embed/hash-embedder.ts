import { OptionsError } from "../errors.js";
import type { EmbedOptions, Embedder, EmbedderLimits } from "./embedder.js";
import { embedIntoSlab } from "./embed-into-slab.js";
import { featureHash } from "./feature-hash.js";
import { LEXICON_DIMENSIONS, writeLexiconFeatures } from "./sentiment-lexicon.js";
import { type Token, negationMask, normalizeInput, tokenize } from "./text-tokens.js";

export interface HashEmbedderOptions {
  /** Total vector length, lexicon block included. Default 512; at least 64. */
  dimensions?: number;
  /**
   * Which output version. Default "hash-v2". "hash-v1" gives the exact vectors of earlier releases, so models
   * and stores built with it keep predicting identically; it does not strip invisible or control characters.
   */
  version?: HashEmbedderVersion;
  /** Request sizes for the fetcher. Default HASH_EMBEDDER_LIMITS. */
  limits?: EmbedderLimits;
}

/** Texts per fetcher request; there is no token budget (embedding is local). */
export const HASH_EMBEDDER_LIMITS: EmbedderLimits = {
  maxInputsPerRequest: 512,
  maxTokensPerRequest: Number.POSITIVE_INFINITY,
  maxTokensPerInput: Number.POSITIVE_INFINITY,
};

/**
 * Output versions. A new one is added whenever the output for some text would change: the version is part of
 * the id, so caches and bundles notice. Old versions stay, byte for byte, so old bundles still load.
 */
export const HASH_EMBEDDER_VERSIONS = ["hash-v1", "hash-v2"] as const;
export type HashEmbedderVersion = (typeof HASH_EMBEDDER_VERSIONS)[number];
export const DEFAULT_HASH_EMBEDDER_VERSION: HashEmbedderVersion = "hash-v2";

/** hash-v2's input normalisation, now shared with the GloVe embedder (text-tokens.ts). */
export { normalizeInput as normalizeForHashV2 } from "./text-tokens.js";

/** Relative weight of each feature group after each is L2-normalised on its own. */
const GROUP_WEIGHTS = { words: 1.0, bigrams: 0.6, chars: 0.6, lexicon: 0.8 } as const;
const CHAR_NGRAM_SIZES = [3, 4, 5] as const;

/**
 * The offline embedder, sentivec's default: no network, no weights, same text → same vector everywhere.
 *
 * Feature hashing ("the hashing trick") of word unigrams, word bigrams and character 3–5-grams into
 * `dimensions − 16` slots with a hash-derived sign (so collisions cancel rather than pile up),
 * sublinear term frequency (1 + ln tf), each group L2-normalised then weighted; plus a 16-slot block
 * of negation-aware lexicon features (see sentiment-lexicon.ts). Words inside a negation scope are
 * hashed as "¬word", so "not good" and "good" land in different slots. The whole vector has unit L2 norm,
 * so dot product is cosine similarity.
 */
export class HashEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly version: HashEmbedderVersion;
  readonly limits: EmbedderLimits;
  private readonly hashDimensions: number;

  constructor(options: HashEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? 512;
    if (!Number.isInteger(dimensions) || dimensions < 64 || dimensions > 1 << 20) {
      throw new OptionsError("EMBEDDER_DIMENSIONS", `The offline embedder's dimensions must be a whole number from 64 to 1048576; got ${dimensions}.`);
    }
    this.dimensions = dimensions;
    this.limits = { ...HASH_EMBEDDER_LIMITS, ...options.limits };
    this.hashDimensions = dimensions - LEXICON_DIMENSIONS;
    const version = options.version ?? DEFAULT_HASH_EMBEDDER_VERSION;
    if (!(HASH_EMBEDDER_VERSIONS as readonly string[]).includes(version)) {
      throw new OptionsError("EMBEDDER_VERSION", `Unknown offline embedder version "${String(version)}".`, {
        hint: `Use one of: ${HASH_EMBEDDER_VERSIONS.join(", ")}.`,
      });
    }
    this.version = version;
    this.id = `local:${version}@${dimensions}`;
  }

  /** The batch's vectors are views into one buffer (see embedIntoSlab). */
  async embed(texts: string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    options.signal?.throwIfAborted();
    return embedIntoSlab(texts, this.dimensions, (t, out) => this.embedInto(t, out));
  }

  /** Synchronous single-text embedding, for callers that do not need batching. */
  embedOne(text: string): Float32Array {
    return this.embedInto(text, new Float32Array(this.dimensions));
  }

  /** Writes the text's vector into `out` (zero-filled, `dimensions` long) and returns it. */
  private embedInto(text: string, out: Float32Array): Float32Array {
    const tokens = tokenize(this.version === "hash-v1" ? text : normalizeInput(text));
    const groups = this.hashedGroups(tokens);
    for (const [group, counts] of groups) addGroup(out, counts, this.hashDimensions, GROUP_WEIGHTS[group]);
    const lex = new Float32Array(LEXICON_DIMENSIONS);
    writeLexiconFeatures(tokens, lex, 0);
    const lexNorm = Math.hypot(...lex) || 1;
    for (let k = 0; k < LEXICON_DIMENSIONS; k++) out[this.hashDimensions + k] = (GROUP_WEIGHTS.lexicon * lex[k]) / lexNorm;
    let norm = 0;
    for (let k = 0; k < out.length; k++) norm += out[k] * out[k];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < out.length; k++) out[k] /= norm;
    return out;
  }

  private hashedGroups(tokens: Token[]): [keyof typeof GROUP_WEIGHTS, Map<string, number>][] {
    const negated = negationMask(tokens);
    const words = new Map<string, number>();
    const bigrams = new Map<string, number>();
    const chars = new Map<string, number>();
    let prev: string | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.kind === "punct") {
        prev = undefined;
        continue;
      }
      const w = negated[i] ? `¬${t.text}` : t.text;
      bump(words, `w:${w}`);
      if (prev !== undefined) bump(bigrams, `b:${prev} ${t.text}`);
      prev = t.text;
      const padded = `<${t.text}>`;
      for (const n of CHAR_NGRAM_SIZES) {
        for (let s = 0; s + n <= padded.length; s++) bump(chars, `c:${padded.slice(s, s + n)}`);
      }
    }
    return [["words", words], ["bigrams", bigrams], ["chars", chars]];
  }
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

/** Hashes one group's sublinear counts into a scratch vector, normalises it, and adds it with its weight. */
function addGroup(out: Float32Array, counts: Map<string, number>, slots: number, weight: number): void {
  if (counts.size === 0) return;
  const scratch = new Float64Array(slots);
  for (const [key, tf] of counts) {
    const h = featureHash(key);
    const sign = h & 1 ? -1 : 1;
    scratch[(h >>> 1) % slots] += sign * (1 + Math.log(tf));
  }
  let norm = 0;
  for (let k = 0; k < slots; k++) norm += scratch[k] * scratch[k];
  norm = Math.sqrt(norm);
  if (norm === 0) return;
  for (let k = 0; k < slots; k++) out[k] += (weight * scratch[k]) / norm;
}
