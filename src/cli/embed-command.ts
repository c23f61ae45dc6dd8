import { type Command, InvalidArgumentError, Option } from "commander";
import type { SingleBar } from "cli-progress";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { loadDataset } from "../data/load-dataset.js";
import type { FetchProgress, RetryEvent } from "../embed/embedding-fetcher.js";
import { AtomicOutput } from "../util/atomic-output.js";
import { fileSystemError } from "../util/fs-error.js";
import { checkOutputFile } from "../util/output-path.js";
import { printJson, status } from "./cli-output.js";
import { addDatasetOptions, type DatasetCliOptions, datasetOptionsFrom } from "./dataset-options.js";
import { addEmbedderOptions, cachePath, type EmbedderCliOptions, embedderFrom, fetcherFrom } from "./embedder-options.js";
import { formatDollars } from "./format-dollars.js";
import { strictNumber } from "./number-options.js";
import { cliProgress } from "./progress-display.js";

interface EmbedCliOptions extends EmbedderCliOptions, DatasetCliOptions {
  dryRun?: boolean;
  truncate?: boolean;
  pricePerMillion?: number;
  /** The option's earlier name, kept working. */
  price?: number;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `sentivec embed <dataset...>`: embeds every text of a dataset into the cache (so train/evaluate
 * later pay nothing), or with --dry-run says what that would cost. Results go to stdout, progress and
 * retry notices to stderr.
 */
export function registerEmbedCommand(program: Command): void {
  const cmd = program
    .command("embed")
    .description("embed a dataset's texts into the embedding cache (or --dry-run: count requests, tokens and cost)")
    .argument("<dataset...>", "dataset file(s): .csv, .tsv, .txt (sentence<TAB>label), .json, .jsonl")
    .option("--dry-run", "send nothing: print texts, unique texts, cache hits, requests planned, tokens and estimated cost")
    .option("--truncate", "cut texts over the model's per-input token limit instead of stopping")
    .option("--price-per-million <usd>", "price per 1M tokens for the cost estimate (default: OpenAI's list price, for OpenAI's own endpoint only)", parsePrice)
    .addOption(new Option("--price <usd>").argParser(parsePrice).hideHelp())
    .option("--out <file.jsonl>", "also write {text, label, embedding} lines (readable again with --vector-field embedding)")
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "no progress output");
  addEmbedderOptions(cmd);
  addDatasetOptions(cmd);
  cmd.action(async (files: string[], o: EmbedCliOptions) => {
    const quiet = o.quiet === true || o.json === true;
    // Before anything is paid for: an --out that cannot be written fails now, not after embedding.
    if (o.out && !o.dryRun) checkOutputFile(o.out, "vectors file", "--out");
    const dataset = await loadDataset(files, datasetOptionsFrom(o, false));
    const texts = dataset.items.map((i) => i.text);
    const embedder = embedderFrom(o);
    const progress = progressReporter(quiet);
    const onRetry = (r: RetryEvent) =>
      status(
        r.rateLimited
          ? `Rate limited (${r.error.message.split(". ")[0]}); all requests paused ${(r.delayMs / 1000).toFixed(1)} s.`
          : `Request ${r.request + 1} failed (${r.error.message.split(". ")[0]}); retry ${r.attempt} in ${(r.delayMs / 1000).toFixed(1)} s.`,
        quiet,
      );
    const { fetcher, close } = fetcherFrom(o, embedder, { truncate: o.truncate === true, prices: o.pricePerMillion ?? o.price, onProgress: progress.onProgress, onRetry });
    const cache = o.cache !== false && !embedder.id.startsWith("local:") ? cachePath(o) : undefined;
    try {
      if (o.dryRun) {
        const plan = await fetcher.plan(texts);
        if (o.json) return printJson({ ...plan, cache: cache ?? null });
        const cost =
          plan.estimatedCost === undefined
            ? `unknown (no known price for ${embedder.id.includes("~") ? "this server" : "this model"}; pass --price-per-million USD)`
            : `${formatDollars(plan.estimatedCost)} at $${plan.pricePerMillionTokens} per 1M tokens`;
        console.log(
          [
            `Embedder         ${plan.embedderId}`,
            `Texts            ${plan.texts}`,
            `Unique texts     ${plan.uniqueTexts}`,
            `Cache hits       ${plan.cacheHits}${cache ? `  (${cache})` : "  (no cache)"}`,
            `Requests planned ${plan.requests}  (minimum possible: ${plan.minimumRequests})`,
            `Tokens           ${plan.tokens}`,
            ...(plan.truncated ? [`Truncated        ${plan.truncated}`] : []),
            `Estimated cost   ${cost}`,
          ].join("\n"),
        );
        return;
      }
      const started = Date.now();
      const result = await fetcher.fetch(texts).finally(() => progress.stop());
      const seconds = (Date.now() - started) / 1000;
      if (o.out) await writeVectors(o.out, dataset.items, result.vectors, cache !== undefined);
      const summary = { embedderId: embedder.id, ...result.usage, seconds, cache: cache ?? null, out: o.out ?? null };
      if (o.json) return printJson(summary);
      const u = result.usage;
      console.log(
        [
          `Embedded ${u.texts} texts (${u.uniqueTexts} unique) with ${embedder.id} in ${seconds.toFixed(1)} s`,
          `  cache hits ${u.cacheHits}, requests ${u.requests} (retries ${u.retries}), tokens ${u.tokens}${u.truncated ? `, truncated ${u.truncated}` : ""}`,
          cache ? `  cache: ${cache}` : "  cache: not used",
          ...(o.out ? [`  vectors written to ${o.out}`] : []),
        ].join("\n"),
      );
    } finally {
      close();
    }
  });
}

function parsePrice(value: string): number {
  const n = strictNumber(value);
  if (n === undefined || n < 0) throw new InvalidArgumentError("--price-per-million must be a non-negative number (dollars per 1M tokens).");
  return n;
}

/** A bar on a terminal; otherwise nothing until the summary (logs stay readable). */
function progressReporter(quiet: boolean): { onProgress: (p: FetchProgress) => void; stop: () => void } {
  if (quiet || process.stderr.isTTY !== true) return { onProgress: () => {}, stop: () => {} };
  let bar: SingleBar | undefined;
  return {
    onProgress: (p) => {
      if (!bar) {
        if (p.done >= p.total) return;
        bar = new (cliProgress().SingleBar)({
          format: "Embedding [{bar}] {percentage}% | {value}/{total} texts | {requests} requests | ETA {eta}s",
          stream: process.stderr,
          hideCursor: true,
        });
        bar.start(p.total, p.done, { requests: `${p.requestsDone}/${p.requestsPlanned}` });
      }
      bar.update(p.done, { requests: `${p.requestsDone}/${p.requestsPlanned}` });
    },
    stop: () => bar?.stop(),
  };
}

/** Writes the JSONL atomically: a full disk or a kill leaves the previous file (if any), never half of one. */
async function writeVectors(path: string, items: { text: string; label?: string }[], vectors: Float32Array[], cached: boolean): Promise<void> {
  const action = { action: "write the vectors", path, unchanged: cached ? "The embeddings are in the cache, so running it again costs nothing." : undefined };
  let out: AtomicOutput | undefined;
  try {
    await mkdir(dirname(path), { recursive: true });
    out = await AtomicOutput.open(path);
    for (let i = 0; i < items.length; i++) {
      await out.write(`${JSON.stringify({ text: items[i].text, label: items[i].label, embedding: Array.from(vectors[i]) })}\n`);
    }
    await out.commit();
  } catch (cause) {
    await out?.abort();
    throw fileSystemError(cause, action);
  }
}
