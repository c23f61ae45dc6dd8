import { type Command, InvalidArgumentError, Option } from "commander";
import type { BatchCollectResult, BatchJobOptions, BatchJobStatus, BatchPlanSummary } from "../embed/batch/batch-embedding-job.js";
import type { EmbeddingCache } from "../embed/embedding-cache.js";
import { EmbeddingError, OptionsError } from "../errors.js";
import { printJson, status } from "./cli-output.js";
import { addDatasetOptions, type DatasetCliOptions, datasetOptionsFrom } from "./dataset-options.js";
import { formatDollars } from "./format-dollars.js";
import { parseWholeNumber, strictNumber } from "./number-options.js";

interface ConnectionOptions {
  baseUrl?: string;
  cache?: string;
  pricePerMillion?: number;
  json?: boolean;
  quiet?: boolean;
}

interface SubmitOptions extends ConnectionOptions, DatasetCliOptions {
  embedder: string;
  dimensions?: number;
  dryRun?: boolean;
  maxEnqueuedTokens?: number;
  maxInputsPerRequest?: number;
  maxTokensPerRequest?: number;
}

interface CollectOptions extends ConnectionOptions {
  wait?: boolean;
  retryFailed?: boolean;
  deleteFiles?: boolean;
  pollInterval?: number;
}

/**
 * `sentivec batch submit|status|collect|cancel|list`: embedding through OpenAI's Batch API at half
 * the price, as one resumable job whose state lives in the embedding cache (see
 * embed/batch/batch-embedding-job.ts). openai and better-sqlite3 are loaded inside the actions only.
 */
