import type { Embedder } from "./embedder.js";
import { EmbeddingError, OptionsError } from "../errors.js";
import type { EmbeddingCache } from "./embedding-cache.js";
import { EmbeddingFetchError } from "./embedding-fetch-error.js";
import { EmbeddingRequestError } from "./embedding-request-error.js";
import { estimateCost } from "./embedding-prices.js";
import { dedupeTexts } from "./dedupe-texts.js";
import { lookupCached } from "./lookup-cached.js";
import { PlannedQueue, planAhead } from "./plan-ahead.js";
import { type EmbedderExtras, type Miss, prepareMisses } from "./prepare-misses.js";
import { RateLimiter } from "./rate-limiter.js";
import { type PoolFailure, runPool, type RunState } from "./request-pool.js";
import { planRequests, type PlannedRequest } from "./request-planner.js";
import { RetryPolicy, type RetryPolicyOptions } from "./retry-policy.js";
import { storeLanded } from "./store-landed.js";
import { textSha } from "./text-sha.js";

export type { RetryEvent } from "./request-pool.js";
import type { RetryEvent } from "./request-pool.js";

export interface FetchProgress {
  /** Unique texts embedded or found so far. */
  done: number;
  /** Unique texts in this call. */
  total: number;
  /** Of `done`, how many came from the cache. */
  cached: number;
  /** Requests that have landed. */
  requestsDone: number;
  /**
   * Requests planned. Planning runs alongside sending (long texts are token-counted while the first
   * requests are out), so until it ends this is a lower bound that may still grow.
   */
  requestsPlanned: number;
  /** Tokens sent so far. */
  tokens: number;
  /** Retries so far. */
  retries: number;
}

export interface EmbeddingFetcherOptions {
  /** Called once after the cache lookup and after each request lands (drives the CLI progress bar). */
  onProgress?: (progress: FetchProgress) => void;
  /** Called before each retry wait (the CLI prints rate-limit pauses from it). */
  onRetry?: (event: RetryEvent) => void;
  /** Persistent cache; without one every call embeds everything. */
  cache?: EmbeddingCache;
  /** Requests in flight at once (a sliding pool, not waves). Default 4. */
  concurrency?: number;
  /**
   * Retry settings, or a ready policy. Default: 6 failed tries, 500 ms base backoff, 20 s cap, and a
   * time budget of 5 minutes per request (rate-limit waits count against the budget, not the tries).
   */
  retry?: RetryPolicy | RetryPolicyOptions;
  /**
   * Requests per minute to stay under, for servers that send no x-ratelimit-* headers (CLI: --rpm).
   * Servers that send them are paced from them without this.
   */
  requestsPerMinute?: number;
  /** Tokens per minute to stay under, likewise (CLI: --tpm). */
  tokensPerMinute?: number;
  /**
   * Cut inputs over the embedder's per-input token limit instead of failing. Default false. Needs an
   * embedder that can truncate (`truncateToTokens`, as OpenAIEmbedder has); counted in usage.truncated.
   */
  truncate?: boolean;
  /** Dollars per 1M tokens for `plan()`'s estimate: one number, or a table keyed like EMBEDDING_PRICES_PER_MILLION. */
  prices?: number | Readonly<Record<string, number>>;
}

export interface FetchUsage {
  texts: number;
  uniqueTexts: number;
  /** Unique texts found in the cache. */
  cacheHits: number;
  /** Calls made to the embedder, retries included. */
  requests: number;
  /** Of `requests`, how many were retries. */
  retries: number;
  /** Tokens sent (as the server billed them when it reports usage, else as counted). */
  tokens: number;
  /** Unique texts cut to the per-input limit (only with truncate). */
  truncated: number;
}

export interface FetchResult {
  /** One vector per input text, in input order (duplicates share the same vector object). */
  vectors: Float32Array[];
  usage: FetchUsage;
}

export interface FetchPlan {
  embedderId: string;
  texts: number;
  uniqueTexts: number;
  cacheHits: number;
  /** Requests a fetch would make now (no failures assumed). */
  requests: number;
  /** Fewest requests any plan could use; `requests` equals it unless token sizes are very uneven. */
  minimumRequests: number;
  /** Tokens of the texts still to embed, counted with the embedder's tokenizer (0 if it has none). */
  tokens: number;
  /** Texts that would be truncated (only with truncate). */
  truncated: number;
  /** Price used, per 1M tokens; undefined when unknown. */
  pricePerMillionTokens?: number;
  /** Estimated cost in dollars; undefined when the model's price is unknown. */
  estimatedCost?: number;
}

interface Prepared {
  uniqueTexts: string[];
  slot: number[];
  vectors: (Float32Array | undefined)[];
  cacheHits: number;
  truncated: number;
  /** Texts to embed, in order, with exact token counts or byte upper bounds. */
  misses: Miss[];
}

