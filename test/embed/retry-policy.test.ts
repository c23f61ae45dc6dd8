import { describe, expect, it } from "vitest";
import { EmbeddingRequestError } from "../../src/embed/embedding-request-error.js";
import { countsAsFailure, parseResetDuration, RetryPolicy, serverRequestedDelay } from "../../src/embed/retry-policy.js";

const http = (status: number, headers: Record<string, string> = {}) => new EmbeddingRequestError(`EMBED_HTTP_${status}`, `HTTP ${status}`, { kind: "http", status, headers });

describe("RetryPolicy", () => {
  it("parses OpenAI's x-ratelimit-reset-* durations", () => {
    expect(parseResetDuration("1s")).toBe(1000);
    expect(parseResetDuration("6m0s")).toBe(360_000);
    expect(parseResetDuration("120ms")).toBe(120);
    expect(parseResetDuration("1h2m3.5s")).toBe(3_723_500);
    expect(parseResetDuration("0.25s")).toBe(250);
    expect(parseResetDuration("2")).toBe(2000);
    expect(parseResetDuration("soon")).toBeUndefined();
  });

  it("reads retry-after-ms, then retry-after (seconds or HTTP date), then the longer reset header", () => {
    expect(serverRequestedDelay({ "retry-after-ms": "250", "retry-after": "9" })).toBe(250);
    expect(serverRequestedDelay({ "retry-after": "3" })).toBe(3000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(serverRequestedDelay({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, now)).toBe(5000);
    expect(serverRequestedDelay({ "x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s" })).toBe(360_000);
    expect(serverRequestedDelay({})).toBeUndefined();
  });

  it("retries 408/409/429/5xx, network and bad responses; not 400/401/404", () => {
    const p = new RetryPolicy();
    for (const s of [408, 409, 429, 500, 502, 503, 504]) expect(p.isRetryable(http(s))).toBe(true);
    for (const s of [400, 401, 403, 404, 422]) expect(p.isRetryable(http(s))).toBe(false);
    expect(p.isRetryable(new EmbeddingRequestError("X", "x", { kind: "network" }))).toBe(true);
    expect(p.isRetryable(new EmbeddingRequestError("X", "x", { kind: "bad-response" }))).toBe(true);
    expect(p.isRetryable(new EmbeddingRequestError("X", "x", { kind: "aborted" }))).toBe(false);
    expect(p.isRetryable(new Error("plain"))).toBe(false);
  });

  it("backs off exponentially with jitter, capped, and stops after maxAttempts", () => {
    const p = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 6, random: () => 0.999 });
    const delays = [1, 2, 3, 4, 5].map((a) => p.decide(http(503), a).delayMs);
    expect(delays).toEqual([100, 200, 400, 800, 1000]);
    const low = new RetryPolicy({ baseDelayMs: 100, random: () => 0 });
    expect(low.decide(http(503), 3).delayMs).toBe(200); // jitter keeps at least half
    expect(p.decide(http(503), 6).retry).toBe(false);
    expect(p.decide(http(400), 1).retry).toBe(false);
  });

  it("uses the server's delay when given, capped by maxServerDelayMs", () => {
    const p = new RetryPolicy({ random: () => 0, maxServerDelayMs: 5000 });
    expect(p.decide(http(429, { "retry-after-ms": "1234" }), 1)).toEqual({ retry: true, delayMs: 1234, fromServer: true });
    expect(p.decide(http(429, { "retry-after": "60" }), 1).delayMs).toBe(5000);
  });
});

describe("RetryPolicy time budget (issue 9, defect 3)", () => {
  it("defaults to 5 minutes and gives up when the next wait would pass the budget", () => {
    expect(new RetryPolicy().budgetMs).toBe(300_000);
    const p = new RetryPolicy({ baseDelayMs: 1000, random: () => 0.999, budgetMs: 5000 });
    expect(p.decide(http(503), 1, { elapsedMs: 3000 })).toMatchObject({ retry: true, delayMs: 1000 });
    expect(p.decide(http(503), 1, { elapsedMs: 4500 })).toMatchObject({ retry: false, reason: "budget" });
  });

  it("a 429, or any answer with retry-after, is waiting, not a failed try; reset headers alone are not a hint on a 500", () => {
    expect(countsAsFailure(http(429))).toBe(false);
    expect(countsAsFailure(http(503, { "retry-after": "2" }))).toBe(false);
    expect(countsAsFailure(http(503, { "x-ratelimit-reset-requests": "20ms" }))).toBe(true);
    expect(countsAsFailure(http(503))).toBe(true);
    const p = new RetryPolicy({ maxAttempts: 2, random: () => 0 });
    // 10 tries made, only 1 counted: retried.
    expect(p.decide(http(429, { "retry-after": "1" }), 10, { failures: 1 })).toMatchObject({ retry: true, delayMs: 1000 });
    expect(p.decide(http(500, { "x-ratelimit-reset-tokens": "6m0s" }), 1).delayMs).toBeLessThan(1000);
    expect(p.decide(http(500), 2)).toMatchObject({ retry: false, reason: "attempts" });
  });

  it("never retries a quota error", () => {
    const quota = new EmbeddingRequestError("EMBED_QUOTA", "q", { kind: "quota", status: 429 });
    expect(new RetryPolicy().decide(quota, 1)).toMatchObject({ retry: false, reason: "fatal" });
  });
});