export function registerBatchCommand(program: Command): void {
  const batch = program
    .command("batch")
    .description("embed through OpenAI's Batch API (half the price, done within 24 h) into the embedding cache: submit, status, collect, cancel, list");

  const submit = batch
    .command("submit")
    .description("plan and submit a batch job for a dataset's texts not yet in the cache (--dry-run: files, batches, requests, tokens and cost)")
    .argument("<dataset...>", "dataset file(s): .csv, .tsv, .txt (sentence<TAB>label), .json, .jsonl")
    .requiredOption("--embedder <spec>", "openai:MODEL, e.g. openai:text-embedding-3-small")
    .option("--dimensions <n>", "embedding dimensions (default: the model's own)", parseWholeNumber("--dimensions", 1))
    .option("--dry-run", "send nothing: print files, batches, requests, tokens and the cost at the batch and synchronous prices")
    .option("--max-enqueued-tokens <n>", "your organisation's enqueued-token limit for the model (batches are submitted as it allows; default: no cap)", parseWholeNumber("--max-enqueued-tokens", 1))
    .option("--max-inputs-per-request <n>", "at most this many texts per request line (default 2048)", parseWholeNumber("--max-inputs-per-request", 1))
    .option("--max-tokens-per-request <n>", "at most this many tokens per request line (default 300000)", parseWholeNumber("--max-tokens-per-request", 1));
  addConnectionOptions(submit);
  addDatasetOptions(submit);
  submit.action(async (files: string[], o: SubmitOptions) => {
    if (!o.embedder.trim().startsWith("openai:")) {
      throw new OptionsError("BATCH_EMBEDDER", `The Batch API embeds with openai: models, not "${o.embedder}".`, { hint: "Pass --embedder openai:MODEL, e.g. openai:text-embedding-3-small." });
    }
    const quiet = o.quiet === true || o.json === true;
    const { loadDataset } = await import("../data/load-dataset.js");
    const { embedderFrom } = await import("./embedder-options.js");
    const { BatchEmbeddingJob } = await import("../embed/batch/batch-embedding-job.js");
    const dataset = await loadDataset(files, datasetOptionsFrom(o, false));
    const embedder = embedderFrom({ embedder: o.embedder, dimensions: o.dimensions, baseUrl: o.baseUrl, maxInputsPerRequest: o.maxInputsPerRequest, maxTokensPerRequest: o.maxTokensPerRequest }) as import("../embed/openai-embedder.js").OpenAIEmbedder;
    const texts = dataset.items.map((i) => i.text);
    await withCache(o, async (cache, path) => {
      const options: BatchJobOptions = { cache, baseURL: o.baseUrl, prices: o.pricePerMillion, limits: { maxEnqueuedTokens: o.maxEnqueuedTokens } };
      if (o.dryRun) {
        const plan = await BatchEmbeddingJob.plan(embedder, texts, options);
        if (o.json) return printJson({ ...plan, cache: path });
        console.log(formatPlan(plan, path));
        return;
      }
      const job = await BatchEmbeddingJob.submit(embedder, texts, options);
      const s = await job.status({ refresh: false });
      if (o.json) return printJson(s);
      console.log(formatStatus(s));
      status(`Collect with: sentivec batch collect ${s.job} --wait${o.cache ? ` --cache ${o.cache}` : ""}${o.baseUrl ? ` --base-url ${o.baseUrl}` : ""}`, quiet);
    });
  });

  const statusCmd = batch
    .command("status")
    .description("show a job's batches (status, request counts) and its texts done and left, tokens and cost (default: the latest job)")
    .argument("[job]", "job id (see `sentivec batch list`)");
  addConnectionOptions(statusCmd);
  statusCmd.action(async (jobId: string | undefined, o: ConnectionOptions) => {
    const { BatchEmbeddingJob } = await import("../embed/batch/batch-embedding-job.js");
    await withCache(o, async (cache) => {
      const options: BatchJobOptions = { cache, baseURL: o.baseUrl, prices: o.pricePerMillion };
      const id = jobId ?? latestJob(BatchEmbeddingJob.list(cache, options), cache);
      const s = await BatchEmbeddingJob.open(id, options).status();
      if (o.json) return printJson(s);
      console.log(formatStatus(s));
    });
  });

  const collect = batch
    .command("collect")
    .description("read finished batches' output into the embedding cache (streamed), resubmit expired work, and with --wait poll until the job is done")
    .argument("<job>", "job id (see `sentivec batch list`)")
    .option("--wait", "poll (with backoff) until every batch has finished, collecting as they do")
    .option("--retry-failed", "resubmit the requests that failed")
    .option("--delete-files", "delete the job's uploaded input files and its output and error files once collected")
    .option("--poll-interval <seconds>", "first wait between polls with --wait; it grows to at most 60 s (default 5)", positiveNumber("--poll-interval"));
  addConnectionOptions(collect);
  collect.action(async (jobId: string, o: CollectOptions) => {
    const quiet = o.quiet === true || o.json === true;
    const { BatchEmbeddingJob } = await import("../embed/batch/batch-embedding-job.js");
    await withCache(o, async (cache) => {
      const job = BatchEmbeddingJob.open(jobId, { cache, baseURL: o.baseUrl, prices: o.pricePerMillion });
      const progress = collectProgress(quiet);
      const interval = o.pollInterval === undefined ? undefined : Math.round(o.pollInterval * 1000);
      let r: BatchCollectResult;
      try {
        r = await job.collect({
          wait: o.wait === true,
          retryFailed: o.retryFailed === true,
          deleteFiles: o.deleteFiles === true,
          pollIntervalMs: interval,
          maxPollIntervalMs: interval === undefined ? undefined : Math.max(interval, 60_000),
          onProgress: progress.onProgress,
          onWait: () => status(`Another sentivec process is collecting job ${jobId}; waiting for it...`, quiet),
        });
      } finally {
        progress.stop();
      }
      if (o.json) printJson(r);
      else console.log(formatCollect(r));
      for (const f of r.failures) status(`  failed ${f.customId}: ${f.error}`, quiet);
      if (r.problems.length) {
        const p = r.problems[0];
        const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more line(s))` : "";
        throw new EmbeddingError("BATCH_BAD_OUTPUT_LINE", `Output file ${p.fileId} line ${p.line}: ${p.reason}${more}; the other lines were kept.`, {
          hint: `Its request is counted as failed: run \`sentivec batch collect ${jobId} --retry-failed\` to send it again.`,
        });
      }
      if (r.status.finished && r.status.requests.failed > 0 && !o.retryFailed) {
        throw new EmbeddingError("BATCH_REQUESTS_FAILED", `${r.status.requests.failed} request(s) of job ${jobId} (${r.status.texts.left} texts) failed; the rest is in the cache.`, {
          hint: `Run \`sentivec batch collect ${jobId} --retry-failed --wait\` to send them again.`,
        });
      }
    });
  });

  const cancel = batch.command("cancel").description("cancel a job's running batches; collect then keeps what finished").argument("<job>", "job id");
  addConnectionOptions(cancel);
  cancel.action(async (jobId: string, o: ConnectionOptions) => {
    const { BatchEmbeddingJob } = await import("../embed/batch/batch-embedding-job.js");
    await withCache(o, async (cache) => {
      const s = await BatchEmbeddingJob.open(jobId, { cache, baseURL: o.baseUrl, prices: o.pricePerMillion }).cancel();
      if (o.json) return printJson(s);
      console.log(formatStatus(s));
    });
  });

  const list = batch.command("list").description("list the batch jobs recorded in the embedding cache (as last seen; no server calls)");
  list
    .option("--cache <path>", "embedding cache file holding the jobs (default: $SENTIVEC_CACHE or .sentivec/cache.sqlite)")
    .addOption(new Option("--price-per-million <usd>").argParser(parsePrice).hideHelp())
    .option("--json", "print JSON");
  list.action(async (o: ConnectionOptions) => {
    const { BatchEmbeddingJob } = await import("../embed/batch/batch-embedding-job.js");
    await withCache(o, async (cache) => {
      const jobs = BatchEmbeddingJob.list(cache, { prices: o.pricePerMillion });
      if (o.json) return printJson(jobs);
      if (!jobs.length) return console.log(`No batch jobs in ${cache.path}.`);
      for (const j of jobs) {
        const states = summarizeParts(j);
        console.log(`${j.job}  ${j.embedderId}  ${j.createdAt}  ${j.texts.done}/${j.texts.total} texts  ${states}${j.cancelled ? "  (cancelled)" : ""}`);
      }
    });
  });
}

