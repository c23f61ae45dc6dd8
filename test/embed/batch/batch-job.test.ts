import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BatchEmbeddingJob } from "../../../src/embed/batch/batch-embedding-job.js";
import { EmbeddingCache } from "../../../src/embed/embedding-cache.js";
import { OpenAIEmbedder } from "../../../src/embed/openai-embedder.js";
import { textSha } from "../../../src/embed/text-sha.js";
import { expectedVector, OpenAITestServer } from "../../support/openai-test-server.js";

const KEY = "testkey-batch-lib-LEAKCHECK-123456";
let dir: string;
let server: OpenAITestServer;
let n = 0;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentivec-batch-"));
  server = await OpenAITestServer.start({ apiKey: KEY });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const DIMS = 16;
function setup(limits?: { maxInputsPerRequest?: number }) {
  const cache = new EmbeddingCache(join(dir, `cache-${++n}.sqlite`));
  const embedder = new OpenAIEmbedder({ model: "text-embedding-3-small", dimensions: DIMS, baseURL: server.url, apiKey: KEY, limits });
  const options = { cache, apiKey: KEY, baseURL: server.url };
  return { cache, embedder, options };
}
const texts = (count: number, tag = "t") => Array.from({ length: count }, (_, i) => `${tag} text number ${i}`);
function rowCount(cache: EmbeddingCache): number {
  return cache.database.prepare("SELECT count(*) FROM embeddings").pluck().get() as number;
}
function expectCached(cache: EmbeddingCache, embedderId: string, ts: string[]) {
  const got = cache.getMany(embedderId, ts.map(textSha));
  expect(got.size).toBe(ts.length);
  for (const t of ts) expect(Array.from(got.get(textSha(t))!)).toEqual(Array.from(expectedVector(t, DIMS)));
}

