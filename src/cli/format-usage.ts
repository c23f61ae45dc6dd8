import type { FetchUsage } from "../embed/embedding-fetcher.js";

/**
 * The one-line account of what embedding a command's texts cost: how many came from the cache and how
 * many requests were paid for. Printed by commands that embed through a remote embedder, so a user sees
 * at a glance that a cached (or batch-collected) corpus cost 0 requests.
 */
export function formatEmbeddingUsage(u: FetchUsage): string {
  return `Embedding usage: ${u.uniqueTexts} unique texts, ${u.cacheHits} from the cache, ${u.requests} requests (retries ${u.retries}), ${u.tokens} tokens`;
}
