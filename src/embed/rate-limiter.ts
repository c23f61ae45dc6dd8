import { OptionsError } from "../errors.js";
import { parseResetDuration } from "./retry-policy.js";

export interface RateLimiterOptions {
  /**
   * Requests per minute to stay under, for servers that send no x-ratelimit-* headers. Paced
   * evenly (bursts of at most one second's worth), since such servers may count over any window.
   */
  requestsPerMinute?: number;
  /** Tokens per minute to stay under, likewise. */
  tokensPerMinute?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

/** A request the limiter let through; give it back to `observe`/`release` when it ends. */
export interface RateTicket {
  readonly seq: number;
  readonly tokens: number;
}

/**
 * One budget (requests or tokens) modelled as the bucket OpenAI describes: `capacity` at most,
 * refilled continuously at `ratePerMs` (x-ratelimit-reset-* is the time until it is full again, e.g.
 * "12ms" for one request of a 5,000-per-minute limit). `level` may go below zero: a request larger
 * than the bucket's burst is let through when the bucket is full, and the debt is paid by waiting.
 */
interface Bucket {
  capacity: number;
  ratePerMs: number;
  level: number;
  at: number;
}

/**
 * Paces requests so a run stays inside the server's rate limits instead of learning them from 429s.
 *
 * - With --rpm/--tpm (options), requests are spaced evenly at that rate from the start.
 * - From every response's x-ratelimit-limit/remaining/reset-requests and -tokens headers (429s
 *   included) it learns the server's limits and what is left of them, and never sends a request the
 *   server's bucket has no room for. Limits are per minute by name, but the refill rate is read from
 *   the headers ((limit - remaining) / reset) so servers with other windows are paced right too.
 * - A 429 pauses everything (`pause`): every request shares the one limit, so the others would
 *   only be refused too.
 *
 * Before the first response nothing is known, so the first requests (up to the pool's concurrency)
 * go out unpaced; a server's `remaining` is read as of its own bookkeeping, minus what we sent
 * after that request (which it may not have counted yet), so the estimate errs on the safe side.
 */
export class RateLimiter {
  private readonly now: () => number;
  private readonly configured: { requests?: Bucket; tokens?: Bucket };
  private readonly learned: { requests?: Bucket; tokens?: Bucket } = {};
  private pausedUntil = 0;
  private seq = 0;
  private tokensHeldBack = false;
  /** The newest request whose answer has been read: its headers are the server's freshest word. */
  private newestObserved = 0;
  /** Tickets out (sent, not yet answered), by seq. */
  private readonly open = new Map<number, RateTicket>();

  constructor(options: RateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    const t = this.now();
    this.configured = {
      requests: evenBucket(options.requestsPerMinute, "requestsPerMinute (--rpm)", t),
      tokens: evenBucket(options.tokensPerMinute, "tokensPerMinute (--tpm)", t),
    };
  }

  /** Whether any answer has been read yet (before that, nothing is known of the server's limits). */
  get answered(): boolean {
    return this.newestObserved > 0;
  }

  /** Whether a token count matters for pacing (so the caller should count tokens exactly). */
  get pacesTokens(): boolean {
    return this.configured.tokens !== undefined || this.learned.tokens !== undefined;
  }

  /** Stop every new request for `ms` (a 429 seen by any request). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /** ms until a request of `tokens` may go (0: now). */
  waitFor(tokens: number): number {
    const now = this.now();
    let wait = Math.max(0, this.pausedUntil - now);
    for (const [b, need, isTokens] of this.buckets(tokens)) {
      refill(b, now);
      // A request larger than the bucket goes when the bucket is full (and leaves a debt).
      const want = Math.min(need, b.capacity);
      if (b.level < want) {
        wait = Math.max(wait, Math.ceil((want - b.level) / b.ratePerMs));
        if (isTokens) this.tokensHeldBack = true;
      }
    }
    return wait;
  }

  /**
   * Whether the token budget has held a request back at least once: from then on true sizes matter
   * (byte bounds, ~4x the tokens of English text, would hold requests back for nothing), and the
   * fetcher counts texts exactly. Until then counting would only cost CPU time.
   */
  get tokensBinding(): boolean {
    return this.tokensHeldBack;
  }

