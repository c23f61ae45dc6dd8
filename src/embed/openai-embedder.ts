import type OpenAI from "openai";
import type { APIError } from "openai";
import type { Embedder, EmbedderLimits, EmbedOptions } from "./embedder.js";
import { EmbeddingError, OptionsError } from "../errors.js";
import { EmbeddingRequestError } from "./embedding-request-error.js";
import { OPENAI_BASE_URL, redactUrl, serverFingerprint } from "./embedder-identity.js";
import { countTiktokens, truncateTiktokens, type TiktokenEncodingName } from "./tiktoken-encoding.js";

export { OPENAI_BASE_URL };

/**
 * OpenAI's documented limits for /v1/embeddings: at most 2048 inputs, 8192 tokens each ("the max
 * input tokens for the model (8192 tokens for all embedding models)" in the API reference), 300,000
 * tokens summed over a request.
 */
export const OPENAI_EMBEDDING_LIMITS: EmbedderLimits = {
  maxInputsPerRequest: 2048,
  maxTokensPerRequest: 300_000,
  maxTokensPerInput: 8192,
};

/** Response headers the fetcher's retry policy and rate limiter read (never request headers). */
const RATE_HEADERS = [
  "retry-after",
  "retry-after-ms",
  "x-ratelimit-limit-requests",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-reset-requests",
  "x-ratelimit-reset-tokens",
  "x-request-id",
];

/** OpenAI error codes that mean the account cannot pay, not that it is going too fast. */
const QUOTA_CODES = new Set(["insufficient_quota", "billing_hard_limit_reached", "billing_not_active", "access_terminated"]);

interface KnownModel {
  /** Native size, used when no `dimensions` is given. */
  dimensions: number;
  /** Whether the model accepts a smaller `dimensions` (Matryoshka truncation). */
  shortenable: boolean;
  encoding: TiktokenEncodingName;
}

export const OPENAI_EMBEDDING_MODELS: Record<string, KnownModel> = {
  "text-embedding-3-small": { dimensions: 1536, shortenable: true, encoding: "cl100k_base" },
  "text-embedding-3-large": { dimensions: 3072, shortenable: true, encoding: "cl100k_base" },
  "text-embedding-ada-002": { dimensions: 1536, shortenable: false, encoding: "cl100k_base" },
};

export interface OpenAIEmbedderOptions {
  /** Default "text-embedding-3-small". Any name works against a compatible server; give `dimensions` then. */
  model?: string;
  /** Vector size. Default: the model's native size (3-small 1536, 3-large 3072, ada-002 1536). */
  dimensions?: number;
  /** Any OpenAI-compatible endpoint. Default: env OPENAI_BASE_URL, else https://api.openai.com/v1. */
  baseURL?: string;
  /** Default: env OPENAI_API_KEY. Required for OpenAI's own URL; optional for a custom baseURL. */
  apiKey?: string;
  /** Wire format asked of the server. Default "base64" (about 25% of the JSON float size). */
  encodingFormat?: "base64" | "float";
  /** Per-request timeout in ms. Default 120,000. */
  timeoutMs?: number;
  /** Overrides for servers with other limits than OpenAI's. */
  limits?: Partial<EmbedderLimits>;
  /** Tokenizer for counting. Default: the model's (cl100k_base for all current embedding models). */
  encoding?: TiktokenEncodingName;
}

/** Per-request token usage the server reported, attached to the array `embed` returns. */
export interface EmbedUsage {
  tokens: number;
}
/** Vectors, plus the usage and rate-limit headers (RATE_HEADERS) the server sent with them. */
export type EmbedResult = Float32Array[] & { usage?: EmbedUsage; headers?: Record<string, string> };

/**
 * Embeds through the official `openai` SDK. The SDK's own retries are switched off (maxRetries 0):
 * the EmbeddingFetcher retries with knowledge the SDK lacks (the whole plan, the shared rate-limit
 * pause, the cache), and every SDK failure is mapped to an EmbeddingRequestError carrying the status
 * and rate-limit headers the retry policy reads.
 *
 * The API key lives only in private fields (not enumerable, not shown by util.inspect, not in
 * JSON.stringify) and every error message is scrubbed of it before it leaves this class.
 */
type OpenAiSdk = typeof import("openai");

