import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectOneLineError } from "../../support/expect-cli-error.js";
import { OpenAITestServer } from "../../support/openai-test-server.js";
import type { CliResult } from "../../support/run-cli.js";
import { waitFor } from "../../support/run-child.js";

const KEY = "testkey-batch-cli-LEAKCHECK-987654";
let dir: string;
let server: OpenAITestServer;
/** Every stdout and stderr the CLI printed in this file, checked for the key at the end. */
const printed: string[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentivec-batch-cli-"));
  server = await OpenAITestServer.start({ apiKey: KEY });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

/** The built CLI in a child process (the server runs in this one, so never spawnSync). */
function start(args: string[]): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [join(process.cwd(), "dist", "cli", "main.js"), ...args], {
    env: { ...process.env, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d));
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code, signal) => {
      printed.push(stdout, stderr);
      resolve({ code: code ?? (signal === "SIGKILL" ? 137 : -1), stdout, stderr });
    }),
  );
  return { child, done };
}
const sentivec = (args: string[]) => start(args).done;

const MODEL = ["--embedder", "openai:text-embedding-3-small", "--dimensions", "8"];
function rows(cache: string): { rows: number; uniq: number } {
  const db = new Database(cache, { readonly: true });
  try {
    return db.prepare("SELECT count(*) AS rows, count(DISTINCT sha) AS uniq FROM embeddings").get() as { rows: number; uniq: number };
  } finally {
    db.close();
  }
}

