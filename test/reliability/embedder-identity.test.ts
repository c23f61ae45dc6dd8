/**
 * Reliability catalogue: which embedder and which server made a vector, and the embedding options on
 * every command. Each case runs the built CLI and checks the exit code, the one-line message, and what
 * is on disk (cache rows, bundle files) and on the wire (the test servers' request logs) afterwards.
 *
 * The test servers run in child processes (runCli is synchronous, so an in-process server could not
 * answer). Nothing here talks to anything but 127.0.0.1: every case that would reach api.openai.com
 * must be refused before sending.
 */
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverFingerprint } from "../../src/embed/embedder-identity.js";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { expectedVector, sha256 } from "../support/openai-test-server.js";
import { type CliResult, runCli } from "../support/run-cli.js";
import { type ChildRun, runTsx, waitFor } from "../support/run-child.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

const KEY = "testkey-identity-not-a-real-key";
const tmp = useTempDir("sentivec-identity-");
const SEED = join(DATASETS, "seed", "embeddings.json");

interface ServerChild {
  url: string;
  run: ChildRun;
  log: string;
  /** Requests the server has answered so far (from its JSONL log). */
  requests: () => { inputs: number; model?: string }[];
}

async function startServer(name: string): Promise<ServerChild> {
  const log = join(tmp.dir, `${name}.requests.jsonl`);
  const run = runTsx("test/support/openai-test-server.ts", ["--api-key", KEY, "--log", log]);
  await waitFor(() => run.events.some((e) => typeof e.url === "string"), 60_000, `test server ${name}`);
  const url = run.events.find((e) => typeof e.url === "string")!.url as string;
  const requests = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);
  return { url, run, log, requests };
}

let A: ServerChild;
let B: ServerChild;
const texts = ["a lovely film", "a dull film", "lovely acting", "dull acting", "what a great plot", "a terrible plot", "great fun", "terrible pacing", "wonderful cast", "awful script"];
const data = tmp.file("reviews.tsv", "sentence\tlabel\n" + texts.map((t, i) => `${t}\t${i % 2 === 0 ? 1 : 0}`).join("\n") + "\n");
const openaiArgs = ["--embedder", "openai:text-embedding-3-small", "--dimensions", "16"];
// No OPENAI_BASE_URL from the developer's shell: "no --base-url" must mean api.openai.com here.
const env = (cache: string) => ({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: "", SENTIVEC_CACHE: cache });
const idFor = (url: string, dims = 16) => `openai:text-embedding-3-small@${dims}~${serverFingerprint(url)}`;

function cacheRows(path: string): { id: string; count: number }[] {
  const c = new EmbeddingCache(path, { readonly: true });
  try {
    return c.stats().byEmbedder.map((e) => ({ id: e.embedderId, count: e.count }));
  } finally {
    c.close();
  }
}

/** Every file in a bundle folder with its size and mtime: proof that a refused command changed nothing. */
function snapshot(dir: string): string {
  return readdirSync(dir)
    .sort()
    .map((f) => `${f}:${statSync(join(dir, f)).size}:${statSync(join(dir, f)).mtimeMs}`)
    .join("|");
}

let modelA: string;
let cacheA: string;

beforeAll(async () => {
  [A, B] = await Promise.all([startServer("A"), startServer("B")]);
  cacheA = join(tmp.dir, "a.sqlite");
  modelA = join(tmp.dir, "model-a");
  const r = runCli(["train", data, ...openaiArgs, "--base-url", A.url, "--out", modelA, "--trees", "5", "--quiet"], { env: env(cacheA) });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const s of [A, B]) {
    if (!s) continue;
    s.run.child.kill("SIGTERM");
    await s.run.exited;
  }
});

