import { type Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_EMBEDDER_SPEC, createEmbedder } from "../embed/create-embedder.js";
import type { Embedder } from "../embed/embedder.js";
import { EmbeddingCache } from "../embed/embedding-cache.js";
import { EmbeddingFetcher, type EmbeddingFetcherOptions } from "../embed/embedding-fetcher.js";
import { parseWholeNumber, strictNumber } from "./number-options.js";

export const DEFAULT_CACHE_PATH = ".sentivec/cache.sqlite";

export interface EmbedderCliOptions {
  embedder?: string;
  dimensions?: number;
  baseUrl?: string;
  cache?: string | false;
  concurrency?: number;
  maxInputsPerRequest?: number;
  maxTokensPerRequest?: number;
  rpm?: number;
  tpm?: number;
  retryBudget?: number;
}

/**
 * --embedder and friends, for every command that embeds text. `fromBundle`: for commands that use a
 * saved model (predict, evaluate), whose bundle records its embedder and size: the help says so, since
 * there the two options only matter for a model trained on vectors of unknown origin.
 */
export function addEmbedderOptions(cmd: Command, { defaultSpec = true, fromBundle = false } = {}): Command {
  const embedderHelp = fromBundle
    ? "default: the embedder the model bundle records. Needed only for a model trained on precomputed vectors of unknown origin: the embedder that made them (e.g. openai:text-embedding-3-small); any other than the bundle's is refused"
    : `embedder: ${DEFAULT_EMBEDDER_SPEC} (offline word vectors, the default), local:hash-v2 or local:hash-v1 (offline hashed n-grams), or openai:MODEL (e.g. openai:text-embedding-3-small)`;
  const dimensionsHelp = fromBundle
    ? "with --embedder: its vector size (default: the size the bundle records; a different one is refused)"
    : "embedding dimensions (default: the model's own; local:glove-lex-v2 is always 133, local:hash-v2 512)";
  return cmd
    .addOption(new Option("--embedder <spec>", embedderHelp).default(defaultSpec ? DEFAULT_EMBEDDER_SPEC : undefined))
    .option("--dimensions <n>", dimensionsHelp, parseWholeNumber("--dimensions", 1))
    .option("--base-url <url>", "OpenAI-compatible server URL (Azure, Ollama, vLLM, LM Studio...); the key comes from OPENAI_API_KEY")
    .option("--cache <path>", `embedding cache file (default: $SENTIVEC_CACHE or ${DEFAULT_CACHE_PATH})`)
    .option("--no-cache", "do not read or write the embedding cache")
    .option("--concurrency <n>", "embedding requests in flight at once", parseWholeNumber("--concurrency", 1), 4)
    .option("--max-inputs-per-request <n>", "send at most this many texts per request (default: the provider's limit, 2048 for OpenAI)", parseWholeNumber("--max-inputs-per-request", 1))
    .option("--max-tokens-per-request <n>", "send at most this many tokens per request (default: the provider's limit, 300000 for OpenAI)", parseWholeNumber("--max-tokens-per-request", 1))
    .option("--rpm <n>", "requests per minute to stay under, for servers that send no x-ratelimit headers", positiveNumber("--rpm"))
    .option("--tpm <n>", "tokens per minute to stay under, for servers that send no x-ratelimit headers", positiveNumber("--tpm"))
    .option("--retry-budget <seconds>", "longest a request may keep failing or waiting on rate limits before the run stops (default 300)", positiveNumber("--retry-budget"));
}

/** A commander parser for a positive decimal number (rates, seconds). */
function positiveNumber(name: string) {
  return (value: string): number => {
    const n = strictNumber(value);
    if (n === undefined || !(n > 0)) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

export function embedderFrom(o: EmbedderCliOptions, spec = o.embedder ?? DEFAULT_EMBEDDER_SPEC): Embedder {
  return createEmbedder(spec, {
    dimensions: o.dimensions,
    baseURL: o.baseUrl,
    limits: { maxInputsPerRequest: o.maxInputsPerRequest, maxTokensPerRequest: o.maxTokensPerRequest },
  });
}

/**
 * A fetcher for the chosen embedder. Remote embedders go through the persistent cache (never pay twice);
 * the offline embedder computes faster than a cache lookup, so it skips it.
 */
export function fetcherFrom(
  o: EmbedderCliOptions,
  embedder: Embedder,
  extra: Omit<EmbeddingFetcherOptions, "cache" | "concurrency"> = {},
): { fetcher: EmbeddingFetcher; close: () => void } {
  const useCache = o.cache !== false && !embedder.id.startsWith("local:");
  // A warning, not progress: shown even with --quiet, since paid-for vectors are not being kept.
  const cache = useCache ? new EmbeddingCache(cachePath(o), { onReadOnlyWrite: (m) => process.stderr.write(`Warning: ${m}\n`) }) : undefined;
  const fetcher = new EmbeddingFetcher(embedder, {
    ...extra,
    cache,
    concurrency: o.concurrency,
    requestsPerMinute: o.rpm,
    tokensPerMinute: o.tpm,
    ...(o.retryBudget !== undefined ? { retry: { budgetMs: o.retryBudget * 1000 } } : {}),
  });
  return { fetcher, close: () => cache?.close() };
}

export function cachePath(o: { cache?: string | false }): string {
  return typeof o.cache === "string" ? o.cache : (process.env.SENTIVEC_CACHE ?? DEFAULT_CACHE_PATH);
}