export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly model: string;
  readonly dimensions: number;
  readonly limits: EmbedderLimits;
  readonly baseURL: string;
  /** 8-hex fingerprint of the server (part of `id`); undefined for OpenAI's own endpoint. */
  readonly server: string | undefined;
  readonly encodingFormat: "base64" | "float";
  private readonly encoding: TiktokenEncodingName;
  /** Only sent when the model supports it or the caller asked, since ada-002 rejects the field. */
  private readonly sendDimensions: boolean;
  /** True when no key is set and the URL is OpenAI's own: embed() then refuses with a clear error. */
  private readonly missingKey: boolean;
  /** The SDK client, made at the first request: importing `openai` (~150 files) is for the paths that send. */
  #client: Promise<{ client: OpenAI; sdk: OpenAiSdk }> | undefined;
  readonly #clientOptions: ConstructorParameters<typeof OpenAI>[0];
  readonly #apiKey: string;

  constructor(options: OpenAIEmbedderOptions = {}) {
    this.model = options.model ?? "text-embedding-3-small";
    const known = OPENAI_EMBEDDING_MODELS[this.model];
    this.baseURL = (options.baseURL || process.env.OPENAI_BASE_URL || OPENAI_BASE_URL).replace(/\/+$/, "");
    // Validates the URL too: one that can never be reached is refused before anything is planned.
    this.server = serverFingerprint(this.baseURL);
    const dims = options.dimensions ?? known?.dimensions;
    if (dims === undefined) {
      throw new OptionsError("EMBED_DIMENSIONS", `Unknown embedding model "${this.model}": its vector size is not known.`, {
        hint: "Pass dimensions (CLI: --dimensions N).",
      });
    }
    if (!Number.isInteger(dims) || dims < 1) {
      throw new OptionsError("EMBED_DIMENSIONS", `dimensions must be a positive integer, got ${dims}.`);
    }
    if (known && dims !== known.dimensions && (!known.shortenable || dims > known.dimensions)) {
      throw new OptionsError(
        "EMBED_DIMENSIONS",
        known.shortenable
          ? `${this.model} produces at most ${known.dimensions} dimensions, got ${dims}.`
          : `${this.model} always produces ${known.dimensions} dimensions and cannot be shortened, got ${dims}.`,
      );
    }
    this.dimensions = dims;
    this.sendDimensions = options.dimensions !== undefined && (known?.shortenable ?? true);
    // The server is part of the vector space (see embedder-identity.ts): it namespaces the cache.
    this.id = `openai:${this.model}@${this.dimensions}${this.server ? `~${this.server}` : ""}`;
    this.limits = { ...OPENAI_EMBEDDING_LIMITS, ...options.limits };
    this.encodingFormat = options.encodingFormat ?? "base64";
    this.encoding = options.encoding ?? known?.encoding ?? "cl100k_base";

    const key = options.apiKey ?? process.env.OPENAI_API_KEY ?? "";
    const isOpenAI = /^https:\/\/api\.openai\.com(\/|$)/.test(this.baseURL);
    // Checked when a request is about to be sent, not here: a dry run, a fully cached fetch, or loading
    // a bundle to inspect it needs no key.
    this.missingKey = !key && isOpenAI;
    // The SDK refuses an empty key; a keyless compatible server ignores whatever we send.
    this.#apiKey = key || "sentivec-no-key";
    this.#clientOptions = {
      apiKey: this.#apiKey,
      baseURL: this.baseURL,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 120_000,
      // SDK logging is off: our errors carry what matters, and nothing can echo request headers.
      logLevel: "off",
    };
  }

  /** Loads the SDK (see Embedder.ready); embed() does it too when not called first. */
  async ready(): Promise<void> {
    await this.#sdk();
  }

  #sdk(): Promise<{ client: OpenAI; sdk: OpenAiSdk }> {
    this.#client ??= import("openai").then((sdk) => ({ client: new sdk.default(this.#clientOptions), sdk }));
    return this.#client;
  }

  /**
   * tiktoken is byte-level BPE and the embeddings endpoint adds no special tokens, so a text never
   * has more tokens than UTF-8 bytes; the fetcher uses that bound to skip most exact counting.
   */
  readonly tokenCountAtMostUtf8Bytes = true;

  countTokens(text: string): number {
    return countTiktokens(this.encoding, text);
  }

  /** `text` cut to at most `maxTokens` tokens of this model's encoding (used by the fetcher's truncate option). */
  truncateToTokens(text: string, maxTokens: number): string {
    return truncateTiktokens(this.encoding, text, maxTokens);
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<EmbedResult> {
    const { signal } = options;
    if (texts.length === 0) return [];
    if (this.missingKey) {
      throw new OptionsError("EMBED_NO_API_KEY", "No OpenAI API key: OPENAI_API_KEY is not set and no apiKey was given.", {
        hint: "Set OPENAI_API_KEY, or use --base-url for a compatible server that needs no key, or the offline embedder (--embedder local:hash-v2).",
      });
    }
    const { client, sdk } = await this.#sdk();
    let res: unknown;
    let headers: Record<string, string>;
    try {
      const { data, response } = await client.embeddings
        .create(
          {
            model: this.model,
            input: texts,
            encoding_format: this.encodingFormat,
            ...(this.sendDimensions ? { dimensions: this.dimensions } : {}),
          },
          { signal },
        )
        .withResponse();
      res = data;
      headers = pickHeaders(response.headers);
    } catch (e) {
      throw this.mapError(e, signal, sdk);
    }
    const out = this.decodeResponse(res, texts.length);
    out.headers = headers;
    return out;
  }

  /** Checks the body against the protocol and decodes each vector into a Float32Array, in input order. */
  private decodeResponse(res: unknown, expected: number): EmbedResult {
    const body = res as { data?: unknown; usage?: { prompt_tokens?: unknown } } | null;
    if (!body || typeof body !== "object" || !Array.isArray(body.data)) {
      throw new EmbeddingRequestError("EMBED_BAD_RESPONSE", `${this.where()} answered without a "data" array.`, { kind: "bad-response" });
    }
    if (body.data.length !== expected) {
      throw new EmbeddingRequestError("EMBED_COUNT", `${this.where()} returned ${body.data.length} vectors for ${expected} inputs.`, { kind: "bad-response" });
    }
    const out: EmbedResult = new Array(expected);
    for (let k = 0; k < body.data.length; k++) {
      const item = body.data[k] as { index?: unknown; embedding?: unknown };
      const index = typeof item?.index === "number" ? item.index : k;
      if (!Number.isInteger(index) || index < 0 || index >= expected || out[index] !== undefined) {
        throw new EmbeddingRequestError("EMBED_BAD_RESPONSE", `${this.where()} returned a bad or repeated index ${String(item?.index)}.`, { kind: "bad-response" });
      }
      const v = decodeEmbedding(item.embedding);
      if (!v) throw new EmbeddingRequestError("EMBED_BAD_RESPONSE", `${this.where()} returned an unreadable embedding at index ${index}.`, { kind: "bad-response" });
      if (v.length !== this.dimensions) {
        // Deterministic (the server ignores or misreads `dimensions`): another try would not help.
        throw new EmbeddingError("EMBED_DIMENSIONS", `${this.where()} returned ${v.length}-dimensional vectors; ${this.id} expects ${this.dimensions}.`, {
          hint: "Check --dimensions against what the server's model produces.",
        });
      }
      out[index] = v;
    }
    const tokens = body.usage?.prompt_tokens;
    if (typeof tokens === "number") out.usage = { tokens };
    return out;
  }

  private where(): string {
    // Credentials or a key in the URL's user part or query never reach a message.
    return `Embedding server ${redactUrl(this.baseURL)} (${this.model})`;
  }

  /** SDK error → EmbeddingRequestError with what the retry policy needs, key scrubbed from the text. */
  private mapError(e: unknown, signal: AbortSignal | undefined, sdk: OpenAiSdk): Error {
    const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = sdk;
    if (e instanceof EmbeddingError) return e;
    if (e instanceof APIUserAbortError || signal?.aborted) {
      return new EmbeddingRequestError("EMBED_ABORTED", "Embedding request aborted.", { kind: "aborted" });
    }
    if (e instanceof APIConnectionTimeoutError) {
      return new EmbeddingRequestError("EMBED_TIMEOUT", `${this.where()} did not answer in time.`, { kind: "network" });
    }
    if (e instanceof APIConnectionError) {
      // The SDK says "Connection error.", fetch says "fetch failed": the real reason is further down.
      const cause = networkCause(e);
      const unreachable = cause.code !== undefined && UNREACHABLE.has(cause.code);
      return new EmbeddingRequestError(
        unreachable ? "EMBED_UNREACHABLE" : "EMBED_NETWORK",
        this.scrub(`${this.where()} could not be reached: ${cause.text}.`),
        { kind: unreachable ? "unreachable" : "network" },
        unreachable ? { hint: "Check --base-url (or OPENAI_BASE_URL) and that the server is running." } : {},
      );
    }
    if (e instanceof APIError && typeof e.status === "number") {
      const headers = pickHeaders(e.headers);
      const status = e.status;
      const body = e.error as { message?: unknown; code?: unknown; type?: unknown } | undefined;
      const code = typeof body?.code === "string" ? body.code : typeof body?.type === "string" ? body.type : undefined;
      const text = errorText(e);
      if (code !== undefined && QUOTA_CODES.has(code)) {
        return new EmbeddingRequestError(
          "EMBED_QUOTA",
          this.scrub(`${this.where()} answered HTTP ${status} (${code}): ${text}`),
          { kind: "quota", status, headers },
          { hint: "This is the account's quota or billing, not a rate limit, so sentivec stopped at once: check the plan and billing (add credit or raise the spending limit at https://platform.openai.com/settings/organization/billing); what was embedded is cached." },
        );
      }
      const hint =
        status === 401
          ? "Check OPENAI_API_KEY (or the apiKey option) for this server."
          : status === 403
            ? "Check that this key's project may use this model."
            : status === 404
              ? `Check the model name (--embedder openai:MODEL) and --base-url: the server has no embedding model "${this.model}" at ${this.baseURL}/embeddings.`
              : status === 413
                ? "The request body is larger than the server accepts: lower --max-tokens-per-request (or --max-inputs-per-request)."
                : status === 429
                  ? "Rate limited; lower --concurrency or set --rpm/--tpm if this keeps happening."
                  : undefined;
      return new EmbeddingRequestError(`EMBED_HTTP_${status}`, this.scrub(`${this.where()} answered HTTP ${status}: ${text}`), { kind: "http", status, headers }, { hint });
    }
    if (e instanceof SyntaxError) {
      return new EmbeddingRequestError("EMBED_BAD_RESPONSE", `${this.where()} sent a malformed JSON body (${this.scrub(e.message)}).`, { kind: "bad-response" });
    }
    // fetch reports a connection cut while reading the body as a TypeError ("terminated").
    const cause = networkCause(e);
    return new EmbeddingRequestError("EMBED_NETWORK", this.scrub(`${this.where()} failed: ${cause.text}.`), { kind: "network" });
  }

  /** Removes the key, and anything shaped like an OpenAI key, from text a user may see or log. */
  private scrub(text: string): string {
    let out = text;
    if (this.#apiKey.length >= 4) out = out.split(this.#apiKey).join("[redacted]");
    return out.replace(/\bsk-[A-Za-z0-9_\-*]{6,}/g, "sk-[redacted]");
  }
}

/** Connection failures that mean nothing answers at that address (not a dropped or reset connection). */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * The most specific reason in an error's cause chain: the SDK's "Connection error." wraps fetch's
 * "fetch failed", which wraps the system error ("connect ECONNREFUSED 127.0.0.1:6599") or undici's
 * ("other side closed"). Returns that message, and the first error code seen on the way down.
 */
export function networkCause(e: unknown): { text: string; code?: string } {
  let text = e instanceof Error ? e.message : String(e);
  let code: string | undefined;
  let cur: unknown = e;
  for (let depth = 0; depth < 6 && cur instanceof Error; depth++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === "string" && code === undefined && !c.startsWith("UND_ERR") ) code = c;
    if (cur.message && cur !== e) text = cur.message;
    // AggregateError (happy eyeballs: one error per address tried): the first tells enough.
    const next: unknown = (cur as { cause?: unknown }).cause ?? (cur instanceof AggregateError ? cur.errors[0] : undefined);
    if (!(next instanceof Error)) break;
    cur = next;
  }
  if (code !== undefined && !text.includes(code)) text = `${code}: ${text}`;
  return { text: text.replace(/\.$/, ""), code };
}

