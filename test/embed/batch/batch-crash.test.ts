import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BatchEmbeddingJob } from "../../../src/embed/batch/batch-embedding-job.js";
import { EmbeddingCache } from "../../../src/embed/embedding-cache.js";
import { OpenAIEmbedder } from "../../../src/embed/openai-embedder.js";
import { OpenAITestServer } from "../../support/openai-test-server.js";
import type { CliResult } from "../../support/run-cli.js";

const KEY = "testkey-batch-crash-LEAKCHECK-4242";
let dir: string;
let server: OpenAITestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentivec-batch-crash-"));
  server = await OpenAITestServer.start({ apiKey: KEY });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

function sentivec(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [join(process.cwd(), "dist", "cli", "main.js"), ...args], {
    env: { ...process.env, OPENAI_API_KEY: KEY, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? (signal === "SIGKILL" ? 137 : -1), stdout, stderr })));
}

const count = (route: string) => server.batch.log.filter((e) => e.route === route && e.status === 200).length;

describe("a submit killed between any two steps resumes on collect without losing or repeating anything", () => {
  // upload-intent: recorded "uploading", nothing sent; uploaded: the file is at the server, its id not
  // recorded; created: the batch exists, its id not recorded.
  for (const step of ["batch:upload-intent", "batch:uploaded", "batch:created"]) {
    it(`killed at ${step}`, async () => {
      const cache = join(dir, `${step.replace(":", "-")}.sqlite`);
      const conn = ["--base-url", server.url, "--cache", cache];
      const killed = await sentivec(["batch", "submit", "datasets/sst2/dev.tsv", "--embedder", "openai:text-embedding-3-small", "--dimensions", "8", ...conn], { SENTIVEC_TEST_KILL_AT: step });
      expect(killed.code).toBe(137);
      const list = await sentivec(["batch", "list", "--cache", cache, "--json"]);
      const [job] = JSON.parse(list.stdout);
      expect(job.parts[0].state).toBe(step === "batch:upload-intent" ? "uploading" : step === "batch:uploaded" ? "uploading" : "uploaded");
      const r = await sentivec(["batch", "collect", job.job, "--wait", "--poll-interval", "0.05", ...conn, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).status.texts).toEqual({ total: 872, done: 872, left: 0 });
      // One file uploaded and one batch created, whatever the step: found again, not made twice.
      expect(count("files.create")).toBe(1);
      expect(count("batches.create")).toBe(1);
    });
  }
});

describe("statuses advance over time", () => {
  it("validating → in_progress → finalizing → completed, one step per stepMs, as status shows", async () => {
    const cache = new EmbeddingCache(join(dir, "time.sqlite"));
    const embedder = new OpenAIEmbedder({ model: "text-embedding-3-small", dimensions: 8, baseURL: server.url, apiKey: KEY });
    server.batch.controls.stepMs = 400;
    const job = await BatchEmbeddingJob.submit(embedder, ["one", "two", "three"], { cache, apiKey: KEY, baseURL: server.url });
    const seen: string[] = [];
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      const s = await job.status();
      const st = s.parts[0].status!;
      if (seen.at(-1) !== st) seen.push(st);
      if (st === "completed") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toEqual(["validating", "in_progress", "finalizing", "completed"]);
    const b = [...server.batch.batches.values()][0].batch;
    expect(b.in_progress_at).toBeGreaterThanOrEqual(b.created_at);
    expect(b.completed_at).toBeGreaterThanOrEqual(b.finalizing_at!);
    expect(b.request_counts).toEqual({ total: 1, completed: 1, failed: 0 });
    cache.close();
  });
});
