/**
 * Embedding throughput benchmark: 10,000 unique SST-2 sentences against the OpenAI-compatible test
 * server (a separate process, so its CPU work does not share our event loop) with a fixed latency per
 * request, measured side by side in one run:
 *
 *   (a) seed style     one text per request, sequential, no cache (timed on a sample, extrapolated)
 *   (b) count-only     batches of 2048 inputs, fired in waves of `concurrency`, no cache
 *   (c) sentivec       EmbeddingFetcher: dedupe, cache, token-aware plan, sliding pool of `concurrency`
 *   (c) warm           the same call again on the now-warm cache
 *
 * All three use the real `openai` SDK. (b) and (c) run --repeat times, interleaved, and the median
 * wall time is reported (the machine is shared; the spread is printed too).
 *
 * Run:  npx tsx bench/embed/run.ts [--latency 1000] [--dimensions 256] [--concurrency 4]
 *         [--seed-sample 20] [--texts 10000] [--repeat 3]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { EmbeddingFetcher } from "../../src/embed/embedding-fetcher.js";
import { OpenAIEmbedder } from "../../src/embed/openai-embedder.js";
import { BENCH_KEY, loadSst2Texts, numberOption, spawnTestServer } from "./bench-support.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => numberOption(argv, name, def);
const LATENCY = opt("latency", 1000);
const DIMS = opt("dimensions", 256);
const CONCURRENCY = opt("concurrency", 4);
const SEED_SAMPLE = opt("seed-sample", 20);
const N = opt("texts", 10_000);
const REPEAT = opt("repeat", 3);
const MODEL = "text-embedding-3-small";
const KEY = BENCH_KEY;

function loadTexts(): string[] {
  return loadSst2Texts(N);
}

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const { url, child } = await spawnTestServer(["--latency", String(LATENCY), "--api-key", KEY]);
  return { url, stop: () => child.kill("SIGTERM") };
}

/** The run with the median wall time, its note extended with the spread of all runs. */
function median(rs: Row[]): Row {
  const sorted = [...rs].sort((a, b) => a.wallMs - b.wallMs);
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  const spread = sorted.length > 1 ? `median of ${sorted.length}: ${sorted.map((r) => (r.wallMs / 1000).toFixed(3)).join(", ")} s` : "";
  return { ...m, note: [m.note, spread].filter(Boolean).join("; ") };
}

interface Row {
  name: string;
  requests: number;
  tokens: number;
  wallMs: number;
  note?: string;
}