describe("sentivec batch: the 66,978 SST-2 training texts end to end", () => {
  it("submits several batches (50,000-input cap), survives a SIGKILL mid-collect without re-downloading stored files, then trains with 0 requests", async () => {
    const cache = join(dir, "sst2.sqlite");
    const conn = ["--base-url", server.url, "--cache", cache];
    const data = "datasets/sst2/train_full.tsv";

    const dry = await sentivec(["batch", "submit", data, ...MODEL, ...conn, "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    // 66,978 unique texts: ceil(66,978 / 2048) = 33 requests, the minimum; 2 batches because of the 50,000-input cap.
    expect(plan).toMatchObject({ uniqueTexts: 66_978, toEmbed: 66_978, files: 2, batches: 2, minimumBatches: 2, requests: 33, minimumRequests: 33 });
    expect(server.batch.log).toHaveLength(0);

    const sub = await sentivec(["batch", "submit", data, ...MODEL, ...conn, "--json"]);
    expect(sub.code, sub.stderr).toBe(0);
    const job = JSON.parse(sub.stdout);
    expect(job.parts.map((p: { inputs: number }) => p.inputs)).toEqual([49_152, 17_826]);
    expect(job.parts.map((p: { requests: number }) => p.requests)).toEqual([24, 9]);
    expect(server.batch.batches.size).toBe(2);
    for (const s of server.batch.batches.values()) expect(s.batch.endpoint).toBe("/v1/embeddings");

    // Slow downloads, so the collect can be killed partway through the second output file.
    server.batch.controls.contentChunkBytes = 16_384;
    server.batch.controls.contentChunkDelayMs = 10;
    const first = start(["batch", "collect", job.job, "--wait", "--poll-interval", "0.05", ...conn]);
    const second = () => [...server.batch.batches.values()][1]?.batch.output_file_id ?? undefined;
    await waitFor(() => {
      const id = second();
      const d = id ? server.batch.downloads(id)[0] : undefined;
      return d !== undefined && d.bytes! >= 0.4 * server.batch.files.get(id!)!.bytes;
    }, 120_000, "the second output file half downloaded");
    first.child.kill("SIGKILL");
    expect((await first.done).code).toBe(137);
    const mid = rows(cache);
    expect(mid.rows).toBeGreaterThanOrEqual(49_152);
    expect(mid.rows).toBeLessThan(66_978);

    server.batch.controls.contentChunkBytes = 0;
    const again = await sentivec(["batch", "collect", job.job, "--wait", "--poll-interval", "0.05", ...conn, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const done = JSON.parse(again.stdout);
    expect(done.status.texts).toEqual({ total: 66_978, done: 66_978, left: 0 });
    expect(done.status.parts.map((p: { status: string }) => p.status)).toEqual(["completed", "completed"]);
    expect(rows(cache)).toEqual({ rows: 66_978, uniq: 66_978 });
    // The first output file was stored before the kill: downloaded once. The second: once cut, once whole.
    const [b1, b2] = [...server.batch.batches.values()].map((s) => s.batch.output_file_id!);
    expect(server.batch.downloads(b1).map((d) => d.complete)).toEqual([true]);
    expect(server.batch.downloads(b2).map((d) => d.complete)).toEqual([false, true]);

    const status = await sentivec(["batch", "status", job.job, ...conn]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Texts 66978 done, 0 left of 66978; requests 33 \(33 done, 0 failed, 0 pending\)/);

    const model = join(dir, "model");
    const train = await sentivec(["train", data, ...MODEL, ...conn, "--trees", "3", "-o", model, "--json"]);
    expect(train.code, train.stderr).toBe(0);
    const usage = JSON.parse(train.stdout).usage;
    expect(usage).toMatchObject({ uniqueTexts: 66_978, cacheHits: 66_978, requests: 0 });
    // Without --json, the usage line says the same to a person.
    const plain = await sentivec(["train", data, ...MODEL, ...conn, "--trees", "1", "--test-size", "0", "-o", join(dir, "model-plain")]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/Embedding usage: 66978 unique texts, 66978 from the cache, 0 requests/);
    expect(server.log).toHaveLength(0); // no /v1/embeddings call at all

    // --delete-files cleans the job's files at the server.
    const clean = await sentivec(["batch", "collect", job.job, "--delete-files", ...conn, "--json"]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout).filesDeleted).toBe(4); // 2 inputs, 2 outputs (no error files)
    expect(server.batch.files.size).toBe(0);
  }, 600_000);
});

describe("sentivec batch: collect behaviour and errors", () => {
  const data = "datasets/sst2/dev.tsv"; // 872 texts
  let n = 0;
  const fresh = () => {
    const cache = join(dir, `c${++n}.sqlite`);
    return { cache, conn: ["--base-url", server.url, "--cache", cache] };
  };
  async function submit(conn: string[], extra: string[] = []): Promise<string> {
    const r = await sentivec(["batch", "submit", data, ...MODEL, "--max-inputs-per-request", "100", ...conn, ...extra, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout).job;
  }

  it("two collects of one job at once: the second waits, nothing is stored twice, nothing crashes", async () => {
    const { cache, conn } = fresh();
    const job = await submit(conn);
    server.batch.controls.contentChunkBytes = 4096;
    server.batch.controls.contentChunkDelayMs = 50;
    const [a, b] = await Promise.all([sentivec(["batch", "collect", job, "--wait", ...conn]), sentivec(["batch", "collect", job, "--wait", ...conn])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect([a.stderr, b.stderr].filter((e) => /Another sentivec process is collecting job/.test(e))).toHaveLength(1);
    expect(rows(cache)).toEqual({ rows: 872, uniq: 872 });
    const out = [...server.batch.batches.values()][0].batch.output_file_id!;
    expect(server.batch.downloads(out).map((d) => d.complete)).toEqual([true]);
  });

  it("reports failed requests with their error body, exits 1, and --retry-failed resubmits only those", async () => {
    const { cache, conn } = fresh();
    server.batch.controls.failShare = 0.3; // 3 of 9 requests
    const job = await submit(conn);
    const r = await sentivec(["batch", "collect", job, "--wait", "--poll-interval", "0.05", ...conn]);
    expectOneLineError(r, new RegExp(`^sentivec: 3 request\\(s\\) of job ${job} \\(\\d+ texts\\) failed; the rest is in the cache\\. Run \`sentivec batch collect ${job} --retry-failed --wait\``));
    expect(r.stderr).toMatch(/failed r\d+: HTTP 500: .*The server had an error while processing your request/);
    server.batch.controls.failShare = 0;
    const retry = await sentivec(["batch", "collect", job, "--wait", "--retry-failed", "--poll-interval", "0.05", ...conn, "--json"]);
    expect(retry.code, retry.stderr).toBe(0);
    const out = JSON.parse(retry.stdout);
    expect(out.resubmitted).toBe(3);
    expect(out.status.requests).toMatchObject({ total: 9, done: 9, failed: 0 });
    expect([...server.batch.batches.values()].map((s) => s.batch.request_counts.total)).toEqual([9, 3]);
    expect(rows(cache)).toEqual({ rows: 872, uniq: 872 });
  });

  it("a malformed output line: one clear error naming the file and line, the other lines kept", async () => {
    const { cache, conn } = fresh();
    server.batch.controls.malformedLines = 1;
    server.batch.controls.shuffle = false;
    const job = await submit(conn);
    const r = await sentivec(["batch", "collect", job, "--wait", "--poll-interval", "0.05", ...conn]);
    expectOneLineError(r, /^sentivec: Output file file-[0-9a-f]+ line 1: not valid JSON \(cut short or garbled\); the other lines were kept\. Its request is counted as failed/);
    expect(rows(cache).rows).toBe(772);
  });

  it("status shows each batch's state and counts as it advances on command", async () => {
    const { conn } = fresh();
    server.batch.controls.manual = true;
    const job = await submit(conn);
    const s1 = await sentivec(["batch", "status", job, ...conn]);
    expect(s1.stdout).toMatch(/1 +batch_[0-9a-f]+ +validating +9 +0 +0 +872/);
    await server.batch.advance();
    const s2 = await sentivec(["batch", "status", ...conn, "--json"]); // no JOB: the latest
    expect(JSON.parse(s2.stdout).parts[0].status).toBe("in_progress");
    const c = await sentivec(["batch", "cancel", job, ...conn, "--json"]);
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout).parts[0].status).toBe("cancelling");
    await server.batch.advance();
    const list = await sentivec(["batch", "list", "--cache", conn[3]]);
    expect(list.stdout).toMatch(new RegExp(`^${job}  openai:text-embedding-3-small@8~[0-9a-f]{8}  \\S+  0/872 texts  1 cancelling  \\(cancelled\\)`));
  });

  it("files list and files delete", async () => {
    const { conn } = fresh();
    server.batch.controls.manual = true;
    await submit(conn);
    const url = ["--base-url", server.url];
    const list = await sentivec(["files", "list", "--purpose", "batch", ...url, "--json"]);
    expect(list.code, list.stderr).toBe(0);
    const files = JSON.parse(list.stdout);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ object: "file", purpose: "batch", filename: expect.stringMatching(/^sentivec-job-.*-part1\.jsonl$/) });
    const del = await sentivec(["files", "delete", files[0].id, ...url]);
    expect(del.stdout).toBe(`Deleted ${files[0].id}\n`);
    const gone = await sentivec(["files", "delete", files[0].id, ...url]);
    expectOneLineError(gone, new RegExp(`^sentivec: Could not delete file ${files[0].id}: http://127\\.0\\.0\\.1:\\d+/v1 answered HTTP 404: No such File object: ${files[0].id}\\. Check the id`));
  });

  it("errors a user can cause are one line each", async () => {
    const { conn } = fresh();
    expectOneLineError(await sentivec(["batch", "collect", "job-unknown", ...conn]), /^sentivec: No batch job "job-unknown" in the embedding cache .* \(it has none\)\. Run `sentivec batch list`/);
    expectOneLineError(await sentivec(["batch", "status", ...conn]), /^sentivec: No batch jobs in the embedding cache .*\. Submit one with/);
    expectOneLineError(await sentivec(["batch", "submit", data, "--embedder", "local:hash-v2", ...conn]), /^sentivec: The Batch API embeds with openai: models, not "local:hash-v2"\. Pass --embedder openai:MODEL/);
    server.batch.controls.uploadFault = { status: 400, message: "Invalid file format for Batch API. Must be .jsonl", code: "invalid_file_format", param: "file" };
    expectOneLineError(await sentivec(["batch", "submit", data, ...MODEL, ...conn]), /^sentivec: Could not upload sentivec-job-\S+-part1\.jsonl: .* answered HTTP 400: Invalid file format for Batch API\. Must be \.jsonl\./);
    // Another server than the job's: refused before any call.
    const job = await submit(conn);
    const other = ["--base-url", "http://127.0.0.1:9/v1", "--cache", conn[3]];
    expectOneLineError(await sentivec(["batch", "status", job, ...other]), /^sentivec: Batch job \S+ was submitted to the server with fingerprint ~[0-9a-f]{8}, but this run points at the server with fingerprint ~[0-9a-f]{8}\. Pass the --base-url/);
  });
});

describe("the API key", () => {
  it("is never written to the cache database, the job tables, temp files or the output", () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(dir);
    for (const f of readdirSync(tmpdir())) if (f.startsWith("sentivec-batch-") && existsSync(join(tmpdir(), f))) walk(join(tmpdir(), f));
    expect(files.some((f) => f.endsWith("sst2.sqlite"))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f).toString("latin1");
      expect(bytes.includes(KEY), f).toBe(false);
      expect(bytes.includes("LEAKCHECK"), f).toBe(false);
    }
    // The job tables hold neither the key nor the server's URL (only its fingerprint).
    const db = new Database(join(dir, "sst2.sqlite"), { readonly: true });
    try {
      for (const t of ["batch_jobs", "batch_parts", "batch_requests"]) {
        const text = JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all());
        expect(text).not.toContain(KEY);
        expect(text).not.toContain("127.0.0.1");
      }
    } finally {
      db.close();
    }
    expect(printed.length).toBeGreaterThan(10);
    for (const p of printed) expect(p.includes(KEY)).toBe(false);
  });
});
