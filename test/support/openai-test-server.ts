/**
 * An OpenAI-compatible embeddings server for tests and benchmarks: a real HTTP server on 127.0.0.1
 * speaking POST /v1/embeddings the way api.openai.com does, checked against OpenAI's OpenAPI
 * description (github.com/openai/openai-openapi, CreateEmbeddingRequest/Response):
 * - inputs: a string, an array of strings, an array of token ids or an array of token-id arrays
 *   (at most 2048, none empty, 8192 tokens each, 300,000 per request); float and base64 encodings;
 *   `dimensions` for text-embedding-3 models only; `user`; any other request field is a 400, as the
 *   schema allows no additional properties;
 * - 404 model_not_found for a model it does not serve (only embedding models are served);
 * - OpenAI's error bodies ({error: {message, type, param, code}}) for 400/401/404/429;
 * - x-ratelimit-limit/remaining/reset-requests and -tokens on every response, from a bucket that
 *   refills continuously as OpenAI's does ("12ms" to get one request back at 5,000 RPM); a refused
 *   request is not charged; a 429 says retry-after in whole seconds (and retry-after-ms only when a
 *   test asks, since OpenAI does not always send it);
 * - deterministic vectors derived from sha256 of each text, so tests can check order and identity;
 * - knobs for latency, and faults a test injects (see Fault).
 *
 * Run standalone (prints {"url": ...} as its first stdout line, logs requests as JSONL):
 *   npx tsx test/support/openai-test-server.ts --latency 50 --api-key sk-test --log /tmp/requests.jsonl
 */
import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { countTiktokens, getTiktoken } from "../../src/embed/tiktoken-encoding.js";
import { BatchRoutes } from "./openai-batch-routes.js";

/** A scripted misbehaviour, consumed by the next request(s) that reach the handler. */
export type Fault =
  /**
   * Answer with this status (and optional headers/body) instead of embedding. The x-ratelimit-*
   * headers are sent as on every response unless `rateHeaders: false` (a server that sends none).
   */
  | { status: number; headers?: Record<string, string>; body?: unknown; rateHeaders?: false }
  /** Destroy the connection without answering. */
  | { drop: true }
  /** 200 with a truncated, unparsable JSON body. */
  | { malformed: true }
  /** 200 with one vector fewer than inputs. */
  | { wrongCount: true }
  /** 200 with vectors of this size whatever was asked (a server that ignores `dimensions`). */
  | { wrongDimensions: number }
  /** 200 with one value of the first vector NaN or ±Infinity (float encoding: ±1e999, which JSON reads as ±Infinity). */
  | { nonFinite: "nan" | "inf" | "-inf" }
  /** Headers and the first part of a 200 body, then the connection is destroyed. */
  | { resetMidBody: true }
  /** 429 insufficient_quota, as OpenAI answers an account out of credit. */
  | { quota: true }
  /** A normal answer, this much later than the usual latency (one slow request). */
  | { delayMs: number }
  /** A normal answer (to let the first requests through before the faults queued after it). */
  | { ok: true };

export interface RateLimitOptions {
  /** Requests allowed per window (the bucket's size). Default 10,000 (OpenAI's top tier for embeddings). */
  requests?: number;
  /** Tokens allowed per window. Default 10,000,000. */
  tokens?: number;
  /** Time for an empty bucket to refill, in ms (OpenAI's is a minute; tests use less). Default 60,000. */
  windowMs?: number;
  /** Send x-ratelimit-* and retry-after headers. Default true (false: a server that sends none). */
  headers?: boolean;
  /** Also send retry-after-ms with 429s. Default false. */
  retryAfterMs?: boolean;
  /**
   * How full the buckets are at start, 0 to 1 (0.2: an organisation with a fifth of its minute
   * left). Default 1: full, as for an organisation that has sent nothing for a minute.
   */
  startLevel?: number;
}