describe("server identity", () => {
  it("a bundle trained against server A records A's fingerprint, never its URL", () => {
    const manifest = JSON.parse(readFileSync(join(modelA, "model.json"), "utf8"));
    expect(manifest.embedder).toEqual({ id: idFor(A.url), dimensions: 16, server: serverFingerprint(A.url) });
    expect(readFileSync(join(modelA, "model.json"), "utf8")).not.toContain("127.0.0.1");
    const db = new Database(cacheA, { readonly: true });
    const ids = db.prepare("SELECT DISTINCT embedder_id AS id FROM embeddings").all() as { id: string }[];
    db.close();
    expect(ids).toEqual([{ id: idFor(A.url) }]);
    expect(readFileSync(cacheA).includes(Buffer.from("127.0.0.1"))).toBe(false);
  });

  it("predicting with A's bundle against server B is refused before anything is sent", () => {
    const before = { a: A.requests().length, b: B.requests().length, bundle: snapshot(modelA), rows: cacheRows(cacheA) };
    const r = runCli(["predict", "-m", modelA, "--base-url", B.url, "a lovely film"], { env: env(cacheA) });
    expectOneLineError(r, new RegExp(`fingerprint ~${serverFingerprint(A.url)}.*nothing was sent.*Pass --base-url`), 1);
    expect(B.requests()).toHaveLength(before.b);
    expect(A.requests()).toHaveLength(before.a);
    expect(snapshot(modelA)).toBe(before.bundle);
    expect(cacheRows(cacheA)).toEqual(before.rows);
  });

  it("predicting with A's bundle and no --base-url (api.openai.com) is refused before anything is sent", () => {
    const rows = cacheRows(cacheA);
    const r = runCli(["predict", "-m", modelA, "a brand new text"], { env: env(cacheA) });
    expectOneLineError(r, /OpenAI's own endpoint \(api\.openai\.com\); nothing was sent\. Pass --base-url/, 1);
    expect(cacheRows(cacheA)).toEqual(rows);
  });

  it("evaluate with A's bundle against B is refused the same way", () => {
    const before = B.requests().length;
    const r = runCli(["evaluate", "-m", modelA, data, "--base-url", B.url, "--quiet"], { env: env(cacheA) });
    expectOneLineError(r, /nothing was sent\. Pass --base-url/, 1);
    expect(B.requests()).toHaveLength(before);
  });

  it("predicting with A's bundle against A works, with the URL written differently (trailing slash)", () => {
    const before = A.requests().length;
    const r = runCli(["predict", "-m", modelA, "--base-url", `${A.url}/`, "--json", "a lovely film", "something new"], { env: env(cacheA) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
    // "a lovely film" came from the cache; only the new text was sent.
    expect(A.requests().slice(before)).toEqual([expect.objectContaining({ inputs: 1 })]);
  });

  it("one cache file used against two servers keeps their vectors apart", () => {
    const cache = join(tmp.dir, "shared.sqlite");
    const a = runCli(["embed", data, ...openaiArgs, "--base-url", A.url, "--json"], { env: env(cache) });
    expect(a.code, a.stderr).toBe(0);
    // Make A's rows recognisably A's: if B were served them, its vectors would be these zeros.
    const db = new Database(cache);
    db.prepare("UPDATE embeddings SET vector = zeroblob(64)").run();
    db.close();
    const bBefore = B.requests().length;
    const b = runCli(["embed", data, ...openaiArgs, "--base-url", B.url, "--json", "--out", join(tmp.dir, "b.jsonl")], { env: env(cache) });
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ embedderId: idFor(B.url), cacheHits: 0, requests: 1 });
    expect(B.requests().length - bBefore).toBe(1);
    const lines = readFileSync(join(tmp.dir, "b.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    for (const l of lines) expect(l.embedding).toEqual(Array.from(expectedVector(l.text, 16)));
    expect(cacheRows(cache)).toEqual(
      [
        { id: idFor(A.url), count: texts.length },
        { id: idFor(B.url), count: texts.length },
      ].sort((x, y) => (x.id < y.id ? -1 : 1)),
    );
    // A's rows are still A's (still the zeros), untouched by the run against B.
    const c = new EmbeddingCache(cache, { readonly: true });
    expect(Array.from(c.get(idFor(A.url), sha256(texts[0]))!)).toEqual(new Array(16).fill(0));
    c.close();
  });

  it("evaluating A's bundle on a dataset that carries its own vectors needs no --base-url (nothing is sent)", () => {
    const vectors = join(tmp.dir, "a-vectors.jsonl");
    const made = runCli(["embed", data, ...openaiArgs, "--base-url", A.url, "--quiet", "--out", vectors], { env: env(cacheA) });
    expect(made.code, made.stderr).toBe(0);
    const r = runCli(["evaluate", "-m", modelA, vectors, "--vector-field", "embedding", "--json"], { env: env(cacheA) });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).report.accuracy).toBeGreaterThanOrEqual(0);
  });

  it("a cache filled from api.openai.com before servers were told apart is still served for api.openai.com", () => {
    // Rows under the plain id, as every earlier sentivec wrote them for OpenAI's endpoint.
    const cache = join(tmp.dir, "openai.sqlite");
    const c = new EmbeddingCache(cache);
    c.putMany("openai:text-embedding-3-small@16", texts.map((t) => ({ sha: sha256(t), vector: expectedVector(t, 16) })));
    c.close();
    const out = join(tmp.dir, "model-openai");
    const r = runCli(["train", data, ...openaiArgs, "--out", out, "--trees", "5", "--json"], { env: env(cache) });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).embedder).toEqual({ id: "openai:text-embedding-3-small@16", dimensions: 16, server: "api.openai.com" });
    // All cached: predicting needs no network either.
    const p = runCli(["predict", "-m", out, "--json", texts[0]], { env: env(cache) });
    expect(p.code, p.stderr).toBe(0);
    // The same bundle pointed at another server is refused, before sending.
    const before = A.requests().length;
    const wrong = runCli(["predict", "-m", out, "--base-url", A.url, texts[0]], { env: env(cache) });
    expectOneLineError(wrong, /vectors from OpenAI's own endpoint \(api\.openai\.com\), but this run would embed with the server with fingerprint ~[0-9a-f]{8}; nothing was sent\. Drop --base-url/, 1);
    expect(A.requests()).toHaveLength(before);
  });

  it("a vector store built against A refuses a search through B", () => {
    const store = join(tmp.dir, "store-a");
    const add = runCli(["store", "add", data, "--store", store, ...openaiArgs, "--base-url", A.url, "--json"], { env: env(cacheA) });
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout).embedderId).toBe(idFor(A.url));
    const before = B.requests().length;
    const r = runCli(["store", "search", "lovely", "--store", store, "--base-url", B.url], { env: env(cacheA) });
    expectOneLineError(r, /This store holds .* nothing was sent\. Pass --base-url/, 1);
    expect(B.requests()).toHaveLength(before);
    const ok = runCli(["store", "search", "lovely", "--store", store, "--base-url", A.url, "--json"], { env: env(cacheA) });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("an unusable --base-url is refused at once, naming the problem but no credentials", () => {
    const cache = join(tmp.dir, "never.sqlite");
    const r = runCli(["embed", data, ...openaiArgs, "--base-url", "localhost:11434/v1"], { env: env(cache) });
    expectOneLineError(r, /--base-url must be an http:\/\/ or https:\/\/ URL/, 1);
    const bad = runCli(["embed", data, ...openaiArgs, "--base-url", "http://user:secretpw@/v1"], { env: env(cache) });
    expectOneLineError(bad, /--base-url .* is not a valid URL/, 1);
    expect(bad.stderr).not.toContain("secretpw");
    const creds = runCli(["embed", data, ...openaiArgs, "--base-url", `${A.url.replace("http://", "http://user:secretpw@")}`], { env: env(cache) });
    expectOneLineError(creds, /--base-url http:\/\/127\.0\.0\.1:\d+\/v1 carries credentials.*the key goes in OPENAI_API_KEY/, 1);
    expect(creds.stderr).not.toContain("secretpw");
    expect(existsSync(cache)).toBe(false);
  });
});

