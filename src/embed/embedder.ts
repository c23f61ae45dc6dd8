/**
 * What every embedding backend provides. The fetcher plans requests from `limits`, the cache is
 * namespaced by `id`, and model bundles record `id` so a model is never fed vectors from another space.
 */
export interface EmbedderLimits {
  /** Most inputs one request may carry (OpenAI: 2048). */
  maxInputsPerRequest: number;
  /** Most tokens summed over one request's inputs (OpenAI: 300,000). */
  maxTokensPerRequest: number;
  /** Most tokens in one input (OpenAI: 8192). */
  maxTokensPerInput: number;
}

export interface EmbedOptions {
  signal?: AbortSignal;
}

export interface Embedder {
  /** Provider, model and dimensions, e.g. "local:hash-v2@512" or "openai:text-embedding-3-small@256". */
  readonly id: string;
  readonly dimensions: number;
  readonly limits: EmbedderLimits;
  /**
   * Counts the tokens of a text the way the provider bills them. Optional: embedders without a
   * token budget (the offline one) leave it out and the planner counts inputs only.
   */
  countTokens?(text: string): number;
  /**
   * Resolves once the embedder can send at once (e.g. its SDK is loaded, which is put off until needed
   * so that commands which never send do not pay for it). Optional; the fetcher awaits it before it
   * starts pacing requests.
   */
  ready?(): Promise<void>;
  /** Embeds one request's worth of texts; returns one vector per text, in input order. */
  embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]>;
}

/** Limits for embedders that have no provider-imposed ones. */
export const UNLIMITED: EmbedderLimits = {
  maxInputsPerRequest: 1024,
  maxTokensPerRequest: Number.POSITIVE_INFINITY,
  maxTokensPerInput: Number.POSITIVE_INFINITY,
};
