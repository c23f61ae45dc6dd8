/**
 * Batch API benchmark: every unique SST-2 training text (66,978) embedded through a Batch API job
 * (BatchEmbeddingJob: submit, then collect with wait) against the OpenAI-compatible test server in
 * its own process, with the synchronous EmbeddingFetcher on the same texts beside it in the same run.
 *
 * Counted at the server (its JSONL log), not taken from our own bookkeeping: files uploaded, batches
 * created, output files downloaded; plus the request lines in the batches (request_counts.total),
 * against the fewest requests the limits allow, max(ceil(texts / 2048), ceil(tokens / 300,000)),
 * and the fewest batches, ceil(texts / 50,000). Cost at OpenAI's list price for text-embedding-3-small,
 * batch (half) and synchronous.
 *
 * The test server completes a batch as soon as it is looked at (OpenAI takes minutes to 24 hours)
 * and is primed (every text counted and embedded before timing), so wall times measure our side:
 * planning, upload, streaming the output into SQLite; the synchronous path against the same server.
 *
 * Run:  npx tsx bench/batch/run.ts [--dimensions 256] [--texts 66978]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BatchEmbeddingJob } from "../../src/embed/batch/batch-embedding-job.js";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { EmbeddingFetcher } from "../../src/embed/embedding-fetcher.js";
import { EMBEDDING_PRICES_PER_MILLION } from "../../src/embed/embedding-prices.js";
import { OpenAIEmbedder } from "../../src/embed/openai-embedder.js";
import { BENCH_KEY, loadSst2Texts, numberOption, spawnTestServer } from "../embed/bench-support.js";

const argv = process.argv.slice(2);
const DIMS = numberOption(argv, "dimensions", 256);
const N = numberOption(argv, "texts", Number.POSITIVE_INFINITY);
const MODEL = "text-embedding-3-small";
const PRICE = EMBEDDING_PRICES_PER_MILLION[`openai:${MODEL}`];

async function main(): Promise<void> {
  const texts = loadSst2Texts(N);
  const dir = mkdtempSync(join(tmpdir(), "sentivec-bench-batch-"));
  const logFile = join(dir, "server.jsonl");
  // The server embeds and counts every text once before timing (--prime), so both paths time our side.
  const primeFile = join(dir, "texts.txt");
  writeFileSync(primeFile, texts.join("\n"));
  const { url, child } = await spawnTestServer(["--api-key", BENCH_KEY, "--log", logFile, "--prime", primeFile, "--prime-dimensions", String(DIMS)]);
  const load = [loadavg()[0]];
  try {
    const embedder = new OpenAIEmbedder({ model: MODEL, dimensions: DIMS, baseURL: url, apiKey: BENCH_KEY });

    // Batch job: submit, then collect until done.
    const batchCache = new EmbeddingCache(join(dir, "batch.sqlite"));
    const options = { cache: batchCache, apiKey: BENCH_KEY, baseURL: url, prices: PRICE };
    const t0 = performance.now();
    const job = await BatchEmbeddingJob.submit(embedder, texts, options);
    const t1 = performance.now();
    const collected = await job.collect({ wait: true, pollIntervalMs: 200 });
    const t2 = performance.now();
    load.push(loadavg()[0]);
    const s = collected.status;
    const log = readFileSync(logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { route?: string; complete?: boolean });
    const uploads = log.filter((e) => e.route === "files.create").length;
    const created = log.filter((e) => e.route === "batches.create").length;
    const downloads = log.filter((e) => e.route === "files.content").length;
    const requestLines = s.parts.reduce((sum, p) => sum + p.requestCounts.total, 0);
    const rows = batchCache.stats().total;
    batchCache.close();

    // Synchronous fetcher on the same texts, same server, fresh cache.
    const syncCache = new EmbeddingCache(join(dir, "sync.sqlite"));
    const t3 = performance.now();
    const fetched = await new EmbeddingFetcher(embedder, { cache: syncCache }).fetch(texts);
    const t4 = performance.now();
    load.push(loadavg()[0]);
    syncCache.close();

    const tokens = s.tokens.total;
    const minRequests = Math.max(Math.ceil(texts.length / 2048), Math.ceil(tokens / 300_000));
    const minBatches = Math.ceil(texts.length / 50_000);
    const money = (x: number) => `$${x.toFixed(4)}`;
    console.log(`${texts.length} unique SST-2 texts, ${tokens} tokens, ${MODEL} at ${DIMS} dimensions (base64)`);
    console.log(`load average (1 min) at start / after batch / after sync: ${load.map((l) => l.toFixed(2)).join(" / ")} on ${availableParallelism()} cores\n`);
    console.log("| path | files uploaded | batches | requests | minimum requests | output files read | cache rows | wall time | cost at list price |");
    console.log("|---|---|---|---|---|---|---|---|---|");
    console.log(
      `| Batch API job (submit ${((t1 - t0) / 1000).toFixed(1)} s + collect ${((t2 - t1) / 1000).toFixed(1)} s) | ${uploads} | ${created} (minimum ${minBatches}) | ${requestLines} | ${minRequests} | ${downloads} | ${rows} | ${((t2 - t0) / 1000).toFixed(1)} s | ${money((tokens / 1e6) * PRICE * 0.5)} |`,
    );
    console.log(`| synchronous EmbeddingFetcher | 0 | 0 | ${fetched.usage.requests} | ${minRequests} | 0 | ${fetched.usage.uniqueTexts} | ${((t4 - t3) / 1000).toFixed(1)} s | ${money((fetched.usage.tokens / 1e6) * PRICE)} |`);
    if (s.texts.done !== texts.length || rows !== texts.length) throw new Error(`batch job stored ${rows} rows for ${texts.length} texts`);
  } finally {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
