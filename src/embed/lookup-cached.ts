import type { EmbeddingCache } from "./embedding-cache.js";

export interface CacheLookup {
  /** Vector per position of `shas`, or undefined where the cache has none. */
  vectors: (Float32Array | undefined)[];
  hits: number;
}

/**
 * Stage 2 of a fetch: texts whose vectors the cache holds (same embedder id + sha256) are not sent.
 * A cached vector holding NaN or ±Infinity (written by a sentivec before the finite-value check) is
 * not served: the text is embedded again, so one bad answer from the past cannot break training
 * and prediction on that text for good.
 */
export function lookupCached(cache: EmbeddingCache | undefined, embedderId: string, shas: readonly string[]): CacheLookup {
  const vectors: (Float32Array | undefined)[] = new Array(shas.length);
  let hits = 0;
  if (cache) {
    const found = cache.getMany(embedderId, shas as string[]);
    for (let u = 0; u < shas.length; u++) {
      const v = found.get(shas[u]);
      if (v && allFinite(v)) {
        vectors[u] = v;
        hits++;
      }
    }
  }
  return { vectors, hits };
}

function allFinite(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (!(Math.abs(v[i]) <= Number.MAX_VALUE)) return false;
  return true;
}
