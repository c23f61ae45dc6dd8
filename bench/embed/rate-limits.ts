/**
 * Rate-limit benchmark (issue 9, defect 4): all 66,978 unique SST-2 train sentences through the
 * EmbeddingFetcher against the OpenAI test server (its own process) advertising 1,000,000 tokens and
 * 3,000 requests per minute in x-ratelimit-* headers, with a fixed latency per request. Counts 429s
 * and compares the wall time with the least the limits and the latency allow:
 *
 *   (A) fresh organisation: full buckets. 818,927 tokens fit in one minute's 1,000,000, so the limits
 *       allow everything at once; the floor is the latency: ceil(requests / concurrency) x latency.
 *   (B) organisation with a fifth of its minute left (the server's buckets start at 20%): the limits
 *       bind. The last request cannot be admitted before the buckets have refilled what the run needs
 *       beyond what was left: floor = max((tokens - left) / TPM, (requests - left) / RPM) + latency.
 *   (C) as (B), with the x-ratelimit-* headers hidden from the fetcher: reacting to 429s and their
 *       retry-after only (what sentivec did before, and what peers do).
 *
 * The server counts and embeds every text once before it starts listening (--prime), so its own CPU
 * work stays out of the timing, as in run.ts.
 *
 * Run:  npx tsx bench/embed/rate-limits.ts [--latency 1000] [--concurrency 4] [--start-level 0.2]
 *         [--dimensions 256] [--repeat 1]
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import type { Embedder, EmbedOptions } from "../../src/embed/embedder.js";
import { EmbeddingFetcher } from "../../src/embed/embedding-fetcher.js";
import { EmbeddingRequestError } from "../../src/embed/embedding-request-error.js";
import { OpenAIEmbedder, type EmbedResult } from "../../src/embed/openai-embedder.js";
import { BENCH_KEY, loadSst2Texts, numberOption, spawnTestServer } from "./bench-support.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => numberOption(argv, name, def);
const LATENCY = opt("latency", 1000);
const CONCURRENCY = opt("concurrency", 4);
const START_LEVEL = opt("start-level", 0.2);
const DIMS = opt("dimensions", 256);
const REPEAT = opt("repeat", 1);
const TPM = 1_000_000;
const RPM = 3_000;
const KEY = BENCH_KEY;
/** The texts, one per line, for the server to count and embed before timing starts (see prime()). */
const PRIME_FILE = `/tmp/sentivec-bench-rate-prime-${process.pid}.txt`;

function loadTexts(): string[] {
  return loadSst2Texts();
}

async function startServer(startLevel: number): Promise<{ url: string; stop: () => void; log: () => { status: number | string; receivedAt: number; answeredAt: number }[] }> {
  const logFile = `/tmp/sentivec-bench-rate-${process.pid}-${startLevel}-${Date.now()}.jsonl`;
  const args = ["--latency", String(LATENCY), "--api-key", KEY, "--rpm", String(RPM), "--tpm", String(TPM), "--start-level", String(startLevel), "--log", logFile, "--prime", PRIME_FILE, "--prime-dimensions", String(DIMS)];
  const { url, child } = await spawnTestServer(args);
  const log = () => {
    try {
      return readFileSync(logFile, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    } catch {
      return [];
    }
  };
  return {
    url,
    stop: () => {
      child.kill("SIGTERM");
      rmSync(logFile, { force: true });
    },
    log,
  };
}

/** The embedder with the x-ratelimit-* headers removed from what the fetcher sees: 429s and retry-after only. */
function withoutRateHeaders(inner: OpenAIEmbedder): Embedder {
  const strip = (h: Record<string, string> | undefined) => {
    for (const k of Object.keys(h ?? {})) if (k.startsWith("x-ratelimit-")) delete h![k];
  };
  return {
    id: inner.id,
    dimensions: inner.dimensions,
    limits: inner.limits,
    countTokens: (t: string) => inner.countTokens(t),
    tokenCountAtMostUtf8Bytes: true,
    async embed(texts: string[], options?: EmbedOptions) {
      try {
        const r: EmbedResult = await inner.embed(texts, options);
        strip(r.headers);
        return r;
      } catch (e) {
        if (e instanceof EmbeddingRequestError) strip(e.headers);
        throw e;
      }
    },
  } as Embedder;
}

interface Row {
  name: string;
  requests: number;
  refused: number;
  tokens: number;
  wallMs: number;
  floorMs: number;
  note: string;
}

async function run(name: string, texts: string[], startLevel: number, hideHeaders: boolean, floor: (requests: number, tokens: number) => number): Promise<Row> {
  const server = await startServer(startLevel);
  try {
    const inner = new OpenAIEmbedder({ model: "text-embedding-3-small", dimensions: DIMS, baseURL: server.url, apiKey: KEY });
    inner.countTokens("warm the tokenizer up");
    const embedder = hideHeaders ? withoutRateHeaders(inner) : inner;
    const fetcher = new EmbeddingFetcher(embedder, { concurrency: CONCURRENCY });
    const t0 = performance.now();
    const { usage } = await fetcher.fetch(texts);
    const wallMs = performance.now() - t0;
    const log = server.log();
    if (argv.includes("--timeline")) console.log(name, log.map((l) => `${l.status}@${l.receivedAt}-${l.answeredAt}`).join(" "));
    const ok = log.filter((l) => l.status === 200).length;
    const refused = log.filter((l) => l.status === 429).length;
    return { name, requests: ok, refused, tokens: usage.tokens, wallMs, floorMs: floor(ok, usage.tokens), note: `${usage.retries} retries` };
  } finally {
    server.stop();
  }
}

async function main(): Promise<void> {
  const texts = loadTexts();
  writeFileSync(PRIME_FILE, texts.join("\n"));
  process.on("exit", () => rmSync(PRIME_FILE, { force: true }));
  const rounds = (r: number) => Math.ceil(r / CONCURRENCY) * LATENCY;
  // Refill needed beyond what was left, at the per-minute rate; then the last answer's latency.
  const boundFloor = (r: number, t: number) => Math.max(((t - START_LEVEL * TPM) / TPM) * 60_000, ((r - START_LEVEL * RPM) / RPM) * 60_000, 0) + LATENCY;
  const rows: Row[] = [];
  const only = argv.includes("--only-a");
  for (let i = 0; i < REPEAT; i++) {
    rows.push(await run("(A) fresh organisation, paced by headers", texts, 1, false, (r) => rounds(r)));
    if (only) continue;
    rows.push(await run(`(B) ${START_LEVEL * 100}% of the minute left, paced by headers`, texts, START_LEVEL, false, (r, t) => Math.max(boundFloor(r, t), rounds(r))));
    rows.push(await run(`(C) ${START_LEVEL * 100}% left, headers hidden (429 + retry-after only)`, texts, START_LEVEL, true, (r, t) => Math.max(boundFloor(r, t), rounds(r))));
  }
  console.log(`\n${texts.length} unique SST-2 train texts, ${DIMS} dimensions, latency ${LATENCY} ms, concurrency ${CONCURRENCY}, limits ${TPM} TPM / ${RPM} RPM in headers; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}\n`);
  console.log("| run | requests | 429s | tokens | wall (s) | floor (s) | wall / floor | note |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---|");
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.requests} | ${r.refused} | ${r.tokens} | ${(r.wallMs / 1000).toFixed(2)} | ${(r.floorMs / 1000).toFixed(2)} | ${(r.wallMs / r.floorMs).toFixed(3)} | ${r.note} |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