/**
 * Turns a list of texts into vectors through any Embedder, paying for each text at most once. Each
 * stage lives in its own module:
 *
 *  1. dedupe (dedupe-texts.ts): identical texts are embedded once; empty texts refused up front;
 *  2. cache lookup (lookup-cached.ts): texts already cached (same embedder id + sha256) are not
 *     sent; then token counts, over-long texts and truncation (prepare-misses.ts);
 *  3. plan (plan-ahead.ts, request-planner.ts): the rest packed into the fewest requests the
 *     embedder's limits allow, each handed to the pool the moment it is closed;
 *  4. send (request-pool.ts): a sliding pool of `concurrency` calls, paced by the rate limiter
 *     (rate-limiter.ts), each response checked (check-vectors.ts: count, size, finite values) and
 *     retried per the RetryPolicy (retry-policy.ts) within its time budget;
 *  5. store (store-landed.ts): each response written to the cache in its own transaction as soon
 *     as it lands, so a crash, kill or abort loses nothing already paid for and the next run resumes.
 *
 * Vectors come back in input order, duplicates included.
 */
export class EmbeddingFetcher {
  private readonly retryPolicy: RetryPolicy;
  private readonly concurrency: number;
  /** One per fetcher, so what it learned of the server's limits carries over to the next fetch. */
  private readonly limiter: RateLimiter;

  constructor(
    readonly embedder: Embedder,
    private readonly options: EmbeddingFetcherOptions = {},
  ) {
    const c = options.concurrency ?? 4;
    if (!Number.isInteger(c) || c < 1) throw new OptionsError("EMBED_CONCURRENCY", `concurrency must be a positive integer, got ${c}.`);
    this.concurrency = c;
    this.retryPolicy = options.retry instanceof RetryPolicy ? options.retry : new RetryPolicy(options.retry);
    this.limiter = new RateLimiter({ requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute });
  }

  /** Dry run: what `fetch(texts)` would do now, and what it would cost. Sends nothing. */
  async plan(texts: string[]): Promise<FetchPlan> {
    const p = this.prepare(texts, { exactTokens: true });
    const plan = planRequests(p.misses, this.embedder.limits);
    const price = estimateCost(this.embedder.id, 1_000_000, this.options.prices);
    return {
      embedderId: this.embedder.id,
      texts: texts.length,
      uniqueTexts: p.uniqueTexts.length,
      cacheHits: p.cacheHits,
      requests: plan.requests.length,
      minimumRequests: plan.lowerBound,
      tokens: plan.tokens,
      truncated: p.truncated,
      pricePerMillionTokens: price,
      estimatedCost: price === undefined ? undefined : (plan.tokens / 1_000_000) * price,
    };
  }

  async fetch(texts: string[], { signal }: { signal?: AbortSignal } = {}): Promise<FetchResult> {
    signal?.throwIfAborted();
    const p = this.prepare(texts, { exactTokens: false });
    const { vectors } = p;
    const total = p.uniqueTexts.length;
    const cache = this.options.cache;
    const queue = new PlannedQueue();
    const state: RunState = { calls: 0, retries: 0, landed: 0 };
    const estimate = Math.ceil(p.misses.length / this.embedder.limits.maxInputsPerRequest);
    let done = p.cacheHits;
    let tokens = 0;
    let requestsDone = 0;
    const progress = () =>
      this.options.onProgress?.({
        done,
        total,
        cached: p.cacheHits,
        requestsDone,
        requestsPlanned: queue.done ? queue.requests.length : Math.max(queue.requests.length, estimate),
        tokens,
        retries: state.retries,
      });
    progress();
    // An embedder that loads its client on first use (the OpenAI SDK) does so before requests are
    // paced: a first request held up by the import would arrive late, and the next one too early.
    if (p.misses.length > 0) await this.embedder.ready?.();

    // Our own controller: aborts in-flight calls when the caller aborts. A request that fails for
    // good does NOT abort the others: they are already paid for, so we let them land and cache them.
    const inner = new AbortController();
    const onAbort = () => inner.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const embedder = this.embedder;
    const refine = embedder.countTokens ? (m: Miss) => embedder.countTokens!(m.text) : undefined;
    const limiter = this.limiter;
    const planner = planAhead(p.misses, embedder.limits, queue, {
      refine,
      countExactly: () => limiter.tokensBinding,
      stopped: () => state.failure !== undefined || inner.signal.aborted,
    }).catch((e) => {
      state.failure ??= { error: e instanceof Error ? e : new Error(String(e)), attempts: 0 };
      queue.wake();
    });
    const pool = runPool(queue, state, {
      embedder,
      concurrency: p.misses.length === 0 ? 0 : Math.min(this.concurrency, p.misses.length),
      retryPolicy: this.retryPolicy,
      limiter,
      signal: inner.signal,
      onRetry: this.options.onRetry,
      // The planner's counts may be upper bounds (UTF-8 bytes, ~4x the tokens of English text): good
      // enough while the token budget has room for them, counted exactly only when it has not.
      tokensOf: (r) => (limiter.waitFor(r.tokens) > 0 && limiter.tokensBinding ? this.exactTokens(r) : r.tokens),
      // Exact counts matter to the limiter only once the token budget binds; until then counting
      // would only cost CPU.
      exactTokensOf: embedder.countTokens ? (r) => (limiter.tokensBinding ? this.exactTokens(r) : undefined) : undefined,
      land: (r, got) => {
        storeLanded(cache, embedder.id, r.items, got, vectors);
        tokens += got.usage?.tokens ?? this.exactTokens(r);
        done += r.items.length;
        requestsDone++;
        progress();
      },
    });
    try {
      await Promise.all([planner, pool]);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }

    const saved = cache ? done : p.cacheHits;
    const left = total - done;
    if (signal?.aborted) {
      throw new EmbeddingFetchError("EMBED_ABORTED", `Embedding aborted. ${this.savedNote(saved, total, left, true)}`, { cached: saved, left, attempts: 0 });
    }
    if (state.failure) throw this.failureError(state.failure, { saved, total, left });
    return {
      vectors: p.slot.map((i) => vectors[i] as Float32Array),
      usage: {
        texts: texts.length,
        uniqueTexts: total,
        cacheHits: p.cacheHits,
        requests: state.calls,
        retries: state.retries,
        tokens,
        truncated: p.truncated,
      },
    };
  }

