/**
 * An OpenAI-compatible embeddings server for tests and benchmarks: a real HTTP server on 127.0.0.1
 * speaking POST /v1/embeddings the way api.openai.com does (float and base64 encodings, `dimensions`,
 * `usage`, the same 400/401/429 error bodies), with deterministic vectors derived from sha256 of each
 * text so tests can check order and identity, plus knobs for latency, rate limits and faults.
 *
 * Run standalone (prints {"url": ...} as its first stdout line, logs requests as JSONL):
 *   npx tsx test/support/openai-test-server.ts --latency 50 --api-key sk-test --log /tmp/requests.jsonl
 */
import { createHash } from "node:crypto";
import { appendFileSync, realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { countTiktokens } from "../../src/embed/tiktoken-encoding.js";

/** A scripted misbehaviour, consumed by the next request(s) that reach the handler. */
export type Fault =
  /** Answer with this status (and optional headers/body) instead of embedding. */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Destroy the connection without answering. */
  | { drop: true }
  /** 200 with a truncated, unparsable JSON body. */
  | { malformed: true }
  /** 200 with one vector fewer than inputs. */
  | { wrongCount: true }
  /** 200 with vectors of this size whatever was asked (a server that ignores `dimensions`). */
  | { wrongDimensions: number }
  /** A normal answer, this much later than the usual latency (one slow request). */
  | { delayMs: number };

export interface RateLimitOptions {
  /** Requests allowed per window. Default unlimited. */
  requests?: number;
  /** Tokens allowed per window. Default unlimited. */
  tokens?: number;
  /** Window length in ms (OpenAI's is a minute; tests use less). Default 60,000. */
  windowMs?: number;
  /** Send retry-after-ms / x-ratelimit-* headers with 429s. Default true. */
  headers?: boolean;
}

export interface OpenAITestServerOptions {
  /** Key the server requires (Bearer). Undefined: any or no key is accepted. */
  apiKey?: string;
  /** Time from a request's arrival to its answer, in ms (processing happens inside it). Default 0. */
  latencyMs?: number;
  rateLimit?: RateLimitOptions;
  /** Vector size for models the server does not know, when the request gives no `dimensions`. Default 64. */
  defaultDimensions?: number;
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
const LIMITS = { inputs: 2048, tokensPerRequest: 300_000, tokensPerInput: 8191 };

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
  private faults: Fault[] = [];
  private latencyMs: number;
  private readonly started = Date.now();
  private window = { start: 0, requests: 0, tokens: 0 };
  private count = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: OpenAITestServerOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
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

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Forget the log, queued faults and the rate-limit window. */
  reset(): void {
    this.log.length = 0;
    this.faults = [];
    this.window = { start: 0, requests: 0, tokens: 0 };
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
    const answer = async (status: number, body: unknown, headers: Record<string, string> = {}, raw?: string) => {
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const text = raw ?? JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
      res.end(text);
      entry.status = status;
      this.record(entry);
    };
    const error = (status: number, message: string, type: string, code: string | null, param: string | null = null, headers?: Record<string, string>) =>
      answer(status, { error: { message, type, param, code } }, headers);

    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);

    if (req.method !== "POST" || !/^\/v1\/embeddings\/?$/.test(req.url ?? "")) {
      return error(404, `Invalid URL (${req.method} ${req.url})`, "invalid_request_error", null);
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

    let body: { input?: unknown; model?: unknown; encoding_format?: unknown; dimensions?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return error(400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
    }
    const model = typeof body.model === "string" ? body.model : "";
    entry.model = model;
    if (!model) return error(400, "you must provide a model parameter", "invalid_request_error", null);
    const input = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(input) || input.some((x) => typeof x !== "string")) {
      return error(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", "invalid_request_error", null);
    }
    const texts = input as string[];
    entry.inputs = texts.length;
    entry.shas = texts.map(sha256);
    const encoding = body.encoding_format === undefined ? "float" : body.encoding_format;
    entry.encoding = String(encoding);
    if (encoding !== "float" && encoding !== "base64") {
      return error(400, `Invalid value for 'encoding_format': '${String(encoding)}'. Supported values are: 'float' and 'base64'.`, "invalid_request_error", "invalid_value", "encoding_format");
    }
    const native = KNOWN_DIMENSIONS[model];
    let dims = native ?? this.options.defaultDimensions ?? 64;
    if (body.dimensions !== undefined) {
      if (model === "text-embedding-ada-002") return error(400, "This model does not support specifying dimensions.", "invalid_request_error", null);
      const d = body.dimensions;
      if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || (native !== undefined && d > native)) {
        return error(400, `Invalid value for 'dimensions' = ${String(d)}. Must be between 1 and ${native ?? "the model's size"}.`, "invalid_request_error", null, "dimensions");
      }
      dims = d;
    }
    entry.dimensions = dims;

    if (texts.length > LIMITS.inputs) {
      return error(400, `Invalid 'input': array too long. Expected an array with maximum length ${LIMITS.inputs}, but got an array with length ${texts.length} instead.`, "invalid_request_error", "array_above_max_length", "input");
    }
    // Work in slices, yielding between them: one big request must not keep the event loop from
    // taking in (and starting the latency clock of) the requests that arrive meanwhile.
    const counts: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      counts.push(this.tokensOf(texts[i]));
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
    if (texts.length === 0 || texts.some((t) => t === "")) {
      return error(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", "invalid_request_error", null);
    }

    // Rate limits come after validation (as at OpenAI: a malformed request does not spend budget).
    const limited = this.checkRateLimit(tokens, model);
    if (limited) {
      entry.fault = "rate-limit";
      return error(429, limited.message, limited.type, "rate_limit_exceeded", null, limited.headers);
    }

    const fault = this.faults.shift();
    if (fault) {
      if ("drop" in fault) {
        entry.fault = "drop";
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        req.socket.destroy();
        entry.status = "dropped";
        this.record(entry);
        return;
      }
      if ("malformed" in fault) {
        entry.fault = "malformed";
        return answer(200, undefined, {}, '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,');
      }
      if ("status" in fault) {
        entry.fault = `status-${fault.status}`;
        const b = fault.body ?? { error: { message: fault.status >= 500 ? "The server had an error while processing your request. Sorry about that!" : `Injected ${fault.status}`, type: "server_error", param: null, code: null } };
        return answer(fault.status, b, fault.headers);
      }
      if ("delayMs" in fault) {
        entry.fault = "slow";
        due += fault.delayMs;
      } else if ("wrongDimensions" in fault) {
        entry.fault = "wrong-dimensions";
        dims = fault.wrongDimensions;
      } else entry.fault = "wrong-count";
    }

    const n2 = entry.fault === "wrong-count" ? texts.length - 1 : texts.length;
    const data = [];
    for (let i = 0; i < n2; i++) {
      if (i % 256 === 255) await yieldToLoop();
      data.push({ object: "embedding", index: i, embedding: this.embeddingOf(texts[i], dims, encoding) });
    }
    return answer(200, { object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, { "x-request-id": `req_${n}` });
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

  private remember(key: string, value: number | string | number[]): void {
    if (this.memo.size >= 100_000) this.memo.clear();
    this.memo.set(key, value);
  }

  /** Fixed-window budget per OpenAI's semantics: refused requests do not count against it. */
  private checkRateLimit(tokens: number, model: string): { message: string; type: string; headers: Record<string, string> } | undefined {
    const rl = this.options.rateLimit;
    if (!rl || (rl.requests === undefined && rl.tokens === undefined)) return undefined;
    const windowMs = rl.windowMs ?? 60_000;
    const now = this.now();
    const start = Math.floor(now / windowMs) * windowMs;
    if (start !== this.window.start) this.window = { start, requests: 0, tokens: 0 };
    const resetMs = start + windowMs - now;
    const overRequests = rl.requests !== undefined && this.window.requests + 1 > rl.requests;
    const overTokens = rl.tokens !== undefined && this.window.tokens + tokens > rl.tokens;
    if (!overRequests && !overTokens) {
      this.window.requests++;
      this.window.tokens += tokens;
      return undefined;
    }
    const headers: Record<string, string> = {};
    if (rl.headers ?? true) {
      const fmt = formatDuration(resetMs);
      if (rl.requests !== undefined) {
        headers["x-ratelimit-limit-requests"] = String(rl.requests);
        headers["x-ratelimit-remaining-requests"] = String(Math.max(0, rl.requests - this.window.requests));
        headers["x-ratelimit-reset-requests"] = fmt;
      }
      if (rl.tokens !== undefined) {
        headers["x-ratelimit-limit-tokens"] = String(rl.tokens);
        headers["x-ratelimit-remaining-tokens"] = String(Math.max(0, rl.tokens - this.window.tokens));
        headers["x-ratelimit-reset-tokens"] = fmt;
      }
      headers["retry-after-ms"] = String(resetMs);
      headers["retry-after"] = String(Math.ceil(resetMs / 1000));
    }
    const what = overRequests ? "requests per min (RPM)" : "tokens per min (TPM)";
    const limit = overRequests ? rl.requests : rl.tokens;
    const used = overRequests ? this.window.requests : this.window.tokens;
    return {
      message: `Rate limit reached for ${model} in organization org-test on ${what}: Limit ${limit}, Used ${used}, Requested ${overRequests ? 1 : tokens}. Please try again in ${formatDuration(resetMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
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

/** Standalone mode: `tsx test/support/openai-test-server.ts [--port N] [--latency MS] [--api-key K] [--log FILE] [--rpm N] [--tpm N] [--window-ms MS]`. */
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
    defaultDimensions: num("default-dimensions"),
    rateLimit: rpm !== undefined || tpm !== undefined ? { requests: rpm, tokens: tpm, windowMs: num("window-ms") } : undefined,
  });
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
