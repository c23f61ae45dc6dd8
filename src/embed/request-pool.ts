import type { Embedder } from "./embedder.js";
import { checkVectors } from "./check-vectors.js";
import { EmbeddingRequestError } from "./embedding-request-error.js";
import type { PlannedQueue } from "./plan-ahead.js";
import type { Miss } from "./prepare-misses.js";
import { RateLimiter, sleep } from "./rate-limiter.js";
import type { PlannedRequest } from "./request-planner.js";
import { countsAsFailure, isRateLimit, type RetryPolicy } from "./retry-policy.js";

export interface RetryEvent {
  /** 0-based request number in the plan. */
  request: number;
  /** The try that failed (1-based). */
  attempt: number;
  /** Wait before the next try, in ms. */
  delayMs: number;
  /** True when the wait is a rate-limit pause of the whole pool (a 429), not this request's backoff. */
  rateLimited: boolean;
  error: Error;
}

/** What one embed call returns: vectors, plus what the server said about usage and its limits. */
export type EmbedCallResult = Float32Array[] & { usage?: { tokens: number }; headers?: Record<string, string> };

export interface PoolFailure {
  error: Error;
  /** Tries made by the request that failed (0: not a request's failure). */
  attempts: number;
  /** Why the request was not tried again. */
  reason?: "fatal" | "attempts" | "budget";
}

/** Shared by the stages of one fetch: the first failure stops the planner and the pool. */
export interface RunState {
  failure?: PoolFailure;
  /** Calls made, retries included. */
  calls: number;
  retries: number;
  /** Requests that landed. */
  landed: number;
}

export interface PoolOptions {
  embedder: Embedder;
  concurrency: number;
  retryPolicy: RetryPolicy;
  limiter: RateLimiter;
  /** Aborts in-flight calls and waits (the fetch's own controller, linked to the caller's signal). */
  signal: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
  /** Tokens of a request for pacing (exact when the limiter paces tokens). */
  tokensOf: (r: PlannedRequest<Miss>) => number;
  /**
   * Exact tokens of a request, counted while it is on the wire (undefined: the embedder cannot
   * count). The limiter then charges what the server will, not the byte bound it let it through on.
   */
  exactTokensOf?: (r: PlannedRequest<Miss>) => number | undefined;
  /** Stage 5: persist and publish a landed request. A throw stops the run like a failed request. */
  land: (r: PlannedRequest<Miss>, got: EmbedCallResult) => void;
}

/**
 * Stage 4 of a fetch: a sliding pool of `concurrency` workers takes planned requests in order; a new
 * one starts the moment any finishes, so one slow request never holds back the others as waves would.
 *
 * Each request first waits for the rate limiter (pacing, and any pool-wide 429 pause), then is sent,
 * checked (checkVectors: count, size, finite values) and landed. A failure is retried per the
 * RetryPolicy, within its time budget: a 429 pauses the whole pool, since every request shares the
 * one limit, and does not count as a failed try. A request that fails for good does not abort the
 * others: they are already paid for, so they land and are cached; nothing new starts.
 */
export async function runPool(queue: PlannedQueue, state: RunState, o: PoolOptions): Promise<void> {
  const stopped = () => state.failure !== undefined || o.signal.aborted;
  const fail = (f: PoolFailure) => {
    state.failure ??= f;
    queue.wake();
  };

  const runRequest = async (r: PlannedRequest<Miss>, number: number): Promise<void> => {
    const batch = r.items.map((m) => m.text);
    const started = Date.now();
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      const ticket = await o.limiter.acquire(o.tokensOf(r), o.signal);
      if (!ticket || stopped()) {
        if (ticket) o.limiter.observe(ticket, undefined, { charged: false });
        return;
      }
      state.calls++;
      if (attempt > 1) state.retries++;
      let got: EmbedCallResult;
      // A signal per call, unlinked afterwards: the SDK leaves a listener on whatever signal it is
      // given, so passing the shared one would pile up a listener per request on long runs.
      const call = new AbortController();
      const forward = () => call.abort(o.signal.reason);
      o.signal.addEventListener("abort", forward, { once: true });
      try {
        const pending = o.embedder.embed(batch, { signal: call.signal });
        if (o.exactTokensOf && r.items.some((m) => !m.exact)) {
          // After the request is written (setImmediate runs after I/O), not before: counting 2048
          // texts takes tens of ms, which must not delay the send.
          setImmediate(() => {
            const exact = o.exactTokensOf!(r);
            if (exact !== undefined) o.limiter.adjust(ticket, exact);
          });
        }
        got = (await pending) as EmbedCallResult;
        o.limiter.observe(ticket, got?.headers);
        checkVectors(o.embedder, got, batch.length);
      } catch (e) {
        if (o.signal.aborted) return;
        const error = e instanceof Error ? e : new Error(String(e));
        const limited = isRateLimit(error);
        o.limiter.observe(ticket, error instanceof EmbeddingRequestError ? error.headers : undefined, { charged: !limited });
        // Nothing listens at that address and nothing ever answered this run: a wrong or dead
        // --base-url, which waiting will not fix. (After a success it is a restart: retried.)
        if (error instanceof EmbeddingRequestError && error.kind === "unreachable" && state.landed === 0) {
          fail({ error, attempts: attempt, reason: "fatal" });
          return;
        }
        if (countsAsFailure(error)) failures++;
        const decision = o.retryPolicy.decide(error, attempt, { failures, elapsedMs: Date.now() - started });
        if (!decision.retry) {
          fail({ error, attempts: attempt, reason: decision.reason });
          return;
        }
        if (limited) o.limiter.pause(decision.delayMs);
        o.onRetry?.({ request: number, attempt, delayMs: decision.delayMs, rateLimited: limited, error });
        // A 429's wait is the pool-wide pause, which the limiter applies before the next try.
        if (!limited) await sleep(decision.delayMs, o.signal);
        continue;
      } finally {
        o.signal.removeEventListener("abort", forward);
      }
      // Landed: persist first (one transaction), then publish. A cache write error stops the run.
      o.land(r, got);
      state.landed++;
      return;
    }
  };

  const worker = async () => {
    while (!stopped()) {
      const next = queue.take();
      if (!next) {
        if (queue.done) return;
        await queue.changed();
        continue;
      }
      try {
        await runRequest(next.request, next.number);
      } catch (e) {
        // A cache write or an onProgress callback that threw: stop like any other failure, never
        // leave a dangling pool.
        fail({ error: e instanceof Error ? e : new Error(String(e)), attempts: 0 });
      }
    }
  };
  const onAbort = () => queue.wake();
  o.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    o.signal.removeEventListener("abort", onAbort);
  }
}
