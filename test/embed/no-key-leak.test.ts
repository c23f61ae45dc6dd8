import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { EmbeddingFetcher } from "../../src/embed/embedding-fetcher.js";
import { OpenAIEmbedder } from "../../src/embed/openai-embedder.js";
import { OpenAITestServer } from "../support/openai-test-server.js";
import { runTsx } from "../support/run-child.js";

// Distinctive strings: a leak of any of them, even a long fragment, is found by a plain search.
const KEY = "testkey-proj-LEAKCHECK-7f3a9c1e5b2d40861234";
const BAD_KEY = "testkey-proj-WRONGKEY-0a1b2c3d4e5f60718293";
const FRAGMENTS = [KEY, BAD_KEY, "LEAKCHECK-7f3a9c1e", "WRONGKEY-0a1b2c3d", "5b2d40861234", "5f60718293"];

let dir: string;
let server: OpenAITestServer;
let logFile: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentivec-leak-"));
  logFile = join(dir, "server-log.jsonl");
  server = await OpenAITestServer.start({ apiKey: KEY, logFile });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectNoKey(what: string, text: string | Buffer): void {
  const hay = typeof text === "string" ? text : text.toString("latin1");
  for (const f of FRAGMENTS) expect(hay.includes(f), `${what} contains "${f}"`).toBe(false);
}

/** Everything a user could see of an error: message, stack, inspect (with causes), JSON. */
function errorText(e: unknown): string {
  return [String(e), (e as Error).stack ?? "", inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e)].join("\n");
}

describe("the API key never leaks", () => {
  it("not into the cache file, errors, inspected objects or the server log", async () => {
    const cachePath = join(dir, "cache.sqlite");
    const cache = new EmbeddingCache(cachePath);
    const embedder = new OpenAIEmbedder({ baseURL: server.url, apiKey: KEY, dimensions: 16 });
    const fetcher = new EmbeddingFetcher(embedder, { cache, retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 } });
    await fetcher.fetch(Array.from({ length: 50 }, (_, i) => `leak check ${i}`));
    expectNoKey("inspect(embedder)", inspect(embedder, { depth: 10, showHidden: true }));
    expectNoKey("JSON(embedder)", JSON.stringify(embedder));
    expectNoKey("inspect(fetcher)", inspect(fetcher, { depth: 10, showHidden: true }));

    const errors: unknown[] = [];
    // Retries exhausted on 503s.
    server.inject({ status: 503 }, 2);
    errors.push(await fetcher.fetch(["a 503 text"]).catch((e) => e));
    // A (buggy or hostile) compatible server that echoes the key back in its error body.
    server.inject({ status: 400, body: { error: { message: `Bad request from key ${KEY}`, type: "invalid_request_error", param: null, code: null } } });
    errors.push(await fetcher.fetch(["an echoed text"]).catch((e) => e));
    // Wrong key: the server masks it as OpenAI does, and we scrub what is left.
    const wrong = new OpenAIEmbedder({ baseURL: server.url, apiKey: BAD_KEY, dimensions: 16 });
    errors.push(await new EmbeddingFetcher(wrong).fetch(["x"]).catch((e) => e));
    errors.push(await wrong.embed(["x"]).catch((e) => e));
    // Nobody listening.
    const closed = await OpenAITestServer.start();
    const url = closed.url;
    await closed.close();
    const nowhere = new OpenAIEmbedder({ baseURL: url, apiKey: KEY, dimensions: 16 });
    errors.push(await new EmbeddingFetcher(nowhere, { retry: { maxAttempts: 1 } }).fetch(["y"]).catch((e) => e));
    // Malformed body and dropped connection.
    server.inject({ malformed: true }, 2);
    errors.push(await fetcher.fetch(["malformed text"]).catch((e) => e));
    server.inject({ drop: true }, 2);
    errors.push(await fetcher.fetch(["dropped text"]).catch((e) => e));

    expect(errors).toHaveLength(7);
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error);
      expectNoKey(`error ${(e as Error).message}`, errorText(e));
    }
    expect((errors[1] as Error).message).toContain("[redacted]");
    expect((errors[2] as Error).message).toMatch(/HTTP 401/);

    cache.close();
    for (const f of [cachePath, `${cachePath}-wal`, `${cachePath}-shm`]) if (existsSync(f)) expectNoKey(f, readFileSync(f));
    expect(readFileSync(logFile, "utf8").split("\n").length).toBeGreaterThan(5);
    expectNoKey("server log", readFileSync(logFile));
  });

  it("not into a child process's output, on success or failure", async () => {
    const texts = join(dir, "texts.json");
    writeFileSync(texts, JSON.stringify(["child one", "child two"]));
    const args = ["--base-url", server.url, "--cache", join(dir, "child.sqlite"), "--texts", texts];
    const ok = runTsx("test/support/embed-child.ts", args, { OPENAI_API_KEY: KEY });
    expect(await ok.exited).toBe(0);
    const bad = runTsx("test/support/embed-child.ts", args.concat(["--dimensions", "8"]), { OPENAI_API_KEY: BAD_KEY });
    expect(await bad.exited).toBe(1);
    expect(bad.events.at(-1)).toMatchObject({ event: "error" });
    for (const r of [ok, bad]) {
      expectNoKey("child stdout", r.stdout());
      expectNoKey("child stderr", r.stderr());
    }
    expectNoKey("child cache", readFileSync(join(dir, "child.sqlite")));
  });
});