function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option("--base-url <url>", "OpenAI-compatible server URL (default: $OPENAI_BASE_URL or OpenAI's); the key comes from OPENAI_API_KEY")
    .option("--cache <path>", "embedding cache file: the vectors and the job's state (default: $SENTIVEC_CACHE or .sentivec/cache.sqlite)")
    .option("--price-per-million <usd>", "synchronous price per 1M tokens for cost figures (default: OpenAI's list price; the batch price is half)", parsePrice)
    .option("--json", "print JSON")
    .option("-q, --quiet", "no progress output");
}

async function withCache(o: { cache?: string }, fn: (cache: EmbeddingCache, path: string) => Promise<void>): Promise<void> {
  const { EmbeddingCache } = await import("../embed/embedding-cache.js");
  const { cachePath } = await import("./embedder-options.js");
  const path = cachePath(o);
  const cache = new EmbeddingCache(path, { onReadOnlyWrite: (m) => process.stderr.write(`Warning: ${m}\n`) });
  try {
    await fn(cache, path);
  } finally {
    cache.close();
  }
}

function latestJob(jobs: BatchJobStatus[], cache: EmbeddingCache): string {
  const last = jobs.at(-1);
  if (!last) {
    throw new EmbeddingError("BATCH_NO_JOBS", `No batch jobs in the embedding cache ${cache.path}.`, { hint: "Submit one with `sentivec batch submit DATASET --embedder openai:MODEL`, or pass the --cache it used." });
  }
  return last.job;
}

