import type { Embedder } from "./embedder.js";
import { EmbeddingError } from "../errors.js";
import { EmbeddingRequestError } from "./embedding-request-error.js";

/**
 * Checks one response before anything of it is used or cached: one vector per text, each a
 * Float32Array of the embedder's size, every value finite. A NaN or ±Infinity (float or base64
 * alike) is a bad response, retried like a garbled body and never cached: once cached it would
 * poison training and prediction on that text until the cache was cleared by hand.
 *
 * A wrong size is not retried: it is deterministic (the server ignores or misreads `dimensions`).
 */
export function checkVectors(embedder: Embedder, got: unknown, texts: number): asserts got is Float32Array[] {
  if (!Array.isArray(got) || got.length !== texts) {
    const n = Array.isArray(got) ? got.length : 0;
    throw new EmbeddingRequestError("EMBED_COUNT", `Embedder ${embedder.id} returned ${n} vectors for ${texts} texts.`, { kind: "bad-response" });
  }
  for (let i = 0; i < got.length; i++) {
    const v = got[i] as unknown;
    if (!(v instanceof Float32Array) || v.length !== embedder.dimensions) {
      const len = v instanceof Float32Array || Array.isArray(v) ? v.length : undefined;
      throw new EmbeddingError("EMBED_DIMENSIONS", `Embedder ${embedder.id} returned a vector of length ${len}; expected ${embedder.dimensions}.`);
    }
    for (let j = 0; j < v.length; j++) {
      // One comparison catches NaN (false for every comparison) and both infinities.
      if (!(Math.abs(v[j]) <= Number.MAX_VALUE)) {
        throw new EmbeddingRequestError(
          "EMBED_NOT_FINITE",
          `Embedder ${embedder.id} returned a non-finite value (${v[j]}) at position ${j} of vector ${i}.`,
          { kind: "bad-response" },
        );
      }
    }
  }
}