  /**
   * How much is saved, and whether a rerun helps: only after a failure that time may cure (retries
   * used up, an abort). A 401, 404, 413 or quota error comes back however often one reruns.
   */
  private savedNote(saved: number, total: number, left: number, resumable: boolean): string {
    if (!this.options.cache) return `${total - left} of ${total} unique texts were embedded, ${left} left (no cache configured, so a rerun starts over).`;
    return `${saved} of ${total} unique texts are cached, ${left} left${resumable ? "; run again to resume" : ""}.`;
  }

  /** The final error of a failed fetch: what went wrong, how far it got, then what to do. */
  private failureError(failure: PoolFailure, n: { saved: number; total: number; left: number }): EmbeddingFetchError {
    const { error, attempts, reason } = failure;
    const status = error instanceof EmbeddingRequestError ? error.status : undefined;
    const transient = reason === "attempts" || reason === "budget";
    const code = transient ? "EMBED_RETRIES_EXHAUSTED" : error instanceof EmbeddingError ? error.code : "EMBED_FAILED";
    const hint = error instanceof EmbeddingError ? error.hint : undefined;
    // The cause's own hint goes last, after how much is saved: "<what>, <how far>, <what to do>".
    const what = hint && error.message.endsWith(` ${hint}`) ? error.message.slice(0, -hint.length - 1) : error.message;
    const tries =
      reason === "budget"
        ? ` Gave up after ${attempts} tries in ${(this.retryPolicy.budgetMs / 1000).toFixed(0)} s, the retry budget (CLI: --retry-budget SECONDS).`
        : reason === "attempts"
          ? ` Gave up after ${attempts} tries.`
          : "";
    const sep = /[.!?]$/.test(what) ? "" : ".";
    return new EmbeddingFetchError(code, `${what}${sep}${tries} ${this.savedNote(n.saved, n.total, n.left, transient)}`, { cached: n.saved, left: n.left, attempts, status }, { hint });
  }

  /** Tokens of one request: exact counts (counting any that are still bounds), or 0 without a tokenizer. */
  private exactTokens(r: PlannedRequest<Miss>): number {
    if (!this.embedder.countTokens) return 0;
    let sum = 0;
    for (const m of r.items) {
      if (!m.exact) {
        m.tokens = this.embedder.countTokens(m.text);
        m.exact = true;
      }
      sum += m.tokens;
    }
    return sum;
  }

  /** Stages 1-2: dedupe, cache lookup, then length check/truncation: everything before planning. */
  private prepare(texts: string[], { exactTokens }: { exactTokens: boolean }): Prepared {
    const d = dedupeTexts(texts);
    const embedder = this.embedder as Embedder & EmbedderExtras;
    const shas = d.unique.map(textSha);
    const { vectors, hits } = lookupCached(this.options.cache, embedder.id, shas);
    const m = prepareMisses(
      embedder,
      { unique: d.unique, firstIndex: d.firstIndex, shas, vectors },
      { exactTokens, truncate: this.options.truncate ?? false, cache: this.options.cache },
    );
    return { uniqueTexts: d.unique, slot: d.slot, vectors, cacheHits: hits + m.extraHits, truncated: m.truncated, misses: m.misses };
  }
}