describe("dry-run prices", () => {
  it("shows OpenAI's list price for OpenAI's endpoint only, or the price given", () => {
    const cache = join(tmp.dir, "dry.sqlite");
    const own = runCli(["embed", data, ...openaiArgs, "--dry-run", "--json"], { env: env(cache) });
    expect(own.code, own.stderr).toBe(0);
    expect(JSON.parse(own.stdout)).toMatchObject({ embedderId: "openai:text-embedding-3-small@16", pricePerMillionTokens: 0.02 });
    const custom = runCli(["embed", data, ...openaiArgs, "--base-url", A.url, "--dry-run"], { env: env(cache) });
    expect(custom.code, custom.stderr).toBe(0);
    expect(custom.stdout).toMatch(/Estimated cost +unknown \(no known price for this server; pass --price-per-million USD\)/);
    const priced = runCli(["embed", data, ...openaiArgs, "--base-url", A.url, "--dry-run", "--json", "--price-per-million", "0.5"], { env: env(cache) });
    expect(JSON.parse(priced.stdout)).toMatchObject({ embedderId: idFor(A.url), pricePerMillionTokens: 0.5 });
    expect(A.requests().every((q) => q.inputs > 0)).toBe(true);
  });
});

describe("models over precomputed vectors (seed §8.1)", () => {
  const unnamed = join(tmp.dir, "seed-unnamed");
  const named = join(tmp.dir, "seed-named");
  beforeAll(() => {
    for (const [out, extra] of [
      [unnamed, []],
      [named, ["--vectors-from", "openai:text-embedding-3-small@10"]],
    ] as const) {
      const r = runCli(["train", SEED, "--out", out, "--trees", "5", "--quiet", ...extra], { env: env(join(tmp.dir, "seed.sqlite")) });
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it("predict on text with an unnamed-origin model says what to pass, with no stack trace", () => {
    const r = runCli(["predict", "-m", unnamed, "really amazing"], { env: env(join(tmp.dir, "seed.sqlite")) });
    expectOneLineError(r, /precomputed vectors of unknown origin \(precomputed@10\).*--embedder SPEC --dimensions 10.*--vectors-from/, 1);
    expect(r.stderr).not.toMatch(/--embedder precomputed/);
  });

  it("evaluate on a text file with an unnamed-origin model says the same", () => {
    const r = runCli(["evaluate", "-m", unnamed, data, "--quiet"], { env: env(join(tmp.dir, "seed.sqlite")) });
    expectOneLineError(r, /precomputed vectors of unknown origin/, 1);
  });

  it("an unnamed-origin model predicts text through the embedder the user names (size checked)", () => {
    const cache = join(tmp.dir, "seed.sqlite");
    const ok = runCli(["predict", "-m", unnamed, "--embedder", "openai:text-embedding-3-small", "--dimensions", "10", "--base-url", A.url, "--json", "really amazing"], { env: env(cache) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)[0].label).toMatch(/positive|negative/);
    const wrong = runCli(["predict", "-m", unnamed, "--embedder", "openai:text-embedding-3-small", "--dimensions", "12", "--base-url", A.url, "really amazing"], { env: env(cache) });
    expectOneLineError(wrong, /precomputed@10 vectors \(10 dims\).*12 dims.*--dimensions 10/, 1);
  });

  it("a model trained with --vectors-from records that id and predicts text through a matching server", () => {
    expect(JSON.parse(readFileSync(join(named, "model.json"), "utf8")).embedder).toEqual({ id: "openai:text-embedding-3-small@10", dimensions: 10 });
    const before = A.requests().length;
    const r = runCli(["predict", "-m", named, "--base-url", A.url, "--json", "not cached anywhere yet"], { env: env(join(tmp.dir, "seed.sqlite")) });
    expect(r.code, r.stderr).toBe(0);
    expect(A.requests().slice(before)).toEqual([expect.objectContaining({ inputs: 1, model: "text-embedding-3-small", dimensions: 10 })]);
  });

  it("a model of a model OpenAI does not serve, with no server recorded, needs --base-url (nothing goes to api.openai.com)", () => {
    const out = join(tmp.dir, "seed-nomic");
    const t = runCli(["train", SEED, "--out", out, "--trees", "5", "--quiet", "--vectors-from", "openai:nomic-embed-text"]);
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "model.json"), "utf8")).embedder).toEqual({ id: "openai:nomic-embed-text@10", dimensions: 10 });
    const r = runCli(["predict", "-m", out, "really amazing"], { env: env(join(tmp.dir, "seed.sqlite")) });
    expectOneLineError(r, /openai:nomic-embed-text@10 vectors, a model api\.openai\.com does not serve, and records no server; nothing was sent\. Pass --base-url/, 1);
  });

  it("--vectors-from that is not an embedder id, or names another size, is refused before training", () => {
    const out = join(tmp.dir, "seed-bad");
    const junk = runCli(["train", SEED, "--out", out, "--vectors-from", "my vectors", "--quiet"]);
    expectOneLineError(junk, /"my vectors" is not an embedder id \(--vectors-from\)/, 1);
    const size = runCli(["train", SEED, "--out", out, "--vectors-from", "openai:text-embedding-3-small@12", "--quiet"]);
    expectOneLineError(size, /names 12 dimensions, but the dataset's vectors have 10/, 1);
    expect(existsSync(out)).toBe(false);
  });
});

