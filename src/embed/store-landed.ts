import type { EmbeddingCache } from "./embedding-cache.js";
import type { Miss } from "./prepare-misses.js";

/**
 * Stage 5 of a fetch: a landed request's vectors go to the cache in one transaction, then into the
 * result. Persisting first means a crash, kill or abort right after loses nothing already paid for,
 * and the next run resumes. Only vectors checkVectors passed reach this point.
 */
export function storeLanded(
  cache: EmbeddingCache | undefined,
  embedderId: string,
  items: readonly Miss[],
  got: readonly Float32Array[],
  vectors: (Float32Array | undefined)[],
): void {
  cache?.putMany(embedderId, items.map((m, k) => ({ sha: m.sha, vector: got[k] })));
  items.forEach((m, k) => (vectors[m.unique] = got[k]));
}
