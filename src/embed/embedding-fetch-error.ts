import { EmbeddingError } from "../errors.js";

export interface EmbeddingFetchErrorDetails {
  /** Unique texts whose vectors are in the cache now (found there or written by this run). */
  cached: number;
  /** Unique texts still without a vector. */
  left: number;
  /** Tries made for the request that failed (0 when nothing failed, e.g. an abort). */
  attempts: number;
  /** HTTP status of the last failure, when there was one. */
  status?: number;
}

/**
 * A fetch stopped before every text had a vector: a request failed for good, or the caller aborted.
 * The message says how much is saved so the user knows a rerun resumes rather than starts over.
 */
export class EmbeddingFetchError extends EmbeddingError {
  readonly cached: number;
  readonly left: number;
  readonly attempts: number;
  readonly status?: number;

  constructor(code: string, message: string, details: EmbeddingFetchErrorDetails, options: { hint?: string } = {}) {
    super(code, message, options);
    this.cached = details.cached;
    this.left = details.left;
    this.attempts = details.attempts;
    this.status = details.status;
  }
}
