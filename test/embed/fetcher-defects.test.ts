/**
 * Issue 9's fetcher defects, one `describe` each, through the real `openai` SDK against the test
 * server. Each test fails on the code before the fix (noted per test).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { EmbeddingFetchError } from "../../src/embed/embedding-fetch-error.js";
import { EmbeddingFetcher, type RetryEvent } from "../../src/embed/embedding-fetcher.js";
import { OpenAIEmbedder, OPENAI_EMBEDDING_LIMITS } from "../../src/embed/openai-embedder.js";
import { OptionsError } from "../../src/errors.js";
import { expectedVector, OpenAITestServer, sha256 } from "../support/openai-test-server.js";
import { startPlainWebServer } from "../support/plain-web-server.js";

const DIMS = 8;
const fast = { baseDelayMs: 5, maxDelayMs: 40 };
let server: OpenAITestServer;
let dir: string;
beforeAll(async () => {
  server = await OpenAITestServer.start();
  dir = mkdtempSync(join(tmpdir(), "sentivec-defects-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => server.reset());

const embedder = (opts: Partial<ConstructorParameters<typeof OpenAIEmbedder>[0]> = {}, url = server.url) =>
  new OpenAIEmbedder({ baseURL: url, apiKey: "testkey-defects", dimensions: DIMS, ...opts });
let n = 0;
const newCache = () => new EmbeddingCache(join(dir, `c${++n}.sqlite`));
const allFinite = (c: EmbeddingCache) => [...c.export()].every((r) => r.vector.every((x) => Number.isFinite(x)));

describe("defect 1: every received value is checked for being finite", () => {
  for (const [format, kind] of [
    ["base64", "nan"],
    ["base64", "inf"],
    ["float", "inf"],
    ["float", "-inf"],
  ] as const) {
    it(`a ${kind} in a ${format} vector is a bad response: retried, never cached`, async () => {
      // Old code: decoded, cached and returned the non-finite vector.
      const cache = newCache();
      server.inject({ nonFinite: kind });
      const { vectors, usage } = await new EmbeddingFetcher(embedder({ encodingFormat: format }), { cache, retry: fast }).fetch(["good", "film"]);
      expect(usage).toMatchObject({ requests: 2, retries: 1 });
      expect(Array.from(vectors[0])).toEqual(Array.from(expectedVector("good", DIMS)));
      expect(allFinite(cache)).toBe(true);
      cache.close();
    });
  }

  it("a NaN cached by an earlier version is not served: the text is embedded again", async () => {
    // Old code: served the cached NaN vector forever.
    const cache = newCache();
    const e = embedder();
    const bad = new Float32Array(DIMS).fill(0.1);
    bad[3] = Number.NaN;
    cache.putMany(e.id, [{ sha: sha256("poisoned"), vector: bad }]);
    const { vectors, usage } = await new EmbeddingFetcher(e, { cache }).fetch(["poisoned"]);
    expect(usage.cacheHits).toBe(0);
    expect(Array.from(vectors[0])).toEqual(Array.from(expectedVector("poisoned", DIMS)));
    // The good vector replaced the bad row, so the text is not paid for again on the next run.
    const again = await new EmbeddingFetcher(e, { cache }).fetch(["poisoned"]);
    expect(again.usage).toMatchObject({ cacheHits: 1, requests: 0 });
    expect(Array.from(again.vectors[0])).toEqual(Array.from(expectedVector("poisoned", DIMS)));
    cache.close();
  });

  it("a NaN every time: gives up, and nothing is cached", async () => {
    const cache = newCache();
    server.inject({ nonFinite: "nan" }, 10);
    const err = await new EmbeddingFetcher(embedder(), { cache, retry: { ...fast, maxAttempts: 3 } }).fetch(["a"]).catch((e) => e);
    expect(err).toBeInstanceOf(EmbeddingFetchError);
    expect(err.message).toMatch(/non-finite value \(NaN\) at position 0 of vector 0.*Gave up after 3 tries/);
    expect(cache.stats().total).toBe(0);
    cache.close();
  });
});

describe("defect 3: retries have a time budget, and rate limits are waiting, not failures", () => {
  it("more 429s than maxAttempts, each with a retry hint, are waited out", async () => {
    // Old code: gave up after 6 tries whatever the server said.
    server.inject({ status: 429, headers: { "retry-after-ms": "20" } }, 8);
    const { usage } = await new EmbeddingFetcher(embedder(), { retry: { ...fast, maxAttempts: 3 } }).fetch(["x"]);
    expect(usage).toMatchObject({ requests: 9, retries: 8 });
  });

  it("a 429 without headers pauses the whole pool too", async () => {
    // Old code: only a 429 with a retry header paused the others; without one they kept sending.
    server.setLatency(20);
    server.inject({ status: 429, rateHeaders: false });
    const retries: RetryEvent[] = [];
    let seenAt = 0;
    const e = embedder({ limits: { maxInputsPerRequest: 1 } });
    // When each request is sent, from the client's side: the server's arrival times cannot tell a request
    // sent before the client read the 429 (in flight on a busy machine) from one sent after it.
    const sentAt: number[] = [];
    const embed = e.embed.bind(e);
    e.embed = (texts, options) => (sentAt.push(performance.now()), embed(texts, options));
    await new EmbeddingFetcher(e, {
      concurrency: 3,
      retry: { baseDelayMs: 200, maxDelayMs: 200, random: () => 0.999 },
      onRetry: (r) => (retries.push(r), (seenAt = performance.now())),
    }).fetch(["a", "b", "c", "d", "e", "f"]);
    server.setLatency(0);
    expect(retries).toHaveLength(1);
    expect(retries[0].rateLimited).toBe(true);
    // Every request sent once the client had read the 429 waited out the pause.
    const later = sentAt.filter((t) => t >= seenAt);
    expect(later.length).toBeGreaterThan(0);
    for (const t of later) expect(t - seenAt).toBeGreaterThanOrEqual(retries[0].delayMs - 5);
  });

  it("a server that fails every time is given up on when the time budget is spent, not only after N tries", async () => {
    // Old code: no budget; 100 tries allowed meant 100 tries.
    server.inject({ status: 503 }, 1000);
    const started = Date.now();
    const err = await new EmbeddingFetcher(embedder(), { retry: { baseDelayMs: 50, maxDelayMs: 50, maxAttempts: 100, budgetMs: 300 } }).fetch(["x"]).catch((e) => e);
    expect(err.code).toBe("EMBED_RETRIES_EXHAUSTED");
    expect(err.message).toMatch(/HTTP 503.*retry budget \(CLI: --retry-budget SECONDS\)/);
    expect(server.log.length).toBeLessThan(20);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a server asking to wait longer than the budget is given up on at once", async () => {
    server.inject({ status: 429, headers: { "retry-after": "60" } }, 5);
    const err = await new EmbeddingFetcher(embedder(), { retry: { ...fast, budgetMs: 2000 } }).fetch(["x"]).catch((e) => e);
    expect(err.message).toMatch(/retry budget/);
    expect(server.log).toHaveLength(1);
  });
});

describe("defect 4: rate limits are respected in advance", () => {
  it("paces by the x-ratelimit-* headers: 12 requests through a 4-per-second bucket get no 429", async () => {
    // Old code: sent all at once and learned the limit from 429s.
    const limited = await OpenAITestServer.start({ rateLimit: { requests: 4, windowMs: 1000 } });
    try {
      const e = embedder({ limits: { maxInputsPerRequest: 1 } }, limited.url);
      const { usage } = await new EmbeddingFetcher(e, { concurrency: 4, retry: fast }).fetch(Array.from({ length: 12 }, (_, i) => `r${i}`));
      expect(limited.log.filter((l) => l.status === 429)).toHaveLength(0);
      expect(usage.requests).toBe(12);
    } finally {
      await limited.close();
    }
  });

  it("paces tokens by the headers too (exact counts, not byte bounds)", async () => {
    const limited = await OpenAITestServer.start({ rateLimit: { tokens: 60, windowMs: 1000 } });
    try {
      const e = embedder({ limits: { maxInputsPerRequest: 2 } }, limited.url);
      const texts = Array.from({ length: 16 }, (_, i) => `a somewhat longer text number ${i}`); // ~7 tokens each
      await new EmbeddingFetcher(e, { concurrency: 4, retry: fast }).fetch(texts);
      expect(limited.log.filter((l) => l.status === 429)).toHaveLength(0);
      expect(limited.log.filter((l) => l.status === 200)).toHaveLength(8);
    } finally {
      await limited.close();
    }
  });

  it("paces by requestsPerMinute for a server that sends no headers", async () => {
    const quiet = await OpenAITestServer.start({ rateLimit: { requests: 3, windowMs: 1000, headers: false } });
    try {
      const e = embedder({ limits: { maxInputsPerRequest: 1 } }, quiet.url);
      e.countTokens("load the tokenizer now"); // its first load blocks the event loop the server shares
      const texts = Array.from({ length: 6 }, (_, i) => `q${i}`);
      // 120 per minute against a server allowing 180: a margin for the first connection's set-up
      // time, which shifts when the first requests arrive relative to when they were let through.
      await new EmbeddingFetcher(e, { concurrency: 4, retry: fast, requestsPerMinute: 120 }).fetch(texts);
      expect(quiet.log.filter((l) => l.status === 429)).toHaveLength(0);
    } finally {
      await quiet.close();
    }
  });

  it("refuses a non-positive rate", () => {
    expect(() => new EmbeddingFetcher(embedder(), { tokensPerMinute: 0 })).toThrow(OptionsError);
  });
});

describe("defect 5: insufficient_quota stops at once with a billing hint", () => {
  it("one request, no retries, no 'lower --concurrency', no 'run again'", async () => {
    // Old code: retried 6 times, then suggested lowering --concurrency.
    const cache = newCache();
    server.inject({ quota: true }, 10);
    const err = await new EmbeddingFetcher(embedder(), { cache, retry: fast }).fetch(["x"]).catch((e) => e);
    expect(err.code).toBe("EMBED_QUOTA");
    expect(err.message).toMatch(/insufficient_quota.*exceeded your current quota.*billing/);
    expect(err.message).not.toMatch(/concurrency|run again/);
    expect(server.log).toHaveLength(1);
    cache.close();
  });
});

describe("defect 6: OpenAI's per-input limit is 8192 tokens", () => {
  it("a text of exactly 8192 tokens is sent and accepted", async () => {
    // Old code: refused it before sending (limit 8191), and so did the test server.
    expect(OPENAI_EMBEDDING_LIMITS.maxTokensPerInput).toBe(8192);
    const e = embedder();
    const text = e.truncateToTokens(Array.from({ length: 9000 }, (_, k) => ` t${k % 97}`).join(""), 8192);
    expect(e.countTokens(text)).toBe(8192);
    const { vectors } = await new EmbeddingFetcher(e).fetch([text]);
    expect(Array.from(vectors[0])).toEqual(Array.from(expectedVector(text, DIMS)));
    expect(server.log.map((l) => [l.status, l.tokens])).toEqual([[200, 8192]]);
  });
});

describe("defect 7: empty texts are refused before anything is sent", () => {
  it("names the index; nothing is sent", async () => {
    // Old code: sent it, and OpenAI's 400 sank the whole request.
    const err = await new EmbeddingFetcher(embedder()).fetch(["fine", "also fine", ""]).catch((e) => e);
    expect(err).toBeInstanceOf(OptionsError);
    expect(err.message).toMatch(/Text at index 2 is empty/);
    expect(server.log).toHaveLength(0);
  });
});

describe("defect 8: network errors name their cause; a bad base URL is refused at once", () => {
  it("a server that is down: ECONNREFUSED with the address, one try", async () => {
    // Old code: "could not be reached: fetch failed", after 6 tries over ~12 s.
    const gone = await OpenAITestServer.start();
    const url = gone.url;
    await gone.close();
    const port = new URL(url).port;
    const retries: RetryEvent[] = [];
    const err = await new EmbeddingFetcher(embedder({}, url), { onRetry: (r) => retries.push(r) }).fetch(["x"]).catch((e) => e);
    expect(err.message).toMatch(new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    expect(err.message).not.toMatch(/fetch failed|run again/);
    expect(retries).toHaveLength(0);
  });

  for (const bad of ["localhost:8080/v1", "ftp://example.com/v1", "not a url"]) {
    it(`refuses the base URL "${bad}" when the embedder is made`, () => {
      expect(() => embedder({}, bad)).toThrow(/--base-url .*(is not a valid URL|must be an http:\/\/ or https:\/\/ URL)/);
    });
  }
});

describe("defect 9: errors a rerun cannot fix do not say 'run again'; odd error bodies keep their message", () => {
  it("401", async () => {
    const keyed = await OpenAITestServer.start({ apiKey: "testkey-right" });
    try {
      const err = await new EmbeddingFetcher(embedder({ apiKey: "testkey-wrong-0000" }, keyed.url), { cache: newCache() }).fetch(["x"]).catch((e) => e);
      expect(err.message).toMatch(/HTTP 401: Incorrect API key.*0 of 1 unique texts are cached, 1 left\. Check OPENAI_API_KEY/);
      expect(err.message).not.toMatch(/run again/);
    } finally {
      await keyed.close();
    }
  });

  it("404 for a model the server does not have", async () => {
    const err = await new EmbeddingFetcher(embedder({ model: "no-such-model" }), { cache: newCache() }).fetch(["x"]).catch((e) => e);
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/The model `no-such-model` does not exist.*Check the model name/);
    expect(err.message).not.toMatch(/run again/);
  });

  it("413 suggests --max-tokens-per-request", async () => {
    const small = await OpenAITestServer.start({ maxBodyBytes: 200 });
    try {
      const err = await new EmbeddingFetcher(embedder({}, small.url), { cache: newCache() }).fetch(Array.from({ length: 40 }, (_, i) => `text ${i}`)).catch((e) => e);
      expect(err.status).toBe(413);
      expect(err.message).toMatch(/HTTP 413: 413 Request Entity Too Large.*--max-tokens-per-request/);
      expect(err.message).not.toMatch(/run again|<html|<center/);
      expect(small.log).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it("a plain web server's 404 page keeps its message (Cannot POST /v1/embeddings)", async () => {
    // Old code: 404 "Not Found"-style status text only.
    const plain = await startPlainWebServer();
    try {
      const url = plain.url;
      const err = await new EmbeddingFetcher(embedder({}, url)).fetch(["x"]).catch((e) => e);
      expect(err.message).toMatch(/HTTP 404: Cannot POST \/v1\/embeddings\./);
    } finally {
      await plain.close();
    }
  });
});

describe("defect 13: long texts are token-counted ahead of the pool, not in its way", () => {
  it("the first request is sent before the long texts further down are counted", async () => {
    // Old code: every text over 8192 bytes was counted before anything was sent.
    const inner = embedder({ limits: { maxInputsPerRequest: 10 } });
    const events: string[] = [];
    const long = (i: number) => `${i} ${Array.from({ length: 2200 }, (_, k) => `w${k % 89}`).join(" ")}`; // > 8192 bytes, < 8192 tokens
    const texts = [...Array.from({ length: 10 }, (_, i) => `short ${i}`), ...Array.from({ length: 30 }, (_, i) => long(i))];
    const watched = {
      id: inner.id,
      dimensions: inner.dimensions,
      limits: inner.limits,
      tokenCountAtMostUtf8Bytes: true,
      countTokens: (t: string) => {
        if (t.length > 8192) events.push("count-long");
        return inner.countTokens(t);
      },
      embed: (batch: string[], o?: { signal?: AbortSignal }) => {
        events.push("send");
        return inner.embed(batch, o);
      },
    };
    const { vectors } = await new EmbeddingFetcher(watched, { concurrency: 1 }).fetch(texts);
    expect(vectors).toHaveLength(40);
    expect(events.indexOf("send")).toBeGreaterThanOrEqual(0);
    expect(events.indexOf("send")).toBeLessThan(events.lastIndexOf("count-long"));
  });

  it("an over-long text is still refused, naming its index and count, when the planner reaches it", async () => {
    const e = embedder();
    const long = Array.from({ length: 9000 }, (_, k) => ` t${k % 97}`).join("");
    const err = await new EmbeddingFetcher(e).fetch(["fine", long]).catch((x) => x);
    expect(err.message).toMatch(new RegExp(`Text at index 1 has ${e.countTokens(long)} tokens; the embedder accepts at most 8192 per input`));
    expect(server.log).toHaveLength(0);
  });
});
