import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { EmbeddingFetchError } from "../../src/embed/embedding-fetch-error.js";
import { EmbeddingFetcher, type FetchProgress } from "../../src/embed/embedding-fetcher.js";
import { OpenAIEmbedder } from "../../src/embed/openai-embedder.js";
import { expectedVector, OpenAITestServer, sha256 } from "../support/openai-test-server.js";
import { serverFingerprint } from "../../src/embed/embedder-identity.js";

const KEY = "testkey-test-fetcher-0123456789abcdef";
const DIMS = 16;
const fastRetry = { baseDelayMs: 5, maxDelayMs: 40 };

let server: OpenAITestServer;
let dir: string;
beforeAll(async () => {
  server = await OpenAITestServer.start({ apiKey: KEY });
  dir = mkdtempSync(join(tmpdir(), "sentivec-fetcher-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  server.reset();
  server.setLatency(0);
});

/** Most requests the server had open at one moment (answers at time t close before arrivals at t). */
function maxInFlight(log: { receivedAt: number; answeredAt: number }[]): number {
  const events = log.flatMap((l) => [
    [l.receivedAt, 1],
    [l.answeredAt, -1],
  ]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (open += d));
  return max;
}

const embedder = (opts: Partial<ConstructorParameters<typeof OpenAIEmbedder>[0]> = {}) =>
  new OpenAIEmbedder({ baseURL: server.url, apiKey: KEY, dimensions: DIMS, ...opts });
let cacheN = 0;
const newCache = () => new EmbeddingCache(join(dir, `c${++cacheN}.sqlite`));

describe("EmbeddingFetcher against the OpenAI-compatible server", () => {
  it("returns vectors in input order, duplicates included, each text embedded once", async () => {
    const texts = ["good film", "bad film", "good film", "meh", "bad film", "good film"];
    const { vectors, usage } = await new EmbeddingFetcher(embedder()).fetch(texts);
    expect(vectors).toHaveLength(texts.length);
    texts.forEach((t, i) => expect(Array.from(vectors[i])).toEqual(Array.from(expectedVector(t, DIMS))));
    expect(vectors[0]).toBe(vectors[2]);
    expect(usage).toMatchObject({ texts: 6, uniqueTexts: 3, cacheHits: 0, requests: 1, retries: 0 });
    expect(usage.tokens).toBe(server.log[0].tokens);
    expect(server.log[0].shas).toEqual(["good film", "bad film", "meh"].map(sha256));
  });

  it("decodes both float and base64 responses, and asks for base64 by default", async () => {
    const b64 = await new EmbeddingFetcher(embedder()).fetch(["x", "y"]);
    const flt = await new EmbeddingFetcher(embedder({ encodingFormat: "float" })).fetch(["x", "y"]);
    expect(server.log.map((l) => l.encoding)).toEqual(["base64", "float"]);
    expect(b64.vectors.map((v) => Array.from(v))).toEqual(flt.vectors.map((v) => Array.from(v)));
    expect(b64.vectors[0]).toBeInstanceOf(Float32Array);
  });

  it("serves repeats from the cache and writes each response as it lands", async () => {
    const cache = newCache();
    const f = new EmbeddingFetcher(embedder(), { cache });
    await f.fetch(["a", "b", "c"]);
    server.reset();
    const again = await f.fetch(["c", "d", "a"]);
    expect(again.usage).toMatchObject({ cacheHits: 2, requests: 1 });
    expect(server.log[0].shas).toEqual([sha256("d")]);
    expect(Array.from(again.vectors[0])).toEqual(Array.from(expectedVector("c", DIMS)));
    // The cache is namespaced by embedder id: other dimensions miss.
    const other = await new EmbeddingFetcher(embedder({ dimensions: 8 }), { cache }).fetch(["a"]);
    expect(other.usage.cacheHits).toBe(0);
    cache.close();
  });

  it("packs 5000 texts into the minimum 3 requests (2048-input limit)", async () => {
    const texts = Array.from({ length: 5000 }, (_, i) => `review number ${i}`);
    const { vectors, usage } = await new EmbeddingFetcher(embedder()).fetch(texts);
    expect(usage.requests).toBe(3);
    expect(server.log.map((l) => l.inputs).sort((a, b) => b - a)).toEqual([2048, 2048, 904]);
    expect(server.log.every((l) => l.status === 200)).toBe(true);
    expect(Array.from(vectors[4321])).toEqual(Array.from(expectedVector("review number 4321", DIMS)));
  });

  it("splits by the 300k-token request limit, counting tokens with tiktoken", async () => {
    // 80 texts of ~7,000 tokens = ~560k tokens: the count limit allows 1 request, tokens need 2.
    const word = (i: number) => ` w${i}`;
    const texts = Array.from({ length: 80 }, (_, i) => `${i}:` + Array.from({ length: 3500 }, (_, k) => word(k % 50)).join(""));
    const e = embedder();
    const total = texts.reduce((s, t) => s + e.countTokens(t), 0);
    expect(total).toBeGreaterThan(300_000);
    const f = new EmbeddingFetcher(e);
    const plan = await f.plan(texts);
    expect(plan.requests).toBe(Math.ceil(total / 300_000));
    expect(plan.tokens).toBe(total);
    const { usage } = await f.fetch(texts);
    expect(usage.requests).toBe(plan.requests);
    expect(server.log.every((l) => l.status === 200 && l.tokens <= 300_000)).toBe(true);
    expect(usage.tokens).toBe(total);
  });

  it("names the index and token count of an over-long input, or truncates it when asked", async () => {
    const long = Array.from({ length: 9000 }, (_, k) => ` t${k % 97}`).join("");
    const texts = ["short", "also short", long];
    const e = embedder();
    const tokens = e.countTokens(long);
    await expect(new EmbeddingFetcher(e).fetch(texts)).rejects.toThrow(new RegExp(`index 2 has ${tokens} tokens.*8192`));
    expect(server.log).toHaveLength(0);
    const cache = newCache();
    const f = new EmbeddingFetcher(e, { truncate: true, cache });
    const { vectors, usage } = await f.fetch(texts);
    expect(usage.truncated).toBe(1);
    expect(server.log[0].tokens).toBeLessThanOrEqual(3 + 8192);
    const cut = e.truncateToTokens(long, 8192);
    expect(e.countTokens(cut)).toBe(8192);
    expect(Array.from(vectors[2])).toEqual(Array.from(expectedVector(cut, DIMS)));
    // Rerun: truncated text found in the cache under the sha of what was sent.
    server.reset();
    const again = await f.fetch(texts);
    expect(again.usage).toMatchObject({ cacheHits: 3, requests: 0, truncated: 1 });
    cache.close();
  });

  it("gets OpenAI's own 400s when a request breaks the server's limits (not retried)", async () => {
    const loose = embedder({ limits: { maxInputsPerRequest: 5000 } });
    const texts = Array.from({ length: 2049 }, (_, i) => `t${i}`);
    const err = await new EmbeddingFetcher(loose, { retry: fastRetry }).fetch(texts).catch((e) => e);
    expect(err).toBeInstanceOf(EmbeddingFetchError);
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/array too long.*2048/);
    expect(server.log).toHaveLength(1);
  });

  it("gets OpenAI's 400s for over 300k tokens and over 8192 tokens per input when limits are ignored", async () => {
    const loose = embedder({ limits: { maxTokensPerRequest: 10_000_000, maxTokensPerInput: 1_000_000 } });
    const chunk = Array.from({ length: 4000 }, (_, k) => ` w${k % 50}`).join("");
    const big = Array.from({ length: 40 }, (_, i) => `${i}${chunk}`); // ~320k tokens, each ~8k
    const e1 = await new EmbeddingFetcher(loose, { retry: fastRetry }).fetch(big).catch((e) => e);
    expect(e1.status).toBe(400);
    expect(e1.message).toMatch(/Requested \d+ tokens, max 300000 tokens per request/);
    const e2 = await new EmbeddingFetcher(loose, { retry: fastRetry }).fetch([chunk + chunk + chunk]).catch((e) => e);
    expect(e2.status).toBe(400);
    expect(e2.message).toMatch(/maximum context length is 8192 tokens, however you requested \d+ tokens/);
    expect(server.log.map((l) => l.status)).toEqual([400, 400]);
  });

  it("reports a server that keeps sending malformed JSON or the wrong number of vectors", async () => {
    server.inject({ malformed: true }, 3);
    const e1 = await new EmbeddingFetcher(embedder(), { retry: { ...fastRetry, maxAttempts: 3 } }).fetch(["m"]).catch((e) => e);
    expect(e1.code).toBe("EMBED_RETRIES_EXHAUSTED");
    expect(e1.message).toMatch(/malformed JSON body.*Gave up after 3 tries/);
    server.inject({ wrongCount: true }, 2);
    const e2 = await new EmbeddingFetcher(embedder(), { retry: { ...fastRetry, maxAttempts: 2 } }).fetch(["m", "n"]).catch((e) => e);
    expect(e2.message).toMatch(/returned 1 vectors for 2 inputs.*Gave up after 2 tries.*0 of 2 unique texts were embedded/);
  });

  it("retries a 429 honouring retry-after-ms, and pauses the pool for it", async () => {
    server.inject({ status: 429, headers: { "retry-after-ms": "150" } });
    const started = Date.now();
    const retries: number[] = [];
    const { usage } = await new EmbeddingFetcher(embedder(), { retry: fastRetry, onRetry: (r) => retries.push(r.delayMs) }).fetch(["one"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(usage).toMatchObject({ requests: 2, retries: 1 });
    expect(retries[0]).toBeGreaterThanOrEqual(150);
  });

  it("retries a 429 from a real token budget using x-ratelimit-reset-* headers", async () => {
    const limited = await OpenAITestServer.start({ rateLimit: { requests: 2, windowMs: 300 } });
    try {
      const e = new OpenAIEmbedder({ baseURL: limited.url, dimensions: DIMS, limits: { maxInputsPerRequest: 1 } });
      const { vectors, usage } = await new EmbeddingFetcher(e, { retry: { ...fastRetry, maxAttempts: 8 } }).fetch(["a", "b", "c", "d", "e"]);
      expect(vectors).toHaveLength(5);
      expect(usage.retries).toBeGreaterThan(0);
      const refused = limited.log.filter((l) => l.status === 429);
      expect(refused.length).toBe(usage.retries);
      expect(limited.log.filter((l) => l.status === 200)).toHaveLength(5);
    } finally {
      await limited.close();
    }
  });

  it("retries a 429 without headers using its own backoff", async () => {
    server.inject({ status: 429, rateHeaders: false }, 2);
    const delays: number[] = [];
    const { usage } = await new EmbeddingFetcher(embedder(), { retry: fastRetry, onRetry: (r) => delays.push(r.delayMs) }).fetch(["x"]);
    expect(usage).toMatchObject({ requests: 3, retries: 2 });
    expect(delays[0]).toBeLessThanOrEqual(5);
    expect(delays[1]).toBeLessThanOrEqual(10);
  });

  it("retries 500/502/503, 408, dropped connections, malformed JSON and a wrong vector count, then succeeds", async () => {
    for (const f of [{ status: 500 }, { status: 502 }, { status: 503 }, { status: 408 }, { drop: true as const }, { malformed: true as const }, { wrongCount: true as const }]) server.inject(f);
    const { vectors, usage } = await new EmbeddingFetcher(embedder(), { retry: { ...fastRetry, maxAttempts: 10 } }).fetch(["p", "q"]);
    expect(usage).toMatchObject({ requests: 8, retries: 7 });
    expect(Array.from(vectors[1])).toEqual(Array.from(expectedVector("q", DIMS)));
  });

  it("gives up after the bounded tries and says how many texts are cached and left", async () => {
    const cache = newCache();
    const texts = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const e = embedder({ limits: { maxInputsPerRequest: 4 } }); // 3 requests: 4 + 4 + 2
    // 4 texts cached by an earlier run; now the server fails every try.
    await new EmbeddingFetcher(e, { cache }).fetch(texts.slice(0, 4));
    server.reset();
    server.inject({ status: 503 }, 100);
    const err = await new EmbeddingFetcher(e, { cache, concurrency: 1, retry: { ...fastRetry, maxAttempts: 3 } }).fetch(texts).catch((x) => x);
    expect(err).toBeInstanceOf(EmbeddingFetchError);
    expect(err.code).toBe("EMBED_RETRIES_EXHAUSTED");
    expect(err.message).toMatch(/HTTP 503/);
    expect(err.message).toMatch(/after 3 tries/);
    expect(err.message).toMatch(/4 of 10 unique texts are cached, 6 left/);
    expect(err).toMatchObject({ cached: 4, left: 6, attempts: 3, status: 503 });
    expect(server.log).toHaveLength(3);
    cache.close();
  });

  it("a 401 fails at once with a clear error", async () => {
    const bad = new OpenAIEmbedder({ baseURL: server.url, apiKey: "testkey-wrong-key-ffffffffffff", dimensions: DIMS });
    const err = await new EmbeddingFetcher(bad, { retry: fastRetry }).fetch(["x"]).catch((e) => e);
    expect(err.code).toBe("EMBED_HTTP_401");
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/HTTP 401: Incorrect API key/);
    expect(err.message).toMatch(/OPENAI_API_KEY/);
    expect(server.log).toHaveLength(1);
  });

  it("runs a sliding pool of N requests: a slow request does not hold back the rest", async () => {
    // Warm up first: the server's first token count loads the tokenizer, blocking the shared event
    // loop for a second or more, which would otherwise fall inside the slow request's window.
    await new EmbeddingFetcher(embedder()).fetch(["warm-up"]);
    server.reset();
    server.setLatency(30);
    server.inject({ delayMs: 400 }); // the first request to arrive is slow
    const e = embedder({ limits: { maxInputsPerRequest: 1 } });
    const texts = Array.from({ length: 9 }, (_, i) => `s${i}`);
    const progress: FetchProgress[] = [];
    const { usage } = await new EmbeddingFetcher(e, { concurrency: 2, onProgress: (p) => progress.push(p) }).fetch(texts);
    expect(usage.requests).toBe(9);
    // Never more than 2 in flight at once.
    expect(maxInFlight(server.log)).toBe(2);
    // While the slow one was out, the other slot kept going (waves would have waited for it).
    const slow = server.log.find((l) => l.fault === "slow")!;
    const during = server.log.filter((l) => l !== slow && l.receivedAt >= slow.receivedAt && l.answeredAt <= slow.answeredAt);
    expect(during.length).toBeGreaterThanOrEqual(6);
    expect(progress[0]).toMatchObject({ done: 0, total: 9, requestsPlanned: 9 });
    expect(progress.at(-1)).toMatchObject({ done: 9, total: 9, requestsDone: 9 });
  });

  it("stops cleanly on abort, keeping what already landed in the cache", async () => {
    server.setLatency(40);
    const cache = newCache();
    const e = embedder({ limits: { maxInputsPerRequest: 2 } });
    const texts = Array.from({ length: 20 }, (_, i) => `ab${i}`);
    const ac = new AbortController();
    const f = new EmbeddingFetcher(e, {
      cache,
      concurrency: 2,
      onProgress: (p) => {
        if (p.requestsDone === 2) ac.abort();
      },
    });
    const err = await f.fetch(texts, { signal: ac.signal }).catch((x) => x);
    expect(err).toBeInstanceOf(EmbeddingFetchError);
    expect(err.code).toBe("EMBED_ABORTED");
    // The 2 landed requests are cached; a response already on the wire when the abort came is paid
    // for and may land too, but nothing new starts.
    expect(err.cached).toBeGreaterThanOrEqual(4);
    expect(err.cached).toBeLessThanOrEqual(6);
    expect(err.left).toBe(20 - err.cached);
    expect(cache.stats().total).toBe(err.cached);
    const sent = server.log.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(server.log.length).toBe(sent); // nothing started after the abort
    // An already-aborted signal sends nothing.
    const pre = new AbortController();
    pre.abort();
    await expect(f.fetch(texts, { signal: pre.signal })).rejects.toThrow();
    expect(server.log.length).toBe(sent);
    cache.close();
  });

  it("plan() is a dry run: counts, cache hits, requests, tokens and estimated cost", async () => {
    const cache = newCache();
    const e = new OpenAIEmbedder({ baseURL: server.url, apiKey: KEY, model: "text-embedding-3-large", dimensions: 256 });
    const f = new EmbeddingFetcher(e, { cache });
    await f.fetch(["cached one"]);
    server.reset();
    const texts = ["cached one", "new one", "new one", "another"];
    const plan = await f.plan(texts);
    expect(server.log).toHaveLength(0);
    const tokens = e.countTokens("new one") + e.countTokens("another");
    // Another server than OpenAI's: its own id, and OpenAI's list price does not apply to it.
    expect(plan).toMatchObject({ embedderId: `openai:text-embedding-3-large@256~${serverFingerprint(server.url)}`, texts: 4, uniqueTexts: 3, cacheHits: 1, requests: 1, tokens });
    expect(plan.pricePerMillionTokens).toBeUndefined();
    expect(plan.estimatedCost).toBeUndefined();
    const custom = await new EmbeddingFetcher(e, { cache, prices: 1 }).plan(texts);
    expect(custom.estimatedCost).toBeCloseTo(tokens / 1e6, 12);
    cache.close();
  });
});
