import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAITestServer } from "../support/openai-test-server.js";
import { runSentivec } from "../support/run-child.js";
import { serverFingerprint } from "../../src/embed/embedder-identity.js";

const KEY = "testkey-test-cli-abcdef0123456789";
let dir: string;
let server: OpenAITestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentivec-embed-cli-"));
  server = await OpenAITestServer.start({ apiKey: KEY });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) => runSentivec(args, { OPENAI_API_KEY: KEY, ...env });

describe("sentivec embed / cache", () => {
  it("dry-runs, embeds into the cache, reruns warm, and reports/exports/clears the cache", async () => {
    const data = join(dir, "reviews.tsv");
    writeFileSync(data, "sentence\tlabel\na lovely film\t1\na dull film\t0\nlovely acting\t1\n");
    const cache = join(dir, "c.sqlite");
    const common = ["--embedder", "openai:text-embedding-3-small", "--dimensions", "16", "--base-url", server.url];
    const id = `openai:text-embedding-3-small@16~${serverFingerprint(server.url)}`;

    const dry = await cli(["embed", data, ...common, "--dry-run", "--json"], { SENTIVEC_CACHE: cache });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ embedderId: id, texts: 3, uniqueTexts: 3, cacheHits: 0, requests: 1, cache });
    expect(server.log).toHaveLength(0);

    const cold = await cli(["embed", data, ...common, "--json", "--out", join(dir, "out", "v.jsonl")], { SENTIVEC_CACHE: cache });
    expect(cold.code).toBe(0);
    expect(JSON.parse(cold.stdout)).toMatchObject({ texts: 3, requests: 1, cacheHits: 0 });
    const lines = readFileSync(join(dir, "out", "v.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.text)).toEqual(["a lovely film", "a dull film", "lovely acting"]);
    expect(lines[0].embedding).toHaveLength(16);

    const warm = await cli(["embed", data, ...common, "--cache", cache]);
    expect(warm.code).toBe(0);
    expect(warm.stdout).toMatch(/cache hits 3, requests 0/);
    expect(server.log).toHaveLength(1);

    const stats = await cli(["cache", "stats", "--cache", cache, "--json"]);
    expect(JSON.parse(stats.stdout)).toMatchObject({ total: 3, byEmbedder: [{ embedderId: id, dimensions: 16, count: 3 }] });
    const exported = await cli(["cache", "export", "--cache", cache]);
    const rows = exported.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ id });
    expect(rows[0].sha).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].vector).toHaveLength(16);
    const cleared = await cli(["cache", "clear", "--cache", cache, "--embedder", id]);
    expect(cleared.stdout).toMatch(/Removed 3 vectors/);
  });

  it("fails with one clear line for a corrupt cache file or a missing key", async () => {
    const bad = join(dir, "bad.sqlite");
    writeFileSync(bad, "definitely not sqlite\n".repeat(10));
    const r = await cli(["cache", "stats", "--cache", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sentivec: .*bad\.sqlite is not a sentivec embedding cache/);
    const data = join(dir, "one.tsv");
    writeFileSync(data, "sentence\tlabel\nhello\t1\n");
    const nokey = await cli(["embed", data, "--embedder", "openai:text-embedding-3-small", "--cache", join(dir, "x.sqlite")], { OPENAI_API_KEY: "", OPENAI_BASE_URL: "" });
    expect(nokey.code).toBe(1);
    expect(nokey.stderr).toMatch(/No OpenAI API key/);
    // A dry run sends nothing, so it needs no key.
    const dry = await cli(["embed", data, "--dry-run", "--json", "--embedder", "openai:text-embedding-3-small", "--cache", join(dir, "x.sqlite")], { OPENAI_API_KEY: "", OPENAI_BASE_URL: "" });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ texts: 1 });
  });
});