export interface OpenAITestServerOptions {
  /** Key the server requires (Bearer). Undefined: any or no key is accepted. */
  apiKey?: string;
  /** Time from a request's arrival to its answer, in ms (processing happens inside it). Default 0. */
  latencyMs?: number;
  rateLimit?: RateLimitOptions;
  /**
   * Embedding models served besides OpenAI's three, with their native size (a compatible server's
   * own models, e.g. { "nomic-embed-text": 768 }); they accept `dimensions` up to that size.
   */
  models?: Record<string, number>;
  /** Answer 413 to request bodies larger than this many bytes (a proxy's limit). Default: none. */
  maxBodyBytes?: number;
  /** Append one JSON line per request to this file (for child-process tests). */
  logFile?: string;
  /** Port; default 0 (a free one). */
  port?: number;
}

export interface RequestLogEntry {
  /** 1-based arrival order. */
  n: number;
  /** ms since the server started, at arrival and at answer. */
  receivedAt: number;
  answeredAt: number;
  status: number | "dropped";
  model?: string;
  inputs: number;
  tokens: number;
  encoding?: string;
  dimensions?: number;
  /** sha256 (hex) of each input, in order: identifies what was asked without storing texts. */
  shas: string[];
  fault?: string;
  /** "ok", "missing", "bad" or "none" (no key required). The key itself is never logged. */
  auth: string;
}

const KNOWN_DIMENSIONS: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};
const LIMITS = { inputs: 2048, tokensPerRequest: 300_000, tokensPerInput: 8192 };
/** The fields CreateEmbeddingRequest allows (additionalProperties: false). */
const REQUEST_FIELDS = new Set(["input", "model", "encoding_format", "dimensions", "user"]);

/**
 * The vector the server returns for `text` at `dimensions`: a unit vector from a xorshift128 stream
 * seeded by sha256(text). Tests compute the same to check that vector i belongs to text i.
 */
