import type { Embedder } from "./embedder.js";
import { OptionsError } from "../errors.js";
import type { EmbeddingCache } from "./embedding-cache.js";
import { checkInputLengths, type PlanInput } from "./request-planner.js";
import { textSha } from "./text-sha.js";

/**
 * Optional abilities an embedder may have beyond the Embedder interface (OpenAIEmbedder has both).
 * Kept here, not on Embedder, because only the fetcher uses them.
 */
export interface EmbedderExtras {
  truncateToTokens?(text: string, maxTokens: number): string;
  /** True when countTokens(t) ≤ UTF-8 bytes of t always holds (byte-level BPE without added tokens). */
  readonly tokenCountAtMostUtf8Bytes?: boolean;
}

/** A text to embed, as the planner and the pool see it. */
export interface Miss extends PlanInput {
  /** Position in the unique-text list. */
  unique: number;
  /** Text to send (the truncated form when truncation applied). */
  text: string;
  sha: string;
  /** Whether `tokens` is an exact count or only the UTF-8 byte upper bound. */
  exact: boolean;
}

export interface PreparedMisses {
  misses: Miss[];
  /** Texts cut to the per-input limit. */
  truncated: number;
  /** Truncated texts whose cut form was in the cache (their vectors are written into `vectors`). */
  extraHits: number;
}

/**
 * Between the cache lookup and the plan: the texts still to embed, with token counts (exact, or the
 * UTF-8 byte upper bound that the planner refines only where it matters), over-long texts reported
 * before anything is sent, or truncated when asked.
 *
 * tiktoken (like every byte-level BPE) emits at least one byte per token, so the UTF-8 byte length is
 * an upper bound on the count. Texts are counted here only for a dry run (`exactTokens`), for
 * truncation (over-long ones), or for embedders that do not promise the bound; otherwise the planner
 * counts a text when its bound could matter (over the per-input limit, or where the request's token
 * cap comes into play), ahead of the pool. An over-long text then stops the run when the planner
 * reaches it; requests already sent land and are cached, and `plan()` (--dry-run) finds it up front.
 */
export function prepareMisses(
  embedder: Embedder & EmbedderExtras,
  input: { unique: readonly string[]; firstIndex: readonly number[]; shas: readonly string[]; vectors: (Float32Array | undefined)[] },
  options: { exactTokens: boolean; truncate: boolean; cache?: EmbeddingCache },
): PreparedMisses {
  const limits = embedder.limits;
  const counts = !!embedder.countTokens;
  const bounded = counts && embedder.tokenCountAtMostUtf8Bytes === true;
  const count = (t: string) => (embedder.countTokens ? embedder.countTokens(t) : 0);
  const { unique, firstIndex, shas, vectors } = input;
  let misses: Miss[] = [];
  for (let u = 0; u < unique.length; u++) {
    if (vectors[u]) continue;
    const t = unique[u];
    let tokens = 0;
    let exact = !counts;
    if (counts) {
      if (options.exactTokens || !bounded) {
        tokens = count(t);
        exact = true;
      } else {
        tokens = Buffer.byteLength(t, "utf8");
        // Only truncation needs the exact count of a possibly over-long text here (to cut it and look
        // its cut form up in the cache). Otherwise the planner counts it when it packs it, ahead of
        // the pool: counting thousands of long texts up front held back requests that were ready.
        if (tokens > limits.maxTokensPerInput && options.truncate) {
          tokens = count(t);
          exact = true;
        }
      }
    }
    misses.push({ index: firstIndex[u], unique: u, text: t, sha: shas[u], tokens, exact });
  }

  let truncated = 0;
  let extraHits = 0;
  // Texts still on their byte bound are checked by the planner, which counts them exactly first.
  const { tooLong } = checkInputLengths(misses.filter((m) => m.exact), limits, { truncate: options.truncate });
  if (tooLong.length) {
    if (!embedder.truncateToTokens) {
      throw new OptionsError("EMBED_TRUNCATE", `Embedder ${embedder.id} cannot truncate texts, and ${tooLong.length} text(s) are over its ${limits.maxTokensPerInput}-token limit (first at index ${tooLong[0].index}).`);
    }
    // A truncated text is cached under the sha of what was actually embedded, so the vector is
    // never mistaken for the full text's; a rerun truncates again and then hits the cache.
    const long = new Set(tooLong.map((x) => x.index));
    const cut: Miss[] = [];
    for (const m of misses) {
      if (!long.has(m.index)) continue;
      m.text = embedder.truncateToTokens(m.text, limits.maxTokensPerInput);
      m.sha = textSha(m.text);
      m.tokens = count(m.text);
      m.exact = true;
      cut.push(m);
      truncated++;
    }
    if (options.cache) {
      const hits = options.cache.getMany(embedder.id, cut.map((m) => m.sha));
      for (const m of cut) {
        const v = hits.get(m.sha);
        if (v) {
          vectors[m.unique] = v;
          extraHits++;
        }
      }
      misses = misses.filter((m) => !vectors[m.unique]);
    }
  }
  return { misses, truncated, extraHits };
}