describe("predict --dimensions without --embedder", () => {
  it("must agree with the model's size; a different one is an error", () => {
    const wrong = runCli(["predict", "-m", modelA, "--dimensions", "8", "--base-url", A.url, "a lovely film"], { env: env(cacheA) });
    expectOneLineError(wrong, /--dimensions 8 does not match the model .* trained on 16-dimensional vectors.*Leave out --dimensions/, 1);
    const same = runCli(["predict", "-m", modelA, "--dimensions", "16", "--base-url", A.url, "a lovely film"], { env: env(cacheA) });
    expect(same.code, same.stderr).toBe(0);
  });
});

describe("request-size options", () => {
  it("--max-inputs-per-request splits requests against the server", () => {
    const cache = join(tmp.dir, "sizes.sqlite");
    const before = B.requests().length;
    const r = runCli(["embed", data, ...openaiArgs, "--base-url", B.url, "--max-inputs-per-request", "3", "--concurrency", "1", "--json"], { env: env(cache) });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 4 });
    expect(B.requests().slice(before).map((q) => q.inputs)).toEqual([3, 3, 3, 1]);
  });

  it("--max-tokens-per-request below a text's size stops before sending, naming the limit", () => {
    const cache = join(tmp.dir, "tokens.sqlite");
    const before = B.requests().length;
    const r = runCli(["embed", data, ...openaiArgs, "--base-url", B.url, "--max-tokens-per-request", "2"], { env: env(cache) });
    expectOneLineError(r, /at most 2 per input/, 1);
    expect(B.requests()).toHaveLength(before);
  });

  it.each([
    [["--max-inputs-per-request", "0"], /--max-inputs-per-request must be a whole number ≥ 1/],
    [["--max-inputs-per-request", "abc"], /--max-inputs-per-request must be a whole number ≥ 1/],
    [["--max-inputs-per-request", "4096"], /--max-inputs-per-request 4096 is above what openai:text-embedding-3-small accepts \(2048\)/],
    [["--max-tokens-per-request", "300001"], /--max-tokens-per-request 300001 is above what openai:text-embedding-3-small accepts \(300000\)/],
    [["--concurrency", "0"], /--concurrency must be a whole number ≥ 1/],
  ])("refuses %j with one line on every embedding command", (opt, message) => {
    const cache = join(tmp.dir, "never2.sqlite");
    for (const cmd of [
      ["embed", data, ...openaiArgs],
      ["train", data, ...openaiArgs, "--out", join(tmp.dir, "never-model")],
      ["cv", data, ...openaiArgs],
      ["predict", "-m", modelA, "--base-url", A.url, "x"],
      ["evaluate", "-m", modelA, "--base-url", A.url, data],
      ["store", "add", data, "--store", join(tmp.dir, "never-store"), ...openaiArgs],
    ]) {
      const r = runCli([...cmd, ...opt], { env: env(cache) });
      expectOneLineError(r, message, 1);
    }
    expect(existsSync(cache)).toBe(false);
    expect(existsSync(join(tmp.dir, "never-model"))).toBe(false);
    expect(existsSync(join(tmp.dir, "never-store"))).toBe(false);
  });

  it("--max-tokens-per-request is refused for the offline embedder, which counts no tokens", () => {
    const r = runCli(["train", data, "--max-tokens-per-request", "100", "--out", join(tmp.dir, "never-local")]);
    expectOneLineError(r, /--max-tokens-per-request applies to embedders that count tokens; local:glove-lex-v2 does not/, 1);
    expect(existsSync(join(tmp.dir, "never-local"))).toBe(false);
  });
});

