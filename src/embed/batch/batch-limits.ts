/**
 * OpenAI's documented limits per batch (CreateBatchRequest in the OpenAPI description): at most
 * 50,000 requests and 200 MB in the input file, and for /v1/embeddings at most 50,000 embedding
 * inputs across all requests. Enqueued tokens are capped per model and organisation tier, so that
 * one has no default: pass the figure from the organisation's limits page.
 */
export interface BatchLimits {
  maxRequestsPerBatch: number;
  maxBytesPerFile: number;
  maxInputsPerBatch: number;
  /** Tokens that may wait in batches not yet finished, over the whole organisation and model. Default: no cap. */
  maxEnqueuedTokens: number;
}

export const OPENAI_BATCH_LIMITS: BatchLimits = {
  maxRequestsPerBatch: 50_000,
  maxBytesPerFile: 200 * 1024 * 1024,
  maxInputsPerBatch: 50_000,
  maxEnqueuedTokens: Number.POSITIVE_INFINITY,
};

/** The Batch API costs half the synchronous price (OpenAI's pricing page). */
export const BATCH_PRICE_FACTOR = 0.5;
