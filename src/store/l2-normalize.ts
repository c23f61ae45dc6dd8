import { StoreError } from "./store-error.js";

/** |‖v‖² − 1| within which a vector counts as unit length: a few float32 roundings (2⁻²⁴ each) of 1. */
const UNIT_TOLERANCE = 1e-6;

/**
 * Writes `src / ‖src‖₂` into `dst` at `offset`. Stored vectors and queries are both unit length, so
 * cosine similarity is a plain dot product in the scan. Accumulates in float64 so the norm of a
 * 1536-dim float32 vector is exact to float32 precision. Zero and non-finite vectors have no
 * direction, so they are refused (naming `what`) rather than stored as NaN rows that poison search.
 */
export function l2NormalizeInto(src: ArrayLike<number>, dst: Float32Array, offset: number, what: string, options: { allowZero?: boolean } = {}): void {
  const n = src.length;
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const v = src[j];
    sum += v * v;
  }
  if (!Number.isFinite(sum)) {
    let bad = 0;
    while (bad < n && Number.isFinite(src[bad])) bad++;
    throw new StoreError("STORE_VECTOR_NOT_FINITE", `${what}: value ${bad} is ${src[bad]}.`, {
      hint: "Vectors must contain finite numbers only (no NaN or Infinity).",
    });
  }
  if (sum === 0) {
    if (options.allowZero) {
      // A zero row scores 0 against everything: a neutral neighbour, not an error (the kNN classifier's choice).
      dst.fill(0, offset, offset + n);
      return;
    }
    throw new StoreError("STORE_VECTOR_ZERO", `${what} is all zeros, so it has no direction to compare by cosine.`, {
      hint: "Check the embedder output; a zero vector usually means an empty or failed embedding.",
    });
  }
  if (Math.abs(sum - 1) <= UNIT_TOLERANCE) {
    // Already unit length to float32 precision (embedders return unit vectors): dividing by the norm
    // would only move a few values by an ulp. Kept bit for bit instead, so a model trained on a store's
    // vectors sees exactly what the embedder returned, and matches one trained on the files.
    for (let j = 0; j < n; j++) dst[offset + j] = src[j];
    return;
  }
  const inv = 1 / Math.sqrt(sum);
  for (let j = 0; j < n; j++) dst[offset + j] = src[j] * inv;
}