function parsePrice(value: string): number {
  const n = strictNumber(value);
  if (n === undefined || n < 0) throw new InvalidArgumentError("--price-per-million must be a non-negative number (dollars per 1M tokens).");
  return n;
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = strictNumber(value);
    if (n === undefined || !(n > 0)) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

function cost(batch: number | undefined, sync: number | undefined, price: number | undefined, embedderId: string): string {
  if (batch === undefined || sync === undefined) return `unknown (no known price for ${embedderId.includes("~") ? "this server" : "this model"}; pass --price-per-million USD)`;
  return `${formatDollars(batch)} at the batch price ($${price! / 2} per 1M tokens); ${formatDollars(sync)} synchronously`;
}

function formatPlan(p: BatchPlanSummary, cache: string): string {
  return [
    `Embedder         ${p.embedderId}`,
    `Texts            ${p.texts}  (${p.uniqueTexts} unique, ${p.cacheHits} already cached in ${cache})`,
    `To embed         ${p.toEmbed}`,
    `Files            ${p.files}  (${(p.bytes / 1e6).toFixed(1)} MB in all)`,
    `Batches          ${p.batches}  (minimum possible: ${p.minimumBatches})`,
    `Requests         ${p.requests}  (minimum possible: ${p.minimumRequests})`,
    `Tokens           ${p.tokens}`,
    `Estimated cost   ${cost(p.batchCost, p.synchronousCost, p.pricePerMillionTokens, p.embedderId)}`,
  ].join("\n");
}

function summarizeParts(s: BatchJobStatus): string {
  const counts = new Map<string, number>();
  for (const p of s.parts) {
    const k = p.status ?? p.state;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(", ") || "no batches";
}

function formatStatus(s: BatchJobStatus): string {
  const rows = s.parts.map((p) =>
    [String(p.part).padEnd(5), (p.batchId ?? "-").padEnd(32), (p.status ?? `(${p.state})`).padEnd(12), String(p.requestCounts.total || p.requests).padStart(8), String(p.requestCounts.completed).padStart(10), String(p.requestCounts.failed).padStart(7), String(p.inputs).padStart(8)].join(" "),
  );
  const errors = s.parts.flatMap((p) => (p.errors ?? []).map((e) => `  part ${p.part} failed at validation: ${e}`));
  return [
    `Job ${s.job}  ${s.embedderId}  created ${s.createdAt}${s.cancelled ? "  (cancelled)" : ""}`,
    `  ${["part".padEnd(5), "batch".padEnd(32), "status".padEnd(12), "requests".padStart(8), "completed".padStart(10), "failed".padStart(7), "inputs".padStart(8)].join(" ")}`,
    ...rows.map((r) => `  ${r}`),
    ...errors,
    `Texts ${s.texts.done} done, ${s.texts.left} left of ${s.texts.total}; requests ${s.requests.total} (${s.requests.done} done, ${s.requests.failed} failed, ${s.requests.pending} pending); tokens ${s.tokens.done} of ${s.tokens.total}`,
    `Cost ${cost(s.batchCost, s.synchronousCost, s.pricePerMillionTokens, s.embedderId)}`,
  ].join("\n");
}

function formatCollect(r: BatchCollectResult): string {
  const extra = [
    r.resubmitted ? `${r.resubmitted} request(s) resubmitted` : "",
    r.filesDeleted ? `${r.filesDeleted} file(s) deleted` : "",
  ].filter(Boolean);
  return `${formatStatus(r.status)}\nCollected ${r.stored} request(s) into the cache now${r.failedNow ? `, ${r.failedNow} failed` : ""}${extra.length ? `; ${extra.join(", ")}` : ""}.${r.status.finished ? "" : " Not finished: run collect again (or with --wait)."}`;
}

/** A bar of texts stored on a terminal; a line per change of the batches' states otherwise. */
function collectProgress(quiet: boolean): { onProgress: (s: BatchJobStatus) => void; stop: () => void } {
  if (quiet) return { onProgress: () => {}, stop: () => {} };
  let last = "";
  let bar: import("cli-progress").SingleBar | undefined;
  let loading: Promise<void> | undefined;
  const tty = process.stderr.isTTY === true;
  return {
    onProgress: (s) => {
      const line = `Batches: ${summarizeParts(s)}; texts ${s.texts.done}/${s.texts.total} stored`;
      if (tty) {
        loading ??= import("cli-progress").then(({ SingleBar }) => {
          bar = new SingleBar({ format: "Collecting [{bar}] {percentage}% | {value}/{total} texts | {batches}", stream: process.stderr, hideCursor: true });
          bar.start(s.texts.total, s.texts.done, { batches: summarizeParts(s) });
        });
        void loading.then(() => bar?.update(s.texts.done, { batches: summarizeParts(s) }));
        return;
      }
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
    },
    stop: () => bar?.stop(),
  };
}