  /**
   * Waits until a request of `tokens` fits every known budget, then takes it from them. Resolves
   * undefined if `signal` aborts first.
   */
  async acquire(tokens: number, signal: AbortSignal): Promise<RateTicket | undefined> {
    for (;;) {
      if (signal.aborted) return undefined;
      const wait = this.waitFor(tokens);
      if (wait <= 0) break;
      await sleep(wait, signal);
    }
    for (const [b, need] of this.buckets(tokens)) b.level -= need;
    const ticket: RateTicket = { seq: ++this.seq, tokens };
    this.open.set(ticket.seq, ticket);
    return ticket;
  }

  /**
   * A request's exact token count, learned after it was let through on an estimate (the UTF-8 byte
   * bound): the difference goes back to the token budgets, and the ticket counts exactly from now on
   * when later answers are read.
   */
  adjust(ticket: RateTicket, tokens: number): void {
    const t = this.open.get(ticket.seq);
    if (!t || tokens >= t.tokens) return;
    for (const b of [this.configured.tokens, this.learned.tokens]) if (b) b.level += t.tokens - tokens;
    (t as { tokens: number }).tokens = tokens;
  }

  /**
   * The answer to `ticket` arrived (success or failure) with these headers (lower-case names).
   * `charged: false` gives the ticket's share back: the server refused it (a 429) without counting it.
   */
  observe(ticket: RateTicket, headers: Record<string, string> | undefined, { charged = true }: { charged?: boolean } = {}): void {
    const open = this.open.get(ticket.seq);
    this.open.delete(ticket.seq);
    if (!charged && open) {
      for (const [b, need] of this.buckets(open.tokens)) b.level += need;
    }
    if (!headers) return;
    const now = this.now();
    // What we sent after this request: the server may not have counted it in `remaining` yet.
    let laterRequests = 0;
    let laterTokens = 0;
    for (const t of this.open.values()) {
      if (t.seq > ticket.seq) {
        laterRequests++;
        laterTokens += t.tokens;
      }
    }
    const fresh = ticket.seq > this.newestObserved;
    if (fresh) this.newestObserved = ticket.seq;
    this.learn("requests", headers, now, laterRequests, fresh);
    this.learn("tokens", headers, now, laterTokens, fresh);
  }

  private learn(kind: "requests" | "tokens", headers: Record<string, string>, now: number, later: number, fresh: boolean): void {
    const limit = Number(headers[`x-ratelimit-limit-${kind}`]);
    const remaining = Number(headers[`x-ratelimit-remaining-${kind}`]);
    if (!(limit > 0) || !Number.isFinite(remaining)) return;
    const resetRaw = headers[`x-ratelimit-reset-${kind}`];
    const reset = resetRaw === undefined ? undefined : parseResetDuration(resetRaw);
    // The refill rate: the headers' own ((limit - remaining) over the time to full), else limit per minute.
    let ratePerMs = limit / 60_000;
    if (reset !== undefined && reset > 0 && limit - remaining > 0) ratePerMs = (limit - remaining) / reset;
    const level = Math.min(limit, remaining) - later;
    const b = this.learned[kind];
    if (!b) {
      this.learned[kind] = { capacity: limit, ratePerMs, level, at: now };
      return;
    }
    refill(b, now);
    b.capacity = limit;
    b.ratePerMs = ratePerMs;
    // The answer to the newest request sent is the server's own count: it replaces our estimate (which
    // may have charged upper bounds, or missed other clients of the same organisation). An older answer
    // may report more room than newer ones showed, so it can only lower the estimate.
    b.level = fresh ? level : Math.min(b.level, level);
  }

  private *buckets(tokens: number): Generator<[Bucket, number, boolean]> {
    for (const b of [this.configured.requests, this.learned.requests]) if (b) yield [b, 1, false];
    for (const b of [this.configured.tokens, this.learned.tokens]) if (b) yield [b, tokens, true];
  }
}

/** A bucket for a user-given per-minute rate: starts with one second's worth, refills evenly. */
function evenBucket(perMinute: number | undefined, name: string, now: number): Bucket | undefined {
  if (perMinute === undefined) return undefined;
  if (!(Number.isFinite(perMinute) && perMinute > 0)) throw new OptionsError("EMBED_RATE_LIMIT", `${name} must be a positive number, got ${perMinute}.`);
  const ratePerMs = perMinute / 60_000;
  const capacity = Math.max(1, perMinute / 60);
  return { capacity, ratePerMs, level: capacity, at: now };
}

function refill(b: Bucket, now: number): void {
  if (now > b.at) {
    b.level = Math.min(b.capacity, b.level + (now - b.at) * b.ratePerMs);
    b.at = now;
  }
}

/** setTimeout as a promise that an AbortSignal cuts short (resolves; the caller checks the signal). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
