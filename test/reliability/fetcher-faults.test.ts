/**
 * Issue 9's fault matrix: `sentivec embed` (the built CLI, the real `openai` SDK inside it) against
 * the OpenAI test server with one fault each. For every fault: the exit code, the one-line error
 * where it fails, and what the cache holds afterwards.
 *
 * Scaled for test time: the issue's "10 s of 429s" storms are 2.5 s here; the 500-every-time and
 * NaN-every-time rows run with --retry-budget 2 (seconds) instead of the default 300, so "gives up
 * within the time budget" is seen in 2 s rather than minutes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { OpenAITestServer } from "../support/openai-test-server.js";
import { runCliAsync } from "../support/run-cli-async.js";

const DIMS = 8;
const ID = `openai:text-embedding-3-small@${DIMS}`;
let server: OpenAITestServer;
let dir: string;
let small: string;
let large: string;
beforeAll(async () => {
  server = await OpenAITestServer.start();
  dir = mkdtempSync(join(tmpdir(), "sentivec-faults-"));
  small = join(dir, "small.tsv");
  writeFileSync(small, `sentence\tlabel\n${Array.from({ length: 20 }, (_, i) => `review number ${i}\t${i % 2}`).join("\n")}\n`);
  // Two requests' worth (2048 + 52 inputs).
  large = join(dir, "large.tsv");
  writeFileSync(large, `sentence\tlabel\n${Array.from({ length: 2100 }, (_, i) => `text ${i}\t${i % 2}`).join("\n")}\n`);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => server.reset());

let n = 0;
async function embed(data: string, extra: string[] = [], url = server.url) {
  const cache = join(dir, `cache${++n}.sqlite`);
  const r = await runCliAsync(["embed", data, "--embedder", "openai:text-embedding-3-small", "--dimensions", String(DIMS), "--base-url", url, "--cache", cache, ...extra], {
    env: { OPENAI_API_KEY: "testkey-faults" },
  });
  return { ...r, cache };
}

/** Vectors the cache holds for the embedder, and whether any value is not finite. */
function cached(path: string): { count: number; nonFinite: number } {
  let c: EmbeddingCache;
  try {
    c = new EmbeddingCache(path, { readonly: true });
  } catch {
    return { count: 0, nonFinite: 0 }; // never created: nothing was written
  }
  try {
    let count = 0;
    let nonFinite = 0;
    // Every row: the id carries the test server's fingerprint (openai:...@8~xxxxxxxx).
    for (const row of c.export()) {
      expect(row.id.startsWith(`${ID}~`)).toBe(true);
      count++;
      if (!row.vector.every((x) => Number.isFinite(x))) nonFinite++;
    }
    return { count, nonFinite };
  } finally {
    c.close();
  }
}

describe("fault matrix (issue 9)", () => {
  it("2.5 s of 429s with retry-after: 1: finishes", async () => {
    server.storm(2500, { headers: true, retryAfterSeconds: 1 });
    const r = await embed(small);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Rate limited .*all requests paused/);
    expect(cached(r.cache)).toEqual({ count: 20, nonFinite: 0 });
  });

  it("2.5 s of 429s with no headers: finishes", async () => {
    server.storm(2500, { headers: false });
    const r = await embed(small);
    expect(r.code, r.stderr).toBe(0);
    expect(server.log.filter((l) => l.status === 429).length).toBeGreaterThan(1);
    expect(cached(r.cache)).toEqual({ count: 20, nonFinite: 0 });
  });

  it("500 every time: gives up within the time budget; received vectors stay cached", async () => {
    server.inject({ ok: true });
    server.inject({ status: 500 }, 1000);
    const r = await embed(large, ["--concurrency", "1", "--retry-budget", "2"]);
    expectOneLineError(r, /HTTP 500: The server had an error.*Gave up after \d+ tries in 2 s, the retry budget.*2048 of 2100 unique texts are cached, 52 left; run again to resume/, 1);
    expect(cached(r.cache)).toEqual({ count: 2048, nonFinite: 0 });
  });

  it("wrong vector count once: finishes", async () => {
    server.inject({ wrongCount: true });
    const r = await embed(small);
    expect(r.code, r.stderr).toBe(0);
    expect(cached(r.cache)).toEqual({ count: 20, nonFinite: 0 });
  });

  it("NaN once: finishes, no NaN cached", async () => {
    server.inject({ nonFinite: "nan" });
    const r = await embed(small);
    expect(r.code, r.stderr).toBe(0);
    expect(server.log.map((l) => l.fault)).toContain("non-finite-nan");
    expect(cached(r.cache)).toEqual({ count: 20, nonFinite: 0 });
  });

  it("NaN every time: gives up; no NaN cached", async () => {
    server.inject({ nonFinite: "nan" }, 1000);
    const r = await embed(small, ["--retry-budget", "2"]);
    expectOneLineError(r, /non-finite value \(NaN\).*Gave up after \d+ tries.*0 of 20 unique texts are cached/, 1);
    expect(cached(r.cache)).toEqual({ count: 0, nonFinite: 0 });
  });

  it("truncated body: finishes", async () => {
    server.inject({ malformed: true });
    const r = await embed(small);
    expect(r.code, r.stderr).toBe(0);
    expect(cached(r.cache)).toEqual({ count: 20, nonFinite: 0 });
  });

  it("reset mid-body: finishes", async () => {
    server.inject({ resetMidBody: true });
    const r = await embed(small);
    expect(r.code, r.stderr).toBe(0);
    expect(server.log.map((l) => l.fault)).toContain("reset-mid-body");
    expect(cached(r.cache)).toEqual({ count: 20, nonFinite: 0 });
  });

  it("server down at start: fails at once, naming ECONNREFUSED", async () => {
    const gone = await OpenAITestServer.start();
    const url = gone.url;
    await gone.close();
    const r = await embed(small, [], url);
    expectOneLineError(r, new RegExp(`could not be reached: connect ECONNREFUSED 127\\.0\\.0\\.1:${new URL(url).port}.*Check --base-url`), 1);
    expect(r.stderr).not.toMatch(/retry|run again/);
    expect(cached(r.cache).count).toBe(0);
  });

  it("insufficient_quota: fails at once with a billing hint", async () => {
    server.inject({ quota: true }, 100);
    const r = await embed(small);
    expectOneLineError(r, /insufficient_quota.*check the plan and billing/, 1);
    expect(r.stderr).not.toMatch(/retry|concurrency|run again/);
    expect(server.log).toHaveLength(1);
    expect(cached(r.cache).count).toBe(0);
  });

  it("413: fails at once, suggesting --max-tokens-per-request", async () => {
    const proxied = await OpenAITestServer.start({ maxBodyBytes: 300 });
    try {
      const r = await embed(small, [], proxied.url);
      expectOneLineError(r, /HTTP 413: 413 Request Entity Too Large.*--max-tokens-per-request/, 1);
      expect(r.stderr).not.toMatch(/retry|run again|<html/);
      expect(proxied.log).toHaveLength(1);
      expect(cached(r.cache).count).toBe(0);
    } finally {
      await proxied.close();
    }
  });
});
