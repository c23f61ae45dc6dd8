/**
 * Reliability catalogue, the OpenAI fetcher's CLI errors (issue 9): each case runs the built CLI and
 * checks the exit code, the one-line message and what is on disk afterwards. The fault matrix itself
 * is in fetcher-faults.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { OpenAITestServer } from "../support/openai-test-server.js";
import { runCli } from "../support/run-cli.js";
import { runCliAsync } from "../support/run-cli-async.js";
import { startPlainWebServer } from "../support/plain-web-server.js";

const KEY = "testkey-fetcher-errors";
let server: OpenAITestServer;
let dir: string;
let data: string;
beforeAll(async () => {
  server = await OpenAITestServer.start({ apiKey: KEY });
  dir = mkdtempSync(join(tmpdir(), "sentivec-fetcher-errors-"));
  data = join(dir, "data.tsv");
  writeFileSync(data, `sentence\tlabel\n${Array.from({ length: 6 }, (_, i) => `a review ${i}\t${i % 2}`).join("\n")}\n`);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => server.reset());

let n = 0;
const remote = (url: string, model = "text-embedding-3-small") => ["--embedder", `openai:${model}`, "--dimensions", "8", "--base-url", url];
const rows = (cache: string) => {
  if (!existsSync(cache)) return 0;
  const c = new EmbeddingCache(cache, { readonly: true });
  try {
    return c.stats().total;
  } finally {
    c.close();
  }
};

describe("sentivec embed: option errors", () => {
  for (const [flag, value, message] of [
    ["--rpm", "0", /--rpm must be a positive number/],
    ["--tpm", "lots", /--tpm must be a positive number/],
    ["--retry-budget", "-5", /--retry-budget must be a positive number/],
  ] as const) {
    it(`${flag} ${value} is refused before anything is read or sent`, () => {
      const cache = join(dir, `opt${++n}.sqlite`);
      const r = runCli(["embed", data, ...remote("http://127.0.0.1:9/v1"), "--cache", cache, flag, value]);
      expectOneLineError(r, message);
      expect(existsSync(cache)).toBe(false);
    });
  }
});

describe("sentivec embed: server errors a rerun cannot fix", () => {
  it("a wrong key: 401, says to check OPENAI_API_KEY, not to run again; nothing cached", async () => {
    const cache = join(dir, `e${++n}.sqlite`);
    const r = await runCliAsync(["embed", data, ...remote(server.url), "--cache", cache], { env: { OPENAI_API_KEY: "testkey-wrong-000000" } });
    expectOneLineError(r, /HTTP 401: Incorrect API key provided.*0 of 6 unique texts are cached, 6 left\. Check OPENAI_API_KEY/, 1);
    expect(r.stderr).not.toMatch(/run again|testkey-wrong-000000/);
    expect(server.log).toHaveLength(1);
    expect(rows(cache)).toBe(0);
  });

  it("a model the server does not have: 404 model_not_found, says to check the model name", async () => {
    const cache = join(dir, `e${++n}.sqlite`);
    const r = await runCliAsync(["embed", data, ...remote(server.url, "text-embedding-9-huge"), "--cache", cache], { env: { OPENAI_API_KEY: KEY } });
    expectOneLineError(r, /HTTP 404: The model `text-embedding-9-huge` does not exist.*Check the model name/, 1);
    expect(r.stderr).not.toMatch(/run again/);
    expect(rows(cache)).toBe(0);
  });

  it("a web server that is not an OpenAI API keeps its own message (Cannot POST /v1/embeddings)", async () => {
    const plain = await startPlainWebServer();
    try {
      const cache = join(dir, `e${++n}.sqlite`);
      const url = plain.url;
      const r = await runCliAsync(["embed", data, ...remote(url), "--cache", cache], { env: { OPENAI_API_KEY: KEY } });
      expectOneLineError(r, /HTTP 404: Cannot POST \/v1\/embeddings\./, 1);
      expect(r.stderr).not.toMatch(/run again|<pre>|Not Found"/);
      expect(rows(cache)).toBe(0);
    } finally {
      await plain.close();
    }
  });
});

describe("sentivec embed: rate limits", () => {
  it("a server asking to wait longer than --retry-budget: stops at once, says so, and that a rerun resumes", async () => {
    server.inject({ status: 429, headers: { "retry-after": "60" } }, 10);
    const cache = join(dir, `e${++n}.sqlite`);
    const r = await runCliAsync(["embed", data, ...remote(server.url), "--cache", cache, "--retry-budget", "5"], { env: { OPENAI_API_KEY: KEY } });
    expectOneLineError(r, /HTTP 429.*Gave up after 1 tries in 5 s, the retry budget \(CLI: --retry-budget SECONDS\)\. 0 of 6 unique texts are cached, 6 left; run again to resume/, 1);
    expect(server.log).toHaveLength(1);
  });

  it("--rpm paces a server that sends no rate-limit headers: no 429s", async () => {
    const quiet = await OpenAITestServer.start({ rateLimit: { requests: 3, windowMs: 1000, headers: false } });
    try {
      const cache = join(dir, `e${++n}.sqlite`);
      const r = await runCliAsync(["embed", data, ...remote(quiet.url), "--cache", cache, "--max-inputs-per-request", "1", "--rpm", "120"], { env: { OPENAI_API_KEY: KEY } });
      expect(r.code, r.stderr).toBe(0);
      expect(quiet.log.filter((l) => l.status === 429)).toHaveLength(0);
      expect(quiet.log).toHaveLength(6);
      expect(rows(cache)).toBe(6);
    } finally {
      await quiet.close();
    }
  });
});

describe("sentivec cache export (defect 11)", () => {
  it("a long export to a file prints no MaxListenersExceededWarning", () => {
    const cache = join(dir, `export${++n}.sqlite`);
    const c = new EmbeddingCache(cache);
    const vector = new Float32Array(256).fill(0.5);
    c.putMany("openai:text-embedding-3-small@256", Array.from({ length: 3000 }, (_, i) => ({ sha: i.toString(16).padStart(64, "0"), vector })));
    c.close();
    const out = join(dir, "export.jsonl");
    const r = runCli(["cache", "export", "--cache", cache, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(3000);
  });
});
