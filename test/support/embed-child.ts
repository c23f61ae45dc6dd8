/**
 * A separate process that embeds texts through the real fetcher, SDK and SQLite cache, for tests
 * that need more than one process (two writers on one cache) or a process to SIGKILL (resume).
 *
 *   tsx test/support/embed-child.ts --base-url URL --cache FILE --texts FILE.json
 *       [--dimensions N] [--concurrency N] [--max-inputs N] [--wait-for FILE]
 *
 * With --wait-for it prints {"event":"ready"} and starts only once FILE exists, so a test can line
 * up several processes despite their different start-up times.
 *
 * The key comes from OPENAI_API_KEY. Prints one JSON line per landed request
 * ({"event":"progress",...}) and a final {"event":"done",...} or {"event":"error",...}.
 */
import { existsSync, readFileSync } from "node:fs";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { EmbeddingFetcher } from "../../src/embed/embedding-fetcher.js";
import { OpenAIEmbedder } from "../../src/embed/openai-embedder.js";

const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

const texts = JSON.parse(readFileSync(arg("texts")!, "utf8")) as string[];
const cache = new EmbeddingCache(arg("cache")!);
const maxInputs = arg("max-inputs");
const embedder = new OpenAIEmbedder({
  baseURL: arg("base-url"),
  dimensions: Number(arg("dimensions") ?? 16),
  limits: maxInputs ? { maxInputsPerRequest: Number(maxInputs) } : undefined,
});
const fetcher = new EmbeddingFetcher(embedder, {
  cache,
  concurrency: Number(arg("concurrency") ?? 4),
  retry: { baseDelayMs: 10, maxDelayMs: 200, maxAttempts: 10 },
  onProgress: (p) => out({ event: "progress", ...p }),
});
async function start(): Promise<void> {
  const gate = arg("wait-for");
  if (!gate) return;
  out({ event: "ready" });
  while (!existsSync(gate)) await new Promise((r) => setTimeout(r, 5));
}

start()
  .then(() => fetcher.fetch(texts))
  .then((r) => out({ event: "done", usage: r.usage }))
  .catch((e: Error) => {
    out({ event: "error", message: e.message });
    process.exitCode = 1;
  })
  .finally(() => cache.close());
