import { OptionsError } from "../errors.js";
import { EmbeddingRequestError } from "./embedding-request-error.js";

export interface RetryPolicyOptions {
  /** Total tries per request, the first one included. Default 6. */
  maxAttempts?: number;
  /** Backoff before the first retry when the server gives no hint, in ms. Default 500. */
  baseDelayMs?: number;
  /** Cap on the computed backoff, in ms. Default 20,000. */
  maxDelayMs?: number;
  /**
   * Cap on a delay the server asks for through headers, in ms. Default 120,000: a server asking for
   * longer is obeyed only up to this, then the try counts like any other.
   */
  maxServerDelayMs?: number;
  /**
   * Longest time one request may keep failing and waiting, in ms, from its first try to the start
   * of its next one. Default 300,000 (5 minutes): OpenAI's per-minute limits refill within 60 s, so
   * this rides out several full rate-limit windows and a short outage, yet a dead server or a
   * per-day limit ends the run in minutes rather than hanging it for hours. Rate-limit waits count
   * against it; they do not count as failed tries.
   */
  budgetMs?: number;
  /** Random source in [0, 1) for jitter; Math.random by default (tests may seed it). */
  random?: () => number;
}

export const DEFAULT_RETRY_BUDGET_MS = 300_000;

/** Where one request stands in its retries (see RetryPolicy.decide). */
export interface RetryState {
  /** Failed tries that count against maxAttempts (a 429 rate limit does not count). Default: `attempt`. */
  failures?: number;
  /** ms since the request's first try. Default 0. */
  elapsedMs?: number;
}

export interface RetryDecision {
  retry: boolean;
  /** How long to wait before the next try, in ms (0 when not retrying). */
  delayMs: number;
  /** True when the delay came from the server's headers rather than our backoff. */
  fromServer: boolean;
  /** Why not, when not retrying: not retryable, out of tries, or out of time. */
  reason?: "fatal" | "attempts" | "budget";
}

/** HTTP statuses worth another try: timeout, conflict, rate limit, and every server-side error. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Parses the duration format OpenAI uses in x-ratelimit-reset-* headers: Go-style "1s", "6m0s",
 * "120ms", "1h2m3.5s", or a bare number of seconds. Returns ms, or undefined when unreadable.
 */
export function parseResetDuration(value: string): number | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, "µs": 0.001, ns: 1e-6 };
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/y;
  let total = 0;
  let pos = 0;
  while (pos < v.length) {
    re.lastIndex = pos;
    const m = re.exec(v);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]];
    pos = re.lastIndex;
  }
  return total;
}

/**
 * The wait the server asked for, in ms, or undefined when it gave none. Precedence follows the
 * OpenAI SDK: retry-after-ms (exact), then retry-after (seconds or an HTTP date); failing both, and
 * only for a rate limit (`resets`), the longer of the two x-ratelimit-reset-* values, since both
 * budgets must have room again. (Every OpenAI response carries the reset headers; on a 500 they say
 * when the bucket is full again, not when to come back.)
 */
export function serverRequestedDelay(headers: Record<string, string>, now = Date.now(), { resets = true }: { resets?: boolean } = {}): number | undefined {
  const ms = headers["retry-after-ms"];
  if (ms !== undefined && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers["retry-after"];
  if (ra !== undefined && ra.trim() !== "") {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) return Number(ra) * 1000;
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  if (!resets) return undefined;
  const values = ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"]
    .map((h) => (headers[h] === undefined ? undefined : parseResetDuration(headers[h])))
    .filter((x): x is number => x !== undefined);
  return values.length ? Math.max(...values) : undefined;
}

/** A 429 that asks us to slow down (not a quota/billing one, which EmbeddingRequestError marks kind "quota"). */
export function isRateLimit(error: unknown): boolean {
  return error instanceof EmbeddingRequestError && error.kind === "http" && error.status === 429;
}

/**
 * Whether a failure counts against maxAttempts. A 429, or any answer carrying a retry-after or
 * x-ratelimit-reset hint, is the server telling us when to come back: that is waiting, bounded by
 * the time budget, not a failed try.
 */
export function countsAsFailure(error: unknown): boolean {
  if (isRateLimit(error)) return false;
  return !(error instanceof EmbeddingRequestError && serverRequestedDelay(error.headers, Date.now(), { resets: false }) !== undefined);
}

/**
 * Decides whether a failed embedding request is tried again and after how long. Only failures that
 * another try can fix are retried: 408/409/429/5xx, network errors and garbled 2xx bodies. Backoff is
 * exponential with jitter (so parallel requests that failed together do not come back together),
 * replaced by the server's own hint when it sends one.
 *
 * Two bounds: `maxAttempts` counts real failures (5xx, network, bad bodies); a 429 rate limit is the
 * server saying "later", not "broken", so it never counts as a failed try. `budgetMs` bounds the
 * time a request spends failing and waiting, whatever the cause, so a storm of 429s is waited out
 * for as long as the budget allows and no longer.
 */
export class RetryPolicy {
  readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxServerDelayMs: number;
  readonly budgetMs: number;
  private readonly random: () => number;

  constructor(options: RetryPolicyOptions = {}) {
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 6));
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.maxServerDelayMs = options.maxServerDelayMs ?? 120_000;
    this.budgetMs = options.budgetMs ?? DEFAULT_RETRY_BUDGET_MS;
    if (!(this.budgetMs >= 0)) throw new OptionsError("EMBED_RETRY_BUDGET", `Retry budget must be a non-negative number of ms, got ${options.budgetMs}.`);
    this.random = options.random ?? Math.random;
  }

  /** Is this error one a later try could fix? */
  isRetryable(error: unknown): boolean {
    if (!(error instanceof EmbeddingRequestError)) return false;
    if (error.kind === "network" || error.kind === "unreachable" || error.kind === "bad-response") return true;
    return error.kind === "http" && error.status !== undefined && isRetryableStatus(error.status);
  }

  /**
   * `attempt` is the 1-based number of the try that just failed (it drives the backoff's growth);
   * `state` says how many of those tries count as failures and how long the request has been at it.
   */
  decide(error: unknown, attempt: number, state: RetryState = {}): RetryDecision {
    const failures = state.failures ?? attempt;
    if (!this.isRetryable(error)) return { retry: false, delayMs: 0, fromServer: false, reason: "fatal" };
    if (failures >= this.maxAttempts) return { retry: false, delayMs: 0, fromServer: false, reason: "attempts" };
    let decision: RetryDecision;
    const hinted = serverRequestedDelay((error as EmbeddingRequestError).headers, Date.now(), { resets: isRateLimit(error) });
    if (hinted !== undefined) {
      // A little jitter on top keeps N requests told "1s" from arriving in the same millisecond.
      const delay = Math.min(hinted, this.maxServerDelayMs);
      decision = { retry: true, delayMs: delay + Math.floor(this.random() * Math.min(250, delay * 0.1)), fromServer: true };
    } else {
      // Exponential growth capped; the random factor in [0.5, 1) spreads retries yet keeps a floor.
      const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
      decision = { retry: true, delayMs: Math.round(exp * (0.5 + 0.5 * this.random())), fromServer: false };
    }
    // Waiting past the budget only to give up then helps no one: give up now.
    if ((state.elapsedMs ?? 0) + decision.delayMs > this.budgetMs) return { retry: false, delayMs: 0, fromServer: decision.fromServer, reason: "budget" };
    return decision;
  }
}