describe("BatchEmbeddingJob against the test server", () => {
  it("splits at the per-batch input cap, matches shuffled output by custom_id, and fills the cache", async () => {
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 10 });
    const ts = texts(95);
    // 10 inputs per request, 40 inputs per batch: 10 requests in 3 batches.
    const opts = { ...options, limits: { maxInputsPerBatch: 40 } };
    const plan = await BatchEmbeddingJob.plan(embedder, ts, opts);
    expect(plan).toMatchObject({ toEmbed: 95, requests: 10, minimumRequests: 10, batches: 3, minimumBatches: 3 });
    const job = await BatchEmbeddingJob.submit(embedder, ts, opts);
    const r = await job.collect({ wait: true, pollIntervalMs: 10 });
    expect(r.status.parts.map((p) => p.status)).toEqual(["completed", "completed", "completed"]);
    expect(r.status.texts).toEqual({ total: 95, done: 95, left: 0 });
    expect(r.stored).toBe(10);
    expect(rowCount(cache)).toBe(95);
    expectCached(cache, embedder.id, ts);
    expect(server.batch.log.filter((e) => e.route === "files.create")).toHaveLength(3);
    expect(server.batch.log.filter((e) => e.route === "batches.create")).toHaveLength(3);
    // A second job for the same texts has nothing to do.
    const again = await BatchEmbeddingJob.plan(embedder, ts, opts);
    expect(again).toMatchObject({ cacheHits: 95, toEmbed: 0, batches: 0, requests: 0 });
    cache.close();
  });

  it("records failed requests with their error bodies and resubmits only those with retryFailed", async () => {
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 5 });
    const ts = texts(100, "f");
    server.batch.controls.failShare = 0.25;
    const job = await BatchEmbeddingJob.submit(embedder, ts, options);
    const r = await job.collect({ wait: true, pollIntervalMs: 10 });
    expect(r.status.requests).toMatchObject({ total: 20, done: 15, failed: 5 });
    expect(r.failures[0].error).toMatch(/HTTP 500: .*server_error/);
    expect(rowCount(cache)).toBe(75);
    server.batch.controls.failShare = 0;
    const before = server.batch.log.filter((e) => e.route === "files.create").length;
    const r2 = await job.collect({ wait: true, retryFailed: true, pollIntervalMs: 10 });
    expect(r2.resubmitted).toBe(5);
    expect(r2.status.requests).toMatchObject({ done: 20, failed: 0 });
    expect(rowCount(cache)).toBe(100);
    expectCached(cache, embedder.id, ts);
    // The retry uploaded one file holding the 5 failed requests only.
    const uploads = server.batch.log.filter((e) => e.route === "files.create");
    expect(uploads.length - before).toBe(1);
    const last = [...server.batch.batches.values()].at(-1)!;
    expect(last.batch.request_counts.total).toBe(5);
    cache.close();
  });

  it("keeps what an expired batch completed and resubmits the rest", async () => {
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 4 });
    const ts = texts(40, "e");
    server.batch.controls.expireNext = 0.5;
    const job = await BatchEmbeddingJob.submit(embedder, ts, options);
    const r = await job.collect({ wait: true, pollIntervalMs: 10 });
    expect(r.resubmitted).toBe(5);
    expect(r.status.parts.map((p) => p.status)).toEqual(["expired", "completed"]);
    expect(r.status.texts).toEqual({ total: 40, done: 40, left: 0 });
    expect(rowCount(cache)).toBe(40);
    cache.close();
  });

  it("counts a NaN vector as a failed request and never caches it", async () => {
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 5 });
    const ts = texts(20, "n");
    server.batch.controls.nanLines = 1;
    server.batch.controls.shuffle = false;
    const job = await BatchEmbeddingJob.submit(embedder, ts, options);
    const r = await job.collect({ wait: true, pollIntervalMs: 10 });
    expect(r.status.requests).toMatchObject({ done: 3, failed: 1 });
    expect(r.failures[0]).toMatchObject({ customId: "r1" });
    expect(r.failures[0].error).toMatch(/non-finite value \(NaN\)/);
    expect(rowCount(cache)).toBe(15);
    expect(cache.getMany(embedder.id, ts.slice(0, 5).map(textSha)).size).toBe(0);
    cache.close();
  });

  it("names a malformed output line and keeps the other lines", async () => {
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 5 });
    const ts = texts(20, "m");
    server.batch.controls.malformedLines = 1;
    server.batch.controls.shuffle = false;
    const job = await BatchEmbeddingJob.submit(embedder, ts, options);
    const r = await job.collect({ wait: true, pollIntervalMs: 10 });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 1, reason: expect.stringMatching(/not valid JSON/) });
    expect(r.status.requests).toMatchObject({ done: 3, failed: 1 });
    expect(rowCount(cache)).toBe(15);
    cache.close();
  });

  it("reports a batch that failed at validation (a line over the limits) with its errors", async () => {
    // An embedder told it may send 3,000 inputs per request: the server's validation refuses the line.
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 3000 });
    const ts = texts(2100, "v");
    const job = await BatchEmbeddingJob.submit(embedder, ts, options);
    const r = await job.collect({ wait: true, pollIntervalMs: 10 });
    expect(r.status.parts[0].status).toBe("failed");
    expect(r.status.parts[0].errors![0]).toMatch(/^line 1: Invalid 'input': array too long/);
    expect(r.status.requests).toMatchObject({ done: 0, failed: 1 });
    expect(r.failures[0].error).toMatch(/batch failed at validation: line 1: Invalid 'input'/);
    expect(rowCount(cache)).toBe(0);
    cache.close();
  });

  it("refuses an upload the server rejects with 400, keeping the job to resume", async () => {
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 5 });
    server.batch.controls.uploadFault = { status: 400, message: "Invalid file format for Batch API. Must be .jsonl", code: "invalid_file_format", param: "file" };
    const err = await BatchEmbeddingJob.submit(embedder, texts(10, "u"), options).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^Could not upload sentivec-job-\d{8}-[0-9a-f]{8}-part1\.jsonl: http:\/\/127\.0\.0\.1:\d+\/v1 answered HTTP 400: Invalid file format for Batch API/);
    // The job was recorded first; the next collect uploads it again and completes.
    const [recorded] = BatchEmbeddingJob.list(cache);
    expect(recorded.parts[0].state).toBe("uploading");
    const r = await BatchEmbeddingJob.open(recorded.job, options).collect({ wait: true, pollIntervalMs: 10 });
    expect(r.status.texts).toEqual({ total: 10, done: 10, left: 0 });
    cache.close();
  });

  it("refuses an unknown job id, naming the cache and what to do", () => {
    const { cache, options } = setup();
    expect(() => BatchEmbeddingJob.open("job-nope", options)).toThrow(/No batch job "job-nope" in the embedding cache .*cache-\d+\.sqlite \(it has none\)\. Run `sentivec batch list`/);
    cache.close();
  });

  it("cancels a running job; collect keeps nothing of the cancelled batch and resubmits nothing", async () => {
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 5 });
    const ts = texts(20, "c");
    server.batch.controls.manual = true;
    const job = await BatchEmbeddingJob.submit(embedder, ts, options);
    const s = await job.cancel();
    expect(s.parts[0].status).toBe("cancelling");
    await server.batch.advance();
    const r = await job.collect({ wait: true, pollIntervalMs: 10 });
    expect(r.status.parts[0].status).toBe("cancelled");
    expect(r.status.requests).toMatchObject({ done: 0, failed: 4 });
    expect(r.resubmitted).toBe(0);
    expect(r.failures[0].error).toMatch(/batch_cancelled/);
    cache.close();
  });
  it("submits batches only as the enqueued-token cap allows, the rest as earlier ones finish", async () => {
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 5 });
    const ts = texts(20, "q");
    const whole = await BatchEmbeddingJob.plan(embedder, ts, options);
    // A cap a little over half the tokens: two batches, and only one may wait at a time.
    const opts = { ...options, limits: { maxEnqueuedTokens: Math.ceil(whole.tokens * 0.6) } };
    const plan = await BatchEmbeddingJob.plan(embedder, ts, opts);
    expect(plan.batches).toBe(2);
    server.batch.controls.manual = true;
    const job = await BatchEmbeddingJob.submit(embedder, ts, opts);
    expect(server.batch.batches.size).toBe(1);
    let s = await job.status();
    expect(s.parts.map((p) => p.state)).toEqual(["submitted", "planned"]);
    await server.batch.finishAll();
    const r = await job.collect({ wait: true, pollIntervalMs: 10, onProgress: () => void server.batch.finishAll() });
    expect(server.batch.batches.size).toBe(2);
    expect(r.status.texts).toEqual({ total: 20, done: 20, left: 0 });
    s = await job.status();
    expect(s.parts.map((p) => p.status)).toEqual(["completed", "completed"]);
    cache.close();
  });

  it("cancel settles batches not yet submitted; collect --wait ends; retryFailed resumes the job", async () => {
    const { cache, embedder, options } = setup({ maxInputsPerRequest: 5 });
    const ts = texts(20, "k");
    const whole = await BatchEmbeddingJob.plan(embedder, ts, options);
    const opts = { ...options, limits: { maxEnqueuedTokens: Math.ceil(whole.tokens * 0.6) } };
    server.batch.controls.manual = true;
    const job = await BatchEmbeddingJob.submit(embedder, ts, opts);
    const s = await job.cancel();
    expect(s.parts.map((p) => [p.state, p.status])).toEqual([
      ["submitted", "cancelling"],
      ["collected", "cancelled"],
    ]);
    await server.batch.advance();
    const r = await job.collect({ wait: true, pollIntervalMs: 10 });
    expect(r.status.finished).toBe(true);
    expect(r.status.texts.done).toBe(0);
    expect(r.failures.map((f) => f.error)).toContain("job cancelled before this batch was submitted");
    server.batch.controls.manual = false;
    const again = await job.collect({ wait: true, retryFailed: true, pollIntervalMs: 10 });
    expect(again.status.cancelled).toBe(false);
    expect(again.status.texts).toEqual({ total: 20, done: 20, left: 0 });
    expect(rowCount(cache)).toBe(20);
    cache.close();
  });
});

