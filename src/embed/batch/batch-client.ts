import OpenAI, { APIConnectionError, APIError } from "openai";
import { EmbeddingError, OptionsError } from "../../errors.js";
import { OPENAI_BASE_URL, OPENAI_SERVER, redactUrl, serverFingerprint } from "../embedder-identity.js";
import { networkCause } from "../openai-embedder.js";

export interface BatchClientOptions {
  /** Default: env OPENAI_BASE_URL, else https://api.openai.com/v1. */
  baseURL?: string;
  /** Default: env OPENAI_API_KEY. Required for OpenAI's own URL. */
  apiKey?: string;
  /** Per-call timeout in ms. Default 600,000 (uploads of up to 200 MB). */
  timeoutMs?: number;
}

/**
 * The Files and Batches calls a batch job makes, through the official SDK. The SDK retries 429s and
 * 5xx itself here (maxRetries 4, honouring retry-after): these calls are few, idempotent reads or
 * creates whose duplicates a resumed job finds by name. Every failure becomes a one-line
 * EmbeddingError with the key scrubbed. The key lives only in a private field.
 */
export class BatchClient {
  readonly baseURL: string;
  /** "api.openai.com" or the server's 8-hex fingerprint: what a job records instead of the URL. */
  readonly server: string;
  readonly openai: OpenAI;
  readonly #apiKey: string;

  constructor(options: BatchClientOptions = {}) {
    this.baseURL = (options.baseURL || process.env.OPENAI_BASE_URL || OPENAI_BASE_URL).replace(/\/+$/, "");
    this.server = serverFingerprint(this.baseURL) ?? OPENAI_SERVER;
    const key = options.apiKey ?? process.env.OPENAI_API_KEY ?? "";
    if (!key && this.server === OPENAI_SERVER) {
      throw new OptionsError("EMBED_NO_API_KEY", "No OpenAI API key: OPENAI_API_KEY is not set and no apiKey was given.", {
        hint: "Set OPENAI_API_KEY (the Batch API needs one), or --base-url for a compatible server.",
      });
    }
    this.#apiKey = key || "sentivec-no-key";
    this.openai = new OpenAI({ apiKey: this.#apiKey, baseURL: this.baseURL, maxRetries: 4, timeout: options.timeoutMs ?? 600_000, logLevel: "off" });
  }

  /** Runs one SDK call; a failure becomes an EmbeddingError saying what was being done. */
  async call<T>(what: string, fn: (openai: OpenAI) => Promise<T>): Promise<T> {
    try {
      return await fn(this.openai);
    } catch (e) {
      throw this.mapError(e, what);
    }
  }

  mapError(e: unknown, what: string): Error {
    if (e instanceof EmbeddingError || e instanceof OptionsError) return e;
    const where = `${redactUrl(this.baseURL)}`;
    if (e instanceof APIConnectionError) {
      return new EmbeddingError("BATCH_UNREACHABLE", this.scrub(`Could not ${what}: ${where} could not be reached (${networkCause(e).text}).`), {
        hint: "Check --base-url (or OPENAI_BASE_URL) and the network; the job's state is saved, so run the same command again.",
      });
    }
    if (e instanceof APIError && typeof e.status === "number") {
      const body = e.error as { message?: unknown } | undefined;
      const msg = typeof body?.message === "string" ? body.message : e.message.replace(/^\d{3}\s*/, "");
      const hint =
        e.status === 401
          ? "Check OPENAI_API_KEY for this server."
          : e.status === 404
            ? "Check the id, and that --base-url names the server the job was submitted to."
            : undefined;
      return new EmbeddingError(`BATCH_HTTP_${e.status}`, this.scrub(`Could not ${what}: ${where} answered HTTP ${e.status}: ${msg.replace(/\.$/, "")}.`), { hint });
    }
    return new EmbeddingError("BATCH_FAILED", this.scrub(`Could not ${what}: ${networkCause(e).text}.`), { hint: "The job's state is saved; run the same command again." });
  }

  /** The key, and anything shaped like an OpenAI key, removed from text a user may see. */
  scrub(text: string): string {
    let out = text;
    if (this.#apiKey.length >= 4) out = out.split(this.#apiKey).join("[redacted]");
    return out.replace(/\bsk-[A-Za-z0-9_\-*]{6,}/g, "sk-[redacted]");
  }
}
