import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { OpenAITestServer, sha256 } from "../support/openai-test-server.js";
import { runTsx, waitFor } from "../support/run-child.js";
import { serverFingerprint } from "../../src/embed/embedder-identity.js";

const KEY = "testkey-test-resume-0123456789";
let dir: string;
let server: OpenAITestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentivec-resume-"));
  server = await OpenAITestServer.start({ apiKey: KEY, latencyMs: 80 });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("resume after SIGKILL", () => {
  it("a run killed halfway and started again makes only the requests it had not finished", async () => {
    const texts = Array.from({ length: 60 }, (_, i) => `resume text ${i}`);
    const textsFile = join(dir, "texts.json");
    writeFileSync(textsFile, JSON.stringify(texts));
    const cachePath = join(dir, "cache.sqlite");
    const args = ["--base-url", server.url, "--cache", cachePath, "--texts", textsFile, "--dimensions", "16", "--max-inputs", "3", "--concurrency", "2"];
    const env = { OPENAI_API_KEY: KEY };

    // Run 1: 20 requests of 3 texts; SIGKILL once 8 have landed and been written.
    const first = runTsx("test/support/embed-child.ts", args, env);
    await waitFor(() => first.events.some((e) => e.event === "progress" && (e.requestsDone as number) >= 8), 60_000, "8 requests to land");
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    expect(first.events.some((e) => e.event === "done")).toBe(false);
    // Let requests that were in flight at the kill finish on the server side, so they count as run 1.
    await new Promise((r) => setTimeout(r, 300));
    const firstLog = server.log.length;
    const requestedInRun1 = new Set(server.log.flatMap((l) => l.shas));

    const id = `openai:text-embedding-3-small@16~${serverFingerprint(server.url)}`;
    const cache = new EmbeddingCache(cachePath);
    const cachedAfterKill = new Set(texts.map(sha256).filter((s) => cache.get(id, s)));
    cache.close();
    expect(cachedAfterKill.size).toBeGreaterThanOrEqual(8 * 3);
    expect(cachedAfterKill.size).toBeLessThan(60);
    // Everything that had landed is in the cache; nothing cached was never requested.
    for (const s of cachedAfterKill) expect(requestedInRun1.has(s)).toBe(true);

    // Run 2 to completion.
    const second = runTsx("test/support/embed-child.ts", args, env);
    expect(await second.exited).toBe(0);
    const done = second.events.at(-1) as { event: string; usage: { cacheHits: number; requests: number } };
    expect(done.event).toBe("done");
    expect(done.usage.cacheHits).toBe(cachedAfterKill.size);

    const run2 = server.log.slice(firstLog);
    const requestedInRun2 = run2.flatMap((l) => l.shas);
    const missing = texts.map(sha256).filter((s) => !cachedAfterKill.has(s));
    // Exactly the unfinished texts, each once, in the fewest requests.
    expect(requestedInRun2.sort()).toEqual([...missing].sort());
    expect(run2.length).toBe(Math.ceil(missing.length / 3));
    expect(run2.every((l) => l.status === 200)).toBe(true);
    expect(done.usage.requests).toBe(run2.length);
  });
});