export function expectedVector(text: string, dimensions: number): Float32Array {
  const h = createHash("sha256").update(text).digest();
  let a = h.readUInt32LE(0) | 1;
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  const out = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const t = a ^ (a << 11);
    a = b;
    b = c;
    c = d;
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    const x = d / 2 ** 31 - 1;
    out[i] = x;
    norm += x * x;
  }
  const s = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dimensions; i++) out[i] *= s;
  return out;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export class OpenAITestServer {
  /** Every request, in arrival order. */
  readonly log: RequestLogEntry[] = [];
  /** /v1/files and /v1/batches (openai-batch-routes.ts): their controls, stored files and batches, and call log. */
  readonly batch: BatchRoutes = new BatchRoutes({
    embedBody: (body) => this.embedBody(body),
    now: () => this.now(),
    record: (e) => {
      if (this.options.logFile) appendFileSync(this.options.logFile, `${JSON.stringify(e)}\n`);
    },
  });
  private faults: Fault[] = [];
  private latencyMs: number;
  private readonly started = Date.now();
  private bucket: { requests: number; tokens: number; at: number };
  private count = 0;
  private stormUntil = 0;
  /** A storm's length, started by the next request. */
  private stormMs = 0;
  private stormHeaders: Record<string, string> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: OpenAITestServerOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.bucket = this.fullBucket();
  }

  private limits(): { requests: number; tokens: number; windowMs: number } {
    const rl = this.options.rateLimit ?? {};
    return { requests: rl.requests ?? 10_000, tokens: rl.tokens ?? 10_000_000, windowMs: rl.windowMs ?? 60_000 };
  }

  private fullBucket(): { requests: number; tokens: number; at: number } {
    const l = this.limits();
    const f = this.options.rateLimit?.startLevel ?? 1;
    return { requests: f * l.requests, tokens: f * l.tokens, at: this.now() };
  }

  static async start(options: OpenAITestServerOptions = {}): Promise<OpenAITestServer> {
    const server = createServer();
    const self = new OpenAITestServer(server, options);
    server.on("request", (req, res) => void self.handle(req, res));
    // Keep-alive sockets would make close() wait; tests open many short-lived clients.
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    return self;
  }

  /** Base URL to give the SDK, e.g. http://127.0.0.1:41234/v1. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Queue a fault for the next `times` requests (after those already queued). */
  inject(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  /**
   * Answer 429 to every valid request for `ms` from the next one's arrival (a rate-limit storm),
   * with retry-after in whole seconds and the x-ratelimit-* headers, or (`headers: false`) with no
   * headers at all.
   */
  storm(ms: number, { headers = true, retryAfterSeconds = 1 }: { headers?: boolean; retryAfterSeconds?: number } = {}): void {
    this.stormMs = ms;
    this.stormHeaders = headers ? { "retry-after": String(retryAfterSeconds) } : undefined;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Forget the log, queued faults and the rate-limit window. */
  reset(): void {
    this.log.length = 0;
    this.faults = [];
    this.stormUntil = 0;
    this.stormMs = 0;
    this.bucket = this.fullBucket();
    this.batch.reset();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private now(): number {
    return Date.now() - this.started;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = this.now();
    const n = ++this.count;
    const entry: RequestLogEntry = { n, receivedAt, answeredAt: receivedAt, status: 0, inputs: 0, tokens: 0, shas: [], auth: "none" };
    let due = Date.now() + this.latencyMs;
    const sendRateHeaders = this.options.rateLimit?.headers ?? true;
    const untilDue = async () => {
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    };
    const answer = async (status: number, body: unknown, headers: Record<string, string> = {}, raw?: string, rateHeaders = sendRateHeaders) => {
      await untilDue();
      const text = raw ?? JSON.stringify(body);
      const type = raw !== undefined && raw.startsWith("<") ? "text/html" : "application/json";
      // As at OpenAI, every answer says where the budgets stand (after this request's charge).
      const rate = rateHeaders ? this.rateHeaders() : {};
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text), "x-request-id": `req_${n}`, ...rate, ...headers });
      res.end(text);
      entry.status = status;
      this.record(entry);
    };
    const error = (status: number, message: string, type: string, code: string | null, param: string | null = null, headers?: Record<string, string>) =>
      answer(status, { error: { message, type, param, code } }, headers);

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      chunks.push(c as Buffer);
      size += (c as Buffer).length;
    }

    const batchRoute = BatchRoutes.matches(req.url ?? "");
    if (!batchRoute && (req.method !== "POST" || !/^\/v1\/embeddings\/?$/.test(req.url ?? ""))) {
      return error(404, `Invalid URL (${req.method} ${req.url})`, "invalid_request_error", null);
    }
    if (this.options.maxBodyBytes !== undefined && size > this.options.maxBodyBytes) {
      // What a proxy in front of the API (nginx here) answers: HTML, not OpenAI's JSON.
      entry.fault = "too-large";
      return answer(413, undefined, {}, "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", false);
    }
    const required = this.options.apiKey;
    if (required !== undefined) {
      const auth = req.headers.authorization ?? "";
      const given = auth.startsWith("Bearer ") ? auth.slice(7) : "";
      entry.auth = !given ? "missing" : given === required ? "ok" : "bad";
      if (entry.auth === "missing") {
        return error(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error", null);
      }
      if (entry.auth === "bad") {
        // OpenAI shows a masked key; so do we (first 3 and last 4 characters only).
        const masked = given.length > 8 ? `${given.slice(0, 3)}***${given.slice(-4)}` : "***";
        return error(401, `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", "invalid_api_key");
      }
    }
    if (batchRoute) {
      await untilDue();
      return this.batch.handle(req, res, Buffer.concat(chunks));
    }

    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error("not an object");
    } catch {
      return error(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)", "invalid_request_error", null);
    }
    const unknown = Object.keys(body).find((k) => !REQUEST_FIELDS.has(k));
    if (unknown !== undefined) return error(400, `Unrecognized request argument supplied: ${unknown}`, "invalid_request_error", null);
    const model = typeof body.model === "string" ? body.model : "";
    entry.model = model;
    if (!model) return error(400, "you must provide a model parameter", "invalid_request_error", null);
    const native = KNOWN_DIMENSIONS[model] ?? this.options.models?.[model];
    if (native === undefined) {
      return error(404, `The model \`${model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found");
    }
    const inputs = readInputs(body.input);
    if (!inputs) {
      return error(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", "invalid_request_error", null);
    }
    entry.inputs = inputs.length;
    // A token-id input is embedded as the text it decodes to (so its vector equals the text's).
    const texts = inputs.map((x) => (typeof x === "string" ? x : decodeTokens(x)));
    entry.shas = texts.map(sha256);
    const encoding = body.encoding_format === undefined ? "float" : body.encoding_format;
    entry.encoding = String(encoding);
    if (encoding !== "float" && encoding !== "base64") {
      return error(400, `Invalid value for 'encoding_format': '${String(encoding)}'. Supported values are: 'float' and 'base64'.`, "invalid_request_error", "invalid_value", "encoding_format");
    }
    let dims = native;
    if (body.dimensions !== undefined) {
      if (model === "text-embedding-ada-002") return error(400, "This model does not support specifying dimensions.", "invalid_request_error", null);
      const d = body.dimensions;
      if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > native) {
        return error(400, `Invalid value for 'dimensions' = ${String(d)}. Must be between 1 and ${native}.`, "invalid_request_error", null, "dimensions");
      }
      dims = d;
    }
    entry.dimensions = dims;

    if (inputs.length > LIMITS.inputs) {
      return error(400, `Invalid 'input': array too long. Expected an array with maximum length ${LIMITS.inputs}, but got an array with length ${inputs.length} instead.`, "invalid_request_error", "array_above_max_length", "input");
    }
    // Work in slices, yielding between them: one big request must not keep the event loop from
    // taking in (and starting the latency clock of) the requests that arrive meanwhile.
    const counts: number[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i];
      counts.push(typeof x === "string" ? this.tokensOf(x) : x.length);
      if (i % 128 === 127) await yieldToLoop();
    }
    const tokens = counts.reduce((a, b) => a + b, 0);
    entry.tokens = tokens;
    const long = counts.findIndex((c) => c > LIMITS.tokensPerInput);
    if (long >= 0) {
      return error(400, `This model's maximum context length is ${LIMITS.tokensPerInput} tokens, however you requested ${counts[long]} tokens (${counts[long]} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`, "invalid_request_error", null);
    }
    if (tokens > LIMITS.tokensPerRequest) {
      return error(400, `Requested ${tokens} tokens, max ${LIMITS.tokensPerRequest} tokens per request`, "max_tokens_per_request", "max_tokens_per_request");
    }

    if (this.stormMs > 0) {
      this.stormUntil = Date.now() + this.stormMs;
      this.stormMs = 0;
    }
    if (Date.now() < this.stormUntil) {
      entry.fault = "storm";
      const h = this.stormHeaders;
      return answer(429, { error: { message: `Rate limit reached for ${model} in organization org-test on requests per min (RPM). Please try again in 1s.`, type: "requests", param: null, code: "rate_limit_exceeded" } }, h ?? {}, undefined, h !== undefined && sendRateHeaders);
    }
    // Rate limits come after validation (as at OpenAI: a malformed request does not spend budget).
    const limited = this.checkRateLimit(tokens, model);
    if (limited) {
      entry.fault = "rate-limit";
      return error(429, limited.message, limited.type, "rate_limit_exceeded", null, limited.headers);
    }

    const fault = this.faults.shift();
    let nonFinite: "nan" | "inf" | "-inf" | undefined;
    let resetMidBody = false;
    if (fault) {
      if ("drop" in fault) {
        entry.fault = "drop";
        await untilDue();
        req.socket.destroy();
        entry.status = "dropped";
        this.record(entry);
        return;
      }
      if ("malformed" in fault) {
        entry.fault = "malformed";
        return answer(200, undefined, {}, '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,');
      }
      if ("quota" in fault) {
        entry.fault = "quota";
        return error(429, "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.", "insufficient_quota", "insufficient_quota");
      }
      if ("status" in fault) {
        entry.fault = `status-${fault.status}`;
        const b = fault.body ?? { error: { message: fault.status >= 500 ? "The server had an error while processing your request. Sorry about that!" : `Injected ${fault.status}`, type: "server_error", param: null, code: null } };
        return answer(fault.status, b, fault.headers, undefined, fault.rateHeaders ?? sendRateHeaders);
      }
      if ("ok" in fault) {
        // a normal answer
      } else if ("delayMs" in fault) {
        entry.fault = "slow";
        due += fault.delayMs;
      } else if ("wrongDimensions" in fault) {
        entry.fault = "wrong-dimensions";
        dims = fault.wrongDimensions;
      } else if ("nonFinite" in fault) {
        entry.fault = `non-finite-${fault.nonFinite}`;
        nonFinite = fault.nonFinite;
      } else if ("resetMidBody" in fault) {
        entry.fault = "reset-mid-body";
        resetMidBody = true;
      } else entry.fault = "wrong-count";
    }

    const n2 = entry.fault === "wrong-count" ? texts.length - 1 : texts.length;
    const data = [];
    for (let i = 0; i < n2; i++) {
      if (i % 256 === 255) await yieldToLoop();
      let e = this.embeddingOf(texts[i], dims, encoding);
      if (i === 0 && nonFinite) e = poison(e, nonFinite);
      data.push({ object: "embedding", index: i, embedding: e });
    }
    let text = JSON.stringify({ object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
    // JSON has no NaN/Infinity; a float vector carries Infinity as a number too large for a double.
    // NaN has no JSON form at all: a Python server's json.dumps writes the bare word, which no JSON
    // parser accepts.
    if (nonFinite && encoding === "float") text = text.replace(/"__(-?)inf__"/, "$11e999").replace('"__nan__"', "NaN");
    if (resetMidBody) {
      await untilDue();
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...this.rateHeaders() });
      res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      // Let the first half reach the client, then cut the connection.
      await new Promise((r) => setTimeout(r, 5));
      req.socket.destroy();
      entry.status = "dropped";
      this.record(entry);
      return;
    }
    return answer(200, undefined, {}, text);
  }

  /**
   * One /v1/embeddings body run as a line of a batch: the same checks and vectors as POST
   * /v1/embeddings (no rate limits or faults: a batch has its own pool), as the status and JSON body
   * the output or error file carries.
   */
  async embedBody(raw: unknown): Promise<{ status: number; body: unknown; tokens: number }> {
    const fail = (status: number, message: string, code: string | null = null, param: string | null = null) => ({
      status,
      body: { error: { message, type: "invalid_request_error", param, code } },
      tokens: 0,
    });
    const body = (raw ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(body).find((k) => !REQUEST_FIELDS.has(k));
    if (unknown !== undefined) return fail(400, `Unrecognized request argument supplied: ${unknown}`);
    const model = typeof body.model === "string" ? body.model : "";
    const native = KNOWN_DIMENSIONS[model] ?? this.options.models?.[model];
    if (native === undefined) return fail(404, `The model \`${model}\` does not exist or you do not have access to it.`, "model_not_found");
    const inputs = readInputs(body.input);
    if (!inputs) return fail(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
    if (inputs.length > LIMITS.inputs) return fail(400, `Invalid 'input': array too long. Expected an array with maximum length ${LIMITS.inputs}, but got an array with length ${inputs.length} instead.`, "array_above_max_length", "input");
    const encoding = body.encoding_format === undefined ? "float" : String(body.encoding_format);
    if (encoding !== "float" && encoding !== "base64") return fail(400, `Invalid value for 'encoding_format': '${encoding}'. Supported values are: 'float' and 'base64'.`, "invalid_value", "encoding_format");
    let dims = native;
    if (body.dimensions !== undefined) {
      const d = body.dimensions;
      if (model === "text-embedding-ada-002") return fail(400, "This model does not support specifying dimensions.");
      if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > native) return fail(400, `Invalid value for 'dimensions' = ${String(d)}. Must be between 1 and ${native}.`, null, "dimensions");
      dims = d;
    }
    const texts = inputs.map((x) => (typeof x === "string" ? x : decodeTokens(x)));
    let tokens = 0;
    const data = [];
    for (let i = 0; i < texts.length; i++) {
      const c = typeof inputs[i] === "string" ? this.tokensOf(texts[i]) : (inputs[i] as number[]).length;
      if (c > LIMITS.tokensPerInput) return fail(400, `This model's maximum context length is ${LIMITS.tokensPerInput} tokens, however you requested ${c} tokens (${c} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`);
      tokens += c;
      data.push({ object: "embedding", index: i, embedding: this.embeddingOf(texts[i], dims, encoding) });
      if (i % 256 === 255) await yieldToLoop();
    }
    if (tokens > LIMITS.tokensPerRequest) return fail(400, `Requested ${tokens} tokens, max ${LIMITS.tokensPerRequest} tokens per request`, "max_tokens_per_request");
    return { status: 200, body: { object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, tokens };
  }

  // Memoised per text: the server's own CPU time (tiktoken is ~35 µs a text) would otherwise leak
  // into the "fixed" latency when a benchmark sends the same texts several times. Bounded.
  private readonly memo = new Map<string, number | string | number[]>();

  private tokensOf(text: string): number {
    let n = this.memo.get(`t\u0000${text}`) as number | undefined;
    if (n === undefined) {
      n = countTiktokens("cl100k_base", text);
      this.remember(`t\u0000${text}`, n);
    }
    return n;
  }

  private embeddingOf(text: string, dims: number, encoding: string): string | number[] {
    const key = `${encoding}\u0000${dims}\u0000${text}`;
    let e = this.memo.get(key) as string | number[] | undefined;
    if (e === undefined) {
      const v = expectedVector(text, dims);
      e = encoding === "base64" ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") : Array.from(v);
      this.remember(key, e);
    }
    return e;
  }

  /**
   * Counts and embeds these texts now, so that benchmarks time the protocol and the client rather
   * than the server's own tokenizer (it runs on the same cores).
   */
  prime(texts: readonly string[], dimensions: number, encoding: "float" | "base64"): void {
    for (const t of texts) {
      this.tokensOf(t);
      this.embeddingOf(t, dimensions, encoding);
    }
    // The buckets start now, at their configured level: priming time is not refill time.
    this.bucket = this.fullBucket();
  }

  private remember(key: string, value: number | string | number[]): void {
    if (this.memo.size >= 400_000) this.memo.clear();
    this.memo.set(key, value);
  }

  /** The buckets refilled up to now (continuously, a full bucket's worth per window). */
  private refill(): { requests: number; tokens: number; windowMs: number } {
    const l = this.limits();
    const now = this.now();
    const dt = now - this.bucket.at;
    if (dt > 0) {
      this.bucket.requests = Math.min(l.requests, this.bucket.requests + (dt * l.requests) / l.windowMs);
      this.bucket.tokens = Math.min(l.tokens, this.bucket.tokens + (dt * l.tokens) / l.windowMs);
      this.bucket.at = now;
    }
    return l;
  }

  /** x-ratelimit-* as OpenAI sends them: limits, what is left, and the time until the bucket is full. */
  private rateHeaders(): Record<string, string> {
    const l = this.refill();
    const b = this.bucket;
    return {
      "x-ratelimit-limit-requests": String(l.requests),
      "x-ratelimit-limit-tokens": String(l.tokens),
      "x-ratelimit-remaining-requests": String(Math.max(0, Math.floor(b.requests))),
      "x-ratelimit-remaining-tokens": String(Math.max(0, Math.floor(b.tokens))),
      "x-ratelimit-reset-requests": formatDuration(((l.requests - b.requests) * l.windowMs) / l.requests),
      "x-ratelimit-reset-tokens": formatDuration(((l.tokens - b.tokens) * l.windowMs) / l.tokens),
    };
  }

  /** Charges a request to the buckets, or refuses it (uncharged, as OpenAI does) when either lacks room. */
  private checkRateLimit(tokens: number, model: string): { message: string; type: string; headers: Record<string, string> } | undefined {
    const l = this.refill();
    const b = this.bucket;
    const overRequests = b.requests < 1;
    const overTokens = b.tokens < tokens;
    if (!overRequests && !overTokens) {
      b.requests -= 1;
      b.tokens -= tokens;
      return undefined;
    }
    // Time until this request would fit: the retry-after OpenAI sends, in whole seconds.
    const waitMs = Math.max(overRequests ? ((1 - b.requests) * l.windowMs) / l.requests : 0, overTokens ? ((tokens - b.tokens) * l.windowMs) / l.tokens : 0);
    const headers: Record<string, string> = {};
    if (this.options.rateLimit?.headers ?? true) {
      headers["retry-after"] = String(Math.max(1, Math.ceil(waitMs / 1000)));
      if (this.options.rateLimit?.retryAfterMs) headers["retry-after-ms"] = String(Math.ceil(waitMs));
    }
    const what = overRequests ? "requests per min (RPM)" : "tokens per min (TPM)";
    const limit = overRequests ? l.requests : l.tokens;
    const used = overRequests ? l.requests - Math.floor(b.requests) : l.tokens - Math.floor(b.tokens);
    return {
      message: `Rate limit reached for ${model} in organization org-test on ${what}: Limit ${limit}, Used ${used}, Requested ${overRequests ? 1 : tokens}. Please try again in ${formatDuration(waitMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      type: overRequests ? "requests" : "tokens",
      headers,
    };
  }

  private record(entry: RequestLogEntry): void {
    entry.answeredAt = this.now();
    this.log.push(entry);
    if (this.options.logFile) appendFileSync(this.options.logFile, `${JSON.stringify(entry)}\n`);
  }
}

/** The `input` field as a list of strings or token-id arrays, or undefined when the schema rejects it. */
function readInputs(input: unknown): (string | number[])[] | undefined {
  if (typeof input === "string") return input === "" ? undefined : [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const isTokens = (x: unknown) => Array.isArray(x) && x.length > 0 && x.every((t) => Number.isInteger(t) && t >= 0);
  if (input.every((x) => typeof x === "number")) return isTokens(input) ? [input as number[]] : undefined;
  if (input.every((x) => typeof x === "string")) return input.some((x) => x === "") ? undefined : (input as string[]);
  if (input.every(isTokens)) return input as number[][];
  return undefined;
}

function decodeTokens(ids: number[]): string {
  try {
    return getTiktoken("cl100k_base").decode(ids);
  } catch {
    return `tokens:${ids.join(",")}`;
  }
}

/** An embedding with its first value replaced by NaN or ±Infinity, in its wire encoding. */
function poison(e: string | number[], kind: "nan" | "inf" | "-inf"): string | number[] {
  if (typeof e === "string") {
    const v = new Float32Array(new Uint8Array(Buffer.from(e, "base64")).buffer);
    v[0] = kind === "nan" ? Number.NaN : kind === "inf" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    return Buffer.from(v.buffer).toString("base64");
  }
  // Float JSON: a placeholder string replaced in the serialised body (see handle).
  const out = e.slice() as unknown[];
  out[0] = kind === "nan" ? "__nan__" : kind === "inf" ? "__inf__" : "__-inf__";
  return out as number[];
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** ms → OpenAI's reset format: "120ms" under a second, else "1s" / "6m0s" / "1h2m3s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = Number.isInteger(s) ? String(s) : s.toFixed(3).replace(/0+$/, "");
  return h ? `${h}h${m}m${sec}s` : m ? `${m}m${sec}s` : `${sec}s`;
}

/** Standalone mode: `tsx test/support/openai-test-server.ts [--port N] [--latency MS] [--api-key K] [--log FILE] [--rpm N] [--tpm N] [--window-ms MS] [--start-level 0..1] [--retry-after-ms] [--max-body-bytes N] [--prime FILE --prime-dimensions N]`. */
async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  const rpm = num("rpm");
  const tpm = num("tpm");
  const server = await OpenAITestServer.start({
    port: num("port"),
    latencyMs: num("latency"),
    apiKey: arg("api-key") ?? process.env.TEST_SERVER_API_KEY,
    logFile: arg("log"),
    maxBodyBytes: num("max-body-bytes"),
    rateLimit: { requests: rpm, tokens: tpm, windowMs: num("window-ms"), startLevel: num("start-level"), retryAfterMs: argv.includes("--retry-after-ms") },
  });
  const primeFile = arg("prime");
  if (primeFile) {
    // Benchmarks: one text per line, embedded at --prime-dimensions in base64 before the URL is printed.
    const texts = readFileSync(primeFile, "utf8").split("\n").filter((t) => t !== "");
    server.prime(texts, num("prime-dimensions") ?? 256, "base64");
  }
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

const entry = process.argv[1];
if (entry && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