async function main(): Promise<void> {
  const texts = loadTexts();
  const { url, stop } = await startServer();
  const dir = mkdtempSync(join(tmpdir(), "sentivec-bench-embed-"));
  const rows: Row[] = [];
  try {
    const client = new OpenAI({ apiKey: KEY, baseURL: url, maxRetries: 0 });
    const create = (input: string | string[]) => client.embeddings.create({ model: MODEL, input, dimensions: DIMS, encoding_format: "base64" });
    // Warm-up (connection, JIT, the server's tokenizer) so no contestant pays it.
    await create(["warm up"]);

    // (a) seed style: one text per request, sequential. 10k × latency would take hours at realistic
    // latencies, so a sample of SEED_SAMPLE texts is timed and scaled to N (clearly marked).
    {
      const sample = texts.slice(0, SEED_SAMPLE);
      let tokens = 0;
      const t0 = performance.now();
      for (const t of sample) tokens += (await create(t)).usage.prompt_tokens;
      const ms = performance.now() - t0;
      const scale = texts.length / sample.length;
      rows.push({ name: "(a) seed: 1 text/request, sequential", requests: texts.length, tokens: Math.round(tokens * scale), wallMs: ms * scale, note: `extrapolated ×${scale} from ${sample.length} texts timed` });
    }

    // Prime the server's memo with every text once (untimed), so its own CPU work stays inside the
    // fixed latency for every contestant alike.
    for (let i = 0; i < texts.length; i += 2048 * CONCURRENCY) {
      await Promise.all([0, 1, 2, 3].map((k) => texts.slice(i + k * 2048, i + (k + 1) * 2048)).filter((b) => b.length).map((b) => create(b)));
    }

    const embedder = new OpenAIEmbedder({ model: MODEL, dimensions: DIMS, baseURL: url, apiKey: KEY });
    const plan = await new EmbeddingFetcher(embedder).plan(texts);
    const runs: Record<string, Row[]> = { b: [], c: [], warm: [], c5: [] };
    const c5 = plan.requests;
    for (let rep = 0; rep < REPEAT; rep++) {
      // (b) count-only batching: slices of 2048, CONCURRENCY requests per wave, each wave awaited whole.
      {
        const batches: string[][] = [];
        for (let i = 0; i < texts.length; i += 2048) batches.push(texts.slice(i, i + 2048));
        let tokens = 0;
        const t0 = performance.now();
        for (let w = 0; w < batches.length; w += CONCURRENCY) {
          const wave = await Promise.all(batches.slice(w, w + CONCURRENCY).map((b) => create(b)));
          for (const r of wave) tokens += r.usage.prompt_tokens;
        }
        runs.b.push({ name: `(b) count-only 2048/request, waves of ${CONCURRENCY}`, requests: batches.length, tokens, wallMs: performance.now() - t0 });
      }
      // (c) sentivec, cold then warm, on a fresh cache file.
      {
        const cache = new EmbeddingCache(join(dir, `cache-${rep}.sqlite`));
        const fetcher = new EmbeddingFetcher(embedder, { cache, concurrency: CONCURRENCY });
        let t0 = performance.now();
        const cold = await fetcher.fetch(texts);
        runs.c.push({ name: `(c) sentivec, sliding pool of ${CONCURRENCY}`, requests: cold.usage.requests, tokens: cold.usage.tokens, wallMs: performance.now() - t0 });
        t0 = performance.now();
        const warm = await fetcher.fetch(texts);
        runs.warm.push({ name: "(c) sentivec, warm cache", requests: warm.usage.requests, tokens: warm.usage.tokens, wallMs: performance.now() - t0, note: `${warm.usage.cacheHits} cache hits` });
        cache.close();
      }
      // (c) with concurrency = the request count, where the two minimums below coincide.
      {
        const cache = new EmbeddingCache(join(dir, `cache5-${rep}.sqlite`));
        const f = new EmbeddingFetcher(embedder, { cache, concurrency: c5 });
        const t0 = performance.now();
        const cold = await f.fetch(texts);
        runs.c5.push({ name: `(c) sentivec, sliding pool of ${c5}`, requests: cold.usage.requests, tokens: cold.usage.tokens, wallMs: performance.now() - t0 });
        cache.close();
      }
    }
    for (const k of ["b", "c", "warm", "c5"]) rows.push(median(runs[k]));

    // Long inputs, where counting inputs is not enough: 2048 texts of ~200 tokens (SST-2 sentences
    // joined) are ~410k tokens, over the 300k-token request cap that count-only batching ignores.
    const long = Array.from({ length: 2048 }, (_, i) => texts.slice((i * 16) % (texts.length - 16), ((i * 16) % (texts.length - 16)) + 16).join(" ") + ` #${i}`);
    const longPlan = await new EmbeddingFetcher(embedder).plan(long);
    let t0 = performance.now();
    const countOnly = await create(long).then(
      () => "accepted",
      (e: Error) => e.message.split("\n")[0],
    );
    rows.push({ name: "(b) count-only, 2048 long texts", requests: 1, tokens: 0, wallMs: performance.now() - t0, note: `fails: ${countOnly}` });
    t0 = performance.now();
    const longRun = await new EmbeddingFetcher(embedder, { concurrency: CONCURRENCY }).fetch(long);
    rows.push({ name: `(c) sentivec, 2048 long texts`, requests: longRun.usage.requests, tokens: longRun.usage.tokens, wallMs: performance.now() - t0, note: `${longPlan.tokens} tokens; minimum ${longPlan.minimumRequests} requests` });

    report(texts.length, plan.minimumRequests, rows, rows[2].tokens);
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(n: number, minimumRequests: number, rows: Row[], tokens: number): void {
  const concOf = (r: Row) => (r.name.startsWith("(a)") ? 1 : Number(/(?:of|waves of) (\d+)/.exec(r.name)?.[1] ?? CONCURRENCY));
  const out: string[] = [];
  out.push(`load average at the end (2-core machine shared with other jobs): ${loadavg().map((x) => x.toFixed(2)).join(", ")}`);
  out.push(`${n} unique SST-2 texts, ${tokens} tokens; ${MODEL}@${DIMS}; server latency ${LATENCY} ms/request; fewest requests the limits allow: ${minimumRequests}`);
  out.push("");
  out.push("| run | requests | tokens | wall (s) | wall / (req × lat / conc) | wall / (⌈req / conc⌉ × lat) | note |");
  out.push("|---|---:|---:|---:|---:|---:|---|");
  for (const r of rows) {
    const c = concOf(r);
    const formula = (r.requests * LATENCY) / c;
    const rounds = Math.ceil(r.requests / c) * LATENCY;
    const ratio = (x: number) => (r.requests === 0 ? "—" : (r.wallMs / x).toFixed(3));
    out.push(`| ${r.name} | ${r.requests} | ${r.tokens} | ${(r.wallMs / 1000).toFixed(3)} | ${ratio(formula)} | ${ratio(rounds)} | ${r.note ?? ""} |`);
  }
  const cold = rows.find((r) => r.name.startsWith("(c) sentivec, sliding pool of " + CONCURRENCY))!;
  const warm = rows.find((r) => r.name.includes("warm"))!;
  out.push("");
  out.push(`warm / cold wall: ${((warm.wallMs / cold.wallMs) * 100).toFixed(2)}%  (warm ${warm.wallMs.toFixed(1)} ms, ${warm.requests} requests)`);
  console.log(out.join("\n"));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
