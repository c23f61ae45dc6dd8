import type { Embedder } from "./embedder.js";
import { EmbeddingError } from "../errors.js";

export interface FetchProgress {
  /** Unique texts embedded or found so far. */
  done: number;
  /** Unique texts in this call. */
  total: number;
}

export interface EmbeddingFetcherOptions {
  /** Called after each request lands. */
  onProgress?: (progress: FetchProgress) => void;
}

export interface FetchUsage {
  texts: number;
  uniqueTexts: number;
  requests: number;
  cacheHits: number;
}

export interface FetchResult {
  /** One vector per input text, in input order (duplicates share the same vector object). */
  vectors: Float32Array[];
  usage: FetchUsage;
}

/**
 * Turns a list of texts into vectors through an Embedder: identical texts are embedded once and
 * requests respect the embedder's per-request input limit.
 */
export class EmbeddingFetcher {
  constructor(
    readonly embedder: Embedder,
    private readonly options: EmbeddingFetcherOptions = {},
  ) {}

  async fetch(texts: string[], { signal }: { signal?: AbortSignal } = {}): Promise<FetchResult> {
    const unique = new Map<string, number>();
    const uniqueTexts: string[] = [];
    const slot = texts.map((t) => {
      let i = unique.get(t);
      if (i === undefined) {
        i = uniqueTexts.length;
        unique.set(t, i);
        uniqueTexts.push(t);
      }
      return i;
    });
    const vectors: Float32Array[] = new Array(uniqueTexts.length);
    const per = Math.max(1, this.embedder.limits.maxInputsPerRequest);
    let requests = 0;
    for (let start = 0; start < uniqueTexts.length; start += per) {
      signal?.throwIfAborted();
      const batch = uniqueTexts.slice(start, start + per);
      const got = await this.embedder.embed(batch, { signal });
      requests++;
      if (got.length !== batch.length) {
        throw new EmbeddingError("EMBED_COUNT", `Embedder ${this.embedder.id} returned ${got.length} vectors for ${batch.length} texts.`);
      }
      for (let k = 0; k < got.length; k++) vectors[start + k] = got[k];
      this.options.onProgress?.({ done: Math.min(start + per, uniqueTexts.length), total: uniqueTexts.length });
    }
    return {
      vectors: slot.map((i) => vectors[i]),
      usage: { texts: texts.length, uniqueTexts: uniqueTexts.length, requests, cacheHits: 0 },
    };
  }
}