/**
 * The message of an HTTP error: OpenAI's `error.message` when the body is shaped like OpenAI's, else
 * what the server did send ("Cannot POST /v1/embeddings" from a plain web server's HTML or text
 * page), rather than the SDK's bare status text.
 */
function errorText(e: APIError): string {
  const body = e.error as unknown;
  const msg = (body as { message?: unknown } | undefined)?.message;
  if (typeof msg === "string" && msg.trim()) return msg;
  if (typeof body === "string" && body.trim()) return oneLine(body);
  if (body && typeof body === "object") return oneLine(JSON.stringify(body));
  // e.message is "<status> <text>" (the raw body when it was not JSON) or "<status> status code (no body)".
  const raw = e.message.replace(/^\d{3}\s*/, "");
  return oneLine(raw) || "no message";
}

/** HTML or a long text body as one short line: tags dropped, whitespace collapsed, cut at 200 chars. */
function oneLine(text: string): string {
  const t = text
    .replace(/<(head|script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

/** The rate-limit and retry headers of a response, lower-case names. */
function pickHeaders(h: Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RATE_HEADERS) {
    const v = h?.get(name);
    if (v != null) out[name] = v;
  }
  return out;
}

/** A base64 Float32 string or a JSON number array → Float32Array; undefined when it is neither. */
export function decodeEmbedding(raw: unknown): Float32Array | undefined {
  if (typeof raw === "string") {
    const buf = Buffer.from(raw, "base64");
    if (buf.byteLength % 4 !== 0) return undefined;
    const out = new Float32Array(buf.byteLength / 4);
    new Uint8Array(out.buffer).set(buf);
    return out;
  }
  if (Array.isArray(raw) && raw.every((x) => typeof x === "number")) return Float32Array.from(raw as number[]);
  return undefined;
}
