import { EmbeddingError } from "../errors.js";

/**
 * What kind of failure one embedding request met. The retry policy decides from this alone, so any
 * embedder (not only the OpenAI one) can make its failures retryable by throwing this error.
 */
export type EmbeddingFailureKind =
  /** The server answered with an HTTP error status (see `status`). */
  | "http"
  /** No usable answer: refused/reset/dropped connection, DNS failure, timeout. */
  | "network"
  /**
   * Nothing answers at that address at all (connection refused, unknown host). Retried once a
   * request of the run has succeeded (a restart), fatal before that (a wrong or dead --base-url).
   */
  | "unreachable"
  /** The server answered 2xx but the body was not what the protocol promises (bad JSON, wrong count). */
  | "bad-response"
  /** The caller's AbortSignal fired. */
  | "aborted"
  /**
   * The account is out of quota or its billing is not set up (OpenAI sends this as a 429 with code
   * insufficient_quota): no retry can fix it, only the account's owner.
   */
  | "quota";

export interface EmbeddingRequestErrorDetails {
  kind: EmbeddingFailureKind;
  /** HTTP status when `kind` is "http" or "quota". */
  status?: number;
  /**
   * Response headers (lower-case names) that matter for retrying: retry-after, retry-after-ms,
   * x-ratelimit-limit/remaining/reset-requests and -tokens. Never request headers, so never the key.
   */
  headers?: Record<string, string>;
}

/**
 * One embedding request failed. Thrown by embedders and read by the retry policy; the fetcher wraps
 * the last one into a final EmbeddingError that also says how much was saved. Messages are built by
 * the embedder with any API key scrubbed out, and the raw SDK error is deliberately not kept as
 * `cause`, so printing this error (even with util.inspect) cannot leak credentials.
 */
export class EmbeddingRequestError extends EmbeddingError {
  readonly kind: EmbeddingFailureKind;
  readonly status?: number;
  readonly headers: Record<string, string>;

  constructor(code: string, message: string, details: EmbeddingRequestErrorDetails, options: { hint?: string } = {}) {
    super(code, message, options);
    this.kind = details.kind;
    this.status = details.status;
    this.headers = details.headers ?? {};
  }
}