/**
 * Runs the CLI without write access to `dir` (and the files in it): as an unprivileged user when the
 * tests run as root (root may write anywhere), else with the folder made read-only for the run.
 */
function runCliWithoutWriteAccess(dir: string, args: string[], env: Record<string, string>): CliResult {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    try {
      return runCli(args, { env });
    } finally {
      chmodSync(dir, 0o755);
    }
  }
  // nobody: may read the test's files (made world-readable) but write none of them.
  chmodSync(tmp.dir, 0o755);
  const r = spawnSync(process.execPath, [join(process.cwd(), "dist", "cli", "main.js"), ...args], {
    env: { ...process.env, ...env },
    input: "",
    encoding: "utf8",
    uid: 65534,
    gid: 65534,
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("a read-only cache (issue 10 item 13)", () => {
  const dir = join(tmp.dir, "readonly");
  const cache = join(dir, "cache.sqlite");
  beforeAll(() => {
    mkdirSync(dir, { mode: 0o755 });
    const r = runCli(["embed", data, ...openaiArgs, "--base-url", A.url, "--quiet"], { env: env(cache) });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(`${cache}-wal`)).toBe(false); // closed cleanly: the main file holds every row
  });

  it("predict is served from it, with no request and no warning, when every vector is cached", () => {
    const before = A.requests().length;
    const r = runCliWithoutWriteAccess(dir, ["predict", "-m", modelA, "--base-url", A.url, "--cache", cache, "--json", texts[0], texts[1]], env(cache));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
    expect(A.requests()).toHaveLength(before);
  });

  it("cache stats and export read it", () => {
    const stats = runCliWithoutWriteAccess(dir, ["cache", "stats", "--cache", cache, "--json"], {});
    expect(stats.code, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ total: texts.length, byEmbedder: [{ embedderId: idFor(A.url), count: texts.length }] });
    const exported = runCliWithoutWriteAccess(dir, ["cache", "export", "--cache", cache], {});
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split("\n")).toHaveLength(texts.length);
  });

  it("new texts are embedded and predicted, with one warning that they are not saved", () => {
    const before = A.requests().length;
    const r = runCliWithoutWriteAccess(dir, ["predict", "-m", modelA, "--base-url", A.url, "--cache", cache, "--json", "new text one", "new text two", texts[0]], env(cache));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(3);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Warning: Embedding cache .*cache\.sqlite is read-only \(no write permission on (the file|its folder)\): it is read, but new vectors are not saved\.$/);
    expect(A.requests().slice(before)).toEqual([expect.objectContaining({ inputs: 2 })]);
    expect(cacheRows(cache)).toEqual([{ id: idFor(A.url), count: texts.length }]);
  });

  it("cache clear on it is one clear line and removes nothing", () => {
    const r = runCliWithoutWriteAccess(dir, ["cache", "clear", "--cache", cache], {});
    expectOneLineError(r, /is read-only \(no write permission on (the file|its folder)\); nothing was removed/, 1);
    expect(cacheRows(cache)).toEqual([{ id: idFor(A.url), count: texts.length }]);
  });

  it("a cache that cannot be created in a read-only folder is one line saying what to pass", () => {
    const missing = join(dir, "missing.sqlite");
    const r = runCliWithoutWriteAccess(dir, ["embed", data, ...openaiArgs, "--base-url", A.url, "--cache", missing], env(missing));
    expectOneLineError(r, /Cannot create embedding cache .*missing\.sqlite: EACCES on its folder\. Pass --cache with a writable path, or --no-cache/, 1);
    expect(existsSync(missing)).toBe(false);
  });
});
