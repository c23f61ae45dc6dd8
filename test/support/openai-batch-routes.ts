/**
 * The Files and Batches half of the OpenAI test server (wired into openai-test-server.ts), shaped
 * after OpenAI's OpenAPI description (github.com/openai/openai-openapi: OpenAIFile, ListFilesResponse,
 * DeleteFileResponse, CreateFileRequest, Batch, BatchRequestCounts, BatchError, CreateBatchRequest,
 * ListBatchesResponse, and the per-line BatchRequestInput/BatchRequestOutput of batch files):
 *
 *   POST   /v1/files                 multipart upload (file, purpose[, expires_after])
 *   GET    /v1/files[?purpose&limit&order&after]
 *   GET    /v1/files/{id}            DELETE /v1/files/{id}          GET /v1/files/{id}/content
 *   POST   /v1/batches               GET /v1/batches[?limit&after]
 *   GET    /v1/batches/{id}          POST /v1/batches/{id}/cancel
 *
 * Only /v1/embeddings batches are executed (the others validate and then fail every line). What a
 * test controls (BatchControls): how statuses advance (by time, or only on `advance()`), a share of
 * requests that fail into the error file, shuffled output, expiry with part of the work done, a NaN in
 * a vector, a malformed output line, a rejected upload, and slow content downloads (to kill a reader
 * partway). Every Files/Batches call is logged in `log` (and the log file), so a test can assert that
 * an output file was not downloaded twice.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export type BatchStatus = "validating" | "failed" | "in_progress" | "finalizing" | "completed" | "expired" | "cancelling" | "cancelled";

export interface StoredFile {
  id: string;
  object: "file";
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: "uploaded" | "processed" | "error";
  expires_at?: number;
  content: Buffer;
}

export interface BatchObject {
  id: string;
  object: "batch";
  endpoint: string;
  model?: string;
  errors: { object: "list"; data: { code: string; message: string; param: string | null; line: number | null }[] } | null;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  usage?: { input_tokens: number; input_tokens_details: { cached_tokens: number }; output_tokens: number; output_tokens_details: { reasoning_tokens: number }; total_tokens: number };
  metadata: Record<string, string> | null;
}

export interface BatchControls {
  /**
   * How long each of validating, in_progress and finalizing lasts, in ms, when statuses advance by
   * time. Default 0 (a batch is completed when first looked at). Ignored while `manual` is set.
   */
  stepMs: number;
  /** Statuses move only on `advance()` (a test's command). Default false. */
  manual: boolean;
  /** Share (0..1) of each new batch's requests that fail with a 500 into the error file. Default 0. */
  failShare: number;
  /** Output and error lines in a random order, as OpenAI's come. Default true. */
  shuffle: boolean;
  /** The next batch to finish expires instead, with this share (0..1) of its requests done. */
  expireNext?: number;
  /** In the next batch's output, the first vector of this many successful lines gets a NaN. */
  nanLines: number;
  /** In the next batch's output, this many lines are cut in half (unparsable JSON). */
  malformedLines: number;
  /** The next upload is answered with this status and OpenAI-shaped error body. */
  uploadFault?: { status: number; message: string; code?: string | null; param?: string | null };
  /** Content downloads are sent in pieces of this many bytes with this pause between them (0: at once). */
  contentChunkBytes: number;
  contentChunkDelayMs: number;
  /** Largest upload accepted, in bytes (OpenAI: 200 MB for a batch input file). */
  maxUploadBytes: number;
}

export interface BatchLogEntry {
  /** ms since the server started. */
  at: number;
  method: string;
  /** The route, e.g. "files.content", "batches.create". */
  route: string;
  /** The file or batch the call was about. */
  id?: string;
  status: number;
  /** Bytes sent (content downloads) or received (uploads). */
  bytes?: number;
  /** For content downloads: whether every byte of the body was sent before the connection ended. */
  complete?: boolean;
}

/** What the routes need from the server they live in. */
export interface BatchRouteHost {
  /** Embeds one /v1/embeddings body the way POST /v1/embeddings would: the status and JSON body it answers. */
  embedBody(body: unknown): Promise<{ status: number; body: unknown; tokens: number }>;
  now(): number;
  record(entry: BatchLogEntry): void;
}

const FILE_PURPOSES = new Set(["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]);
const ENDPOINTS = new Set(["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos"]);
/** OpenAI's documented per-batch limits. */
export const BATCH_SERVER_LIMITS = { requests: 50_000, embeddingInputs: 50_000 };

interface BatchState {
  batch: BatchObject;
  /** Time (server ms) the current status began. */
  since: number;
  /** Parsed input lines, kept from creation (the input file may be deleted meanwhile). */
  lines: InputLine[];
  /** Decided at creation: which custom_ids fail, how many NaN/malformed lines. */
  failing: Set<string>;
  nanLines: number;
  malformedLines: number;
  /** Set when the batch is to expire with this share done. */
  expireShare?: number;
}

interface InputLine {
  line: number;
  custom_id: string;
  method: string;
  url: string;
  body: unknown;
}

export class BatchRoutes {
  readonly files = new Map<string, StoredFile>();
  readonly batches = new Map<string, BatchState>();
  readonly log: BatchLogEntry[] = [];
  readonly controls: BatchControls = defaultControls();
  private seq = 0;

  constructor(private readonly host: BatchRouteHost) {}

  /** Forget every file, batch, log entry and control setting. */
  reset(): void {
    this.files.clear();
    this.batches.clear();
    this.log.length = 0;
    Object.assign(this.controls, defaultControls());
    for (const k of ["expireNext", "uploadFault"] as const) delete this.controls[k];
  }

  /** Moves every batch (or one) one status forward: validating → in_progress → finalizing → completed. */
  async advance(batchId?: string): Promise<void> {
    for (const s of this.batches.values()) {
      if (batchId !== undefined && s.batch.id !== batchId) continue;
      await this.step(s);
    }
  }

  /** Advances until every batch has reached a final status. */
  async finishAll(): Promise<void> {
    for (const s of this.batches.values()) while (!isFinal(s.batch.status)) await this.step(s);
  }

  /** Content downloads of a file so far (complete or cut short). */
  downloads(fileId: string): BatchLogEntry[] {
    return this.log.filter((e) => e.route === "files.content" && e.id === fileId);
  }

  static matches(url: string): boolean {
    return /^\/v1\/(files|batches)(\/|\?|$)/.test(url);
  }

  async handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    const entry: BatchLogEntry = { at: this.host.now(), method, route: "unknown", status: 0 };
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-request-id": `req_${randomBytes(6).toString("hex")}` });
      res.end(text);
      entry.status = status;
      this.host.record(entry);
      this.log.push(entry);
    };
    const error = (status: number, message: string, param: string | null = null, code: string | null = null, type = "invalid_request_error") =>
      send(status, { error: { message, type, param, code } });
    let m: RegExpExecArray | null;

    if (path === "/v1/files" && method === "POST") {
      entry.route = "files.create";
      entry.bytes = raw.length;
      return this.upload(req, raw, send, error);
    }
    if (path === "/v1/files" && method === "GET") {
      entry.route = "files.list";
      const purpose = url.searchParams.get("purpose");
      const order = url.searchParams.get("order") ?? "desc";
      const limit = Number(url.searchParams.get("limit") ?? 10_000);
      if (order !== "asc" && order !== "desc") return error(400, `Invalid value for 'order': '${order}'. Supported values are: 'asc' and 'desc'.`, "order", "invalid_value");
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return error(400, `Invalid 'limit': integer below minimum value or above maximum value (1..10000), got ${url.searchParams.get("limit")}.`, "limit", "invalid_value");
      let all = [...this.files.values()].filter((f) => purpose === null || f.purpose === purpose);
      // Newest first by default, as OpenAI lists; ties (same second) keep creation order.
      all = order === "desc" ? all.reverse() : all;
      return send(200, page(all.map(fileView), url.searchParams.get("after"), limit, true));
    }
    if ((m = /^\/v1\/files\/([^/]+)\/content$/.exec(path)) && method === "GET") {
      entry.route = "files.content";
      entry.id = decodeURIComponent(m[1]);
      const f = this.files.get(entry.id);
      if (!f) return error(404, `No such File object: ${entry.id}`, "id");
      return this.sendContent(res, f, entry);
    }
    if ((m = /^\/v1\/files\/([^/]+)$/.exec(path))) {
      const id = decodeURIComponent(m[1]);
      entry.id = id;
      const f = this.files.get(id);
      if (method === "GET") {
        entry.route = "files.retrieve";
        if (!f) return error(404, `No such File object: ${id}`, "id");
        return send(200, fileView(f));
      }
      if (method === "DELETE") {
        entry.route = "files.delete";
        if (!f) return error(404, `No such File object: ${id}`, "id");
        this.files.delete(id);
        return send(200, { id, object: "file", deleted: true });
      }
    }
    if (path === "/v1/batches" && method === "POST") {
      entry.route = "batches.create";
      return this.createBatch(raw, send, error, entry);
    }
    if (path === "/v1/batches" && method === "GET") {
      entry.route = "batches.list";
      const limit = Number(url.searchParams.get("limit") ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(400, `Invalid 'limit': integer below minimum value or above maximum value (1..100), got ${url.searchParams.get("limit")}.`, "limit", "invalid_value");
      const all = [...this.batches.values()].reverse();
      for (const s of all) await this.tick(s);
      return send(200, page(all.map((s) => s.batch), url.searchParams.get("after"), limit, false));
    }
    if ((m = /^\/v1\/batches\/([^/]+)\/cancel$/.exec(path)) && method === "POST") {
      entry.route = "batches.cancel";
      entry.id = decodeURIComponent(m[1]);
      const s = this.batches.get(entry.id);
      if (!s) return error(404, `No batch found with id '${entry.id}'.`, "batch_id", "batch_not_found");
      await this.tick(s);
      const st = s.batch.status;
      if (st === "cancelling" || st === "cancelled") return send(200, s.batch);
      if (isFinal(st)) return error(409, `Cannot cancel a batch with status '${st}'.`, null, "batch_not_cancellable");
      this.setStatus(s, "cancelling");
      return send(200, s.batch);
    }
    if ((m = /^\/v1\/batches\/([^/]+)$/.exec(path)) && method === "GET") {
      entry.route = "batches.retrieve";
      entry.id = decodeURIComponent(m[1]);
      const s = this.batches.get(entry.id);
      if (!s) return error(404, `No batch found with id '${entry.id}'.`, "batch_id", "batch_not_found");
      await this.tick(s);
      return send(200, s.batch);
    }
    entry.route = "unknown";
    return error(404, `Invalid URL (${method} ${req.url})`);
  }

  private upload(
    req: IncomingMessage,
    raw: Buffer,
    send: (status: number, body: unknown) => void,
    error: (status: number, message: string, param?: string | null, code?: string | null) => void,
  ): void {
    const fault = this.controls.uploadFault;
    if (fault) {
      delete this.controls.uploadFault;
      return error(fault.status, fault.message, fault.param ?? null, fault.code ?? null);
    }
    const type = req.headers["content-type"] ?? "";
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
    if (!type.startsWith("multipart/form-data") || !boundary) {
      return error(400, "Invalid content type. Expected multipart/form-data.", null, null);
    }
    const parts = parseMultipart(raw, boundary[1] ?? boundary[2]);
    const purpose = parts.find((p) => p.name === "purpose")?.data.toString("utf8");
    const file = parts.find((p) => p.name === "file");
    const unknown = parts.find((p) => !["file", "purpose", "expires_after[anchor]", "expires_after[seconds]"].includes(p.name));
    if (unknown) return error(400, `Unrecognized request argument supplied: ${unknown.name}`);
    if (!file) return error(400, "'file' is a required property", "file");
    if (purpose === undefined) return error(400, "'purpose' is a required property", "purpose");
    if (!FILE_PURPOSES.has(purpose)) {
      return error(400, `'${purpose}' is not one of ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] - 'purpose'`, "purpose", "invalid_value");
    }
    const filename = file.filename ?? "upload";
    if (file.data.length > this.controls.maxUploadBytes) {
      return error(400, `File is too large: ${file.data.length} bytes; the maximum for purpose '${purpose}' is ${this.controls.maxUploadBytes} bytes.`, "file", "file_too_large");
    }
    if (purpose === "batch" && !filename.endsWith(".jsonl")) {
      return error(400, "Invalid file format for Batch API. Must be .jsonl", "file", "invalid_file_format");
    }
    const f = this.addFile(filename, purpose, file.data);
    return send(200, fileView(f));
  }

  private addFile(filename: string, purpose: string, content: Buffer): StoredFile {
    const f: StoredFile = {
      id: `file-${randomBytes(11).toString("hex")}`,
      object: "file",
      bytes: content.length,
      created_at: this.unixNow(),
      filename,
      purpose,
      status: "processed",
      content,
    };
    if (purpose === "batch") f.expires_at = f.created_at + 30 * 86_400;
    this.files.set(f.id, f);
    return f;
  }

  private async sendContent(res: ServerResponse, f: StoredFile, entry: BatchLogEntry): Promise<void> {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": f.content.length, "content-disposition": `attachment; filename="${f.filename}"` });
    entry.status = 200;
    entry.complete = false;
    entry.bytes = 0;
    this.log.push(entry);
    const { contentChunkBytes: size, contentChunkDelayMs: delay } = this.controls;
    if (size <= 0) {
      res.end(f.content);
      entry.bytes = f.content.length;
      entry.complete = true;
      this.host.record(entry);
      return;
    }
    let closed = false;
    res.on("close", () => (closed = true));
    for (let off = 0; off < f.content.length && !closed; off += size) {
      // The pause comes before a piece, never after the last one: a client that has every byte may store
      // them and exit at once, and a test that then reads `complete` must not race a pointless timer.
      if (off > 0 && delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (closed) break;
      const piece = f.content.subarray(off, off + size);
      const ok = res.write(piece);
      entry.bytes += piece.length;
      if (!ok) {
        await new Promise<void>((r) => {
          const done = () => {
            res.off("drain", done);
            res.off("close", done);
            r();
          };
          res.on("drain", done);
          res.on("close", done);
        });
      }
    }
    if (!closed) res.end();
    // Every byte sent (the client may hang up right after the last one: it knows the length).
    entry.complete = entry.bytes === f.content.length;
    this.host.record(entry);
  }

  private createBatch(raw: Buffer, send: (status: number, body: unknown) => void, error: (status: number, message: string, param?: string | null, code?: string | null) => void, entry: BatchLogEntry): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString("utf8"));
      if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error("not an object");
    } catch {
      return error(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)");
    }
    const allowed = new Set(["input_file_id", "endpoint", "completion_window", "metadata", "output_expires_after"]);
    const unknown = Object.keys(body).find((k) => !allowed.has(k));
    if (unknown) return error(400, `Unrecognized request argument supplied: ${unknown}`);
    for (const k of ["input_file_id", "endpoint", "completion_window"]) {
      if (typeof body[k] !== "string") return error(400, `Missing required parameter: '${k}'.`, k, "missing_required_parameter");
    }
    const endpoint = body.endpoint as string;
    if (!ENDPOINTS.has(endpoint)) return error(400, `Invalid value for 'endpoint': '${endpoint}'. Supported values are: ${[...ENDPOINTS].map((e) => `'${e}'`).join(", ")}.`, "endpoint", "invalid_value");
    if (body.completion_window !== "24h") return error(400, `Invalid value for 'completion_window': '${String(body.completion_window)}'. Supported values are: '24h'.`, "completion_window", "invalid_value");
    const metadata = body.metadata as Record<string, unknown> | undefined | null;
    if (metadata != null) {
      const keys = Object.keys(metadata);
      if (typeof metadata !== "object" || keys.length > 16 || keys.some((k) => k.length > 64 || typeof metadata[k] !== "string" || (metadata[k] as string).length > 512)) {
        return error(400, "Invalid 'metadata': at most 16 string values, keys up to 64 and values up to 512 characters.", "metadata", "invalid_value");
      }
    }
    const file = this.files.get(body.input_file_id as string);
    if (!file) return error(400, `No such File object: ${String(body.input_file_id)}`, "input_file_id", "invalid_value");
    if (file.purpose !== "batch") return error(400, `File ${file.id} has purpose '${file.purpose}'; a batch's input file must have purpose 'batch'.`, "input_file_id", "invalid_value");

    const now = this.unixNow();
    const batch: BatchObject = {
      id: `batch_${randomBytes(12).toString("hex")}`,
      object: "batch",
      endpoint,
      errors: null,
      input_file_id: file.id,
      completion_window: "24h",
      status: "validating",
      output_file_id: null,
      error_file_id: null,
      created_at: now,
      in_progress_at: null,
      expires_at: now + 86_400,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: (metadata as Record<string, string> | undefined) ?? null,
    };
    const state: BatchState = { batch, since: this.host.now(), lines: [], failing: new Set(), nanLines: this.controls.nanLines, malformedLines: this.controls.malformedLines };
    this.controls.nanLines = 0;
    this.controls.malformedLines = 0;
    // Validation happens now (the status still reads "validating" until the batch advances).
    const problems = validateInput(file.content, endpoint, state.lines);
    if (problems.length) state.batch.errors = { object: "list", data: problems };
    else {
      batch.request_counts.total = state.lines.length;
      const share = this.controls.failShare;
      if (share > 0) {
        const ids = shuffled(state.lines.map((l) => l.custom_id));
        for (const id of ids.slice(0, Math.round(share * ids.length))) state.failing.add(id);
      }
      if (this.controls.expireNext !== undefined) {
        state.expireShare = this.controls.expireNext;
        delete this.controls.expireNext;
      }
    }
    entry.id = batch.id;
    this.batches.set(batch.id, state);
    return send(200, batch);
  }

  /** Time-driven advance: steps a batch forward for every `stepMs` it has spent in its status. */
  private async tick(s: BatchState): Promise<void> {
    if (this.controls.manual) return;
    while (!isFinal(s.batch.status) && this.host.now() - s.since >= this.controls.stepMs) await this.step(s);
  }

  private async step(s: BatchState): Promise<void> {
    const b = s.batch;
    switch (b.status) {
      case "validating":
        if (b.errors) return this.setStatus(s, "failed");
        return this.setStatus(s, "in_progress");
      case "in_progress":
        return this.setStatus(s, "finalizing");
      case "finalizing":
        await this.run(s, s.expireShare);
        return this.setStatus(s, s.expireShare === undefined ? "completed" : "expired");
      case "cancelling":
        // Cancelled with whatever had run: nothing, in this server (it runs the work when finalizing).
        await this.run(s, 0, "cancelled");
        return this.setStatus(s, "cancelled");
      default:
        return;
    }
  }

  private setStatus(s: BatchState, status: BatchStatus): void {
    const at = this.unixNow();
    s.batch.status = status;
    s.since = this.host.now();
    const stamp: Partial<Record<BatchStatus, keyof BatchObject>> = {
      in_progress: "in_progress_at",
      finalizing: "finalizing_at",
      completed: "completed_at",
      failed: "failed_at",
      expired: "expired_at",
      cancelling: "cancelling_at",
      cancelled: "cancelled_at",
    };
    const key = stamp[status];
    if (key) (s.batch as unknown as Record<string, number>)[key] = at;
  }

  /**
   * Executes the batch's requests: the first `share` of them (all when undefined) run, the rest are
   * written to the error file as expired or cancelled lines, as OpenAI does.
   */
  private async run(s: BatchState, share: number | undefined, stopped: "expired" | "cancelled" = "expired"): Promise<void> {
    const b = s.batch;
    const out: string[] = [];
    const err: string[] = [];
    const runCount = share === undefined ? s.lines.length : Math.floor(share * s.lines.length);
    let tokens = 0;
    let nan = s.nanLines;
    for (let i = 0; i < s.lines.length; i++) {
      const l = s.lines[i];
      const id = `batch_req_${randomBytes(12).toString("hex")}`;
      if (i >= runCount) {
        const error =
          stopped === "expired"
            ? { code: "batch_expired", message: "This request could not be executed before the completion window expired." }
            : { code: "batch_cancelled", message: "This request was not executed because the batch was cancelled." };
        err.push(JSON.stringify({ id, custom_id: l.custom_id, response: null, error }));
        b.request_counts.failed++;
        continue;
      }
      const requestId = `req_${randomBytes(12).toString("hex")}`;
      if (s.failing.has(l.custom_id)) {
        const body = { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } };
        err.push(JSON.stringify({ id, custom_id: l.custom_id, response: { status_code: 500, request_id: requestId, body }, error: null }));
        b.request_counts.failed++;
        continue;
      }
      const r = await this.host.embedBody(l.body);
      if (r.status !== 200) {
        err.push(JSON.stringify({ id, custom_id: l.custom_id, response: { status_code: r.status, request_id: requestId, body: r.body }, error: null }));
        b.request_counts.failed++;
        continue;
      }
      tokens += r.tokens;
      let text = JSON.stringify({ id, custom_id: l.custom_id, response: { status_code: 200, request_id: requestId, body: r.body }, error: null });
      if (nan > 0) {
        nan--;
        text = poisonLine(text);
      }
      out.push(text);
      b.request_counts.completed++;
    }
    let malformed = s.malformedLines;
    for (let i = 0; i < out.length && malformed > 0; i++, malformed--) out[i] = out[i].slice(0, Math.floor(out[i].length / 2));
    const order = (xs: string[]) => (this.controls.shuffle ? shuffled(xs) : xs);
    if (out.length) b.output_file_id = this.addFile(`batch_${b.id}_output.jsonl`, "batch_output", Buffer.from(order(out).join("\n") + "\n")).id;
    if (err.length) b.error_file_id = this.addFile(`batch_${b.id}_error.jsonl`, "batch_output", Buffer.from(order(err).join("\n") + "\n")).id;
    b.usage = { input_tokens: tokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: tokens };
  }

  private unixNow(): number {
    return Math.floor(Date.now() / 1000);
  }
}

function defaultControls(): BatchControls {
  return {
    stepMs: 0,
    manual: false,
    failShare: 0,
    shuffle: true,
    nanLines: 0,
    malformedLines: 0,
    contentChunkBytes: 0,
    contentChunkDelayMs: 0,
    maxUploadBytes: 200 * 1024 * 1024,
  };
}

function isFinal(status: BatchStatus): boolean {
  return status === "completed" || status === "failed" || status === "expired" || status === "cancelled";
}

/** The File object as the API shows it (without the stored bytes). */
function fileView(f: StoredFile): Omit<StoredFile, "content"> {
  const { content: _content, ...rest } = f;
  return rest;
}

/** A cursor page: objects after the `after` id, at most `limit`. */
function page<T extends { id: string }>(all: T[], after: string | null, limit: number, fileStyle: boolean): Record<string, unknown> {
  let start = 0;
  if (after !== null) {
    const i = all.findIndex((x) => x.id === after);
    start = i < 0 ? all.length : i + 1;
  }
  const data = all.slice(start, start + limit);
  const out: Record<string, unknown> = { object: "list", data, has_more: start + limit < all.length };
  // ListFilesResponse requires first_id/last_id; ListBatchesResponse has them optional.
  if (fileStyle || data.length) {
    out.first_id = data[0]?.id ?? null;
    out.last_id = data.at(-1)?.id ?? null;
  }
  return out;
}

/**
 * Checks a batch input file as OpenAI's validation does (per line: JSON, custom_id unique, method POST,
 * url equal to the batch's endpoint; per file: at most 50,000 requests and, for /v1/embeddings, 50,000
 * inputs in all). Returns BatchError entries; fills `lines` when it is valid.
 */
function validateInput(content: Buffer, endpoint: string, lines: InputLine[]): { code: string; message: string; param: string | null; line: number | null }[] {
  const problems: { code: string; message: string; param: string | null; line: number | null }[] = [];
  const text = content.toString("utf8");
  const seen = new Set<string>();
  let inputs = 0;
  const rows = text.split("\n");
  if (rows.at(-1) === "") rows.pop();
  for (let i = 0; i < rows.length && problems.length < 10; i++) {
    const n = i + 1;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(rows[i]);
    } catch {
      problems.push({ code: "invalid_json_line", message: "This line is not parseable as valid JSON.", param: null, line: n });
      continue;
    }
    if (typeof o.custom_id !== "string" || !o.custom_id) {
      problems.push({ code: "missing_required_parameter", message: "Missing required parameter: 'custom_id'.", param: "custom_id", line: n });
      continue;
    }
    if (seen.has(o.custom_id)) {
      problems.push({ code: "duplicate_custom_id", message: "The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.", param: "custom_id", line: n });
      continue;
    }
    seen.add(o.custom_id);
    if (o.method !== "POST") {
      problems.push({ code: "invalid_value", message: `Invalid value for 'method': '${String(o.method)}'. Supported values are: 'POST'.`, param: "method", line: n });
      continue;
    }
    if (o.url !== endpoint) {
      problems.push({ code: "mismatched_url", message: `The url for this request does not match the endpoint of the batch (${endpoint}).`, param: "url", line: n });
      continue;
    }
    const body = o.body as { input?: unknown } | undefined;
    if (endpoint === "/v1/embeddings") {
      const input = body?.input;
      const count = Array.isArray(input) ? input.length : typeof input === "string" ? 1 : 0;
      if (count > 2048) {
        problems.push({ code: "invalid_value", message: `Invalid 'input': array too long. Expected an array with maximum length 2048, but got an array with length ${count} instead.`, param: "body.input", line: n });
        continue;
      }
      inputs += count;
    }
    lines.push({ line: n, custom_id: o.custom_id, method: "POST", url: endpoint, body });
  }
  if (rows.length === 0) problems.push({ code: "empty_file", message: "The input file is empty.", param: null, line: null });
  if (rows.length > BATCH_SERVER_LIMITS.requests) {
    problems.push({ code: "too_many_requests", message: `The batch input file has ${rows.length} requests; the maximum is ${BATCH_SERVER_LIMITS.requests}.`, param: null, line: null });
  }
  if (endpoint === "/v1/embeddings" && inputs > BATCH_SERVER_LIMITS.embeddingInputs) {
    problems.push({ code: "too_many_inputs", message: `The batch has ${inputs} embedding inputs; /v1/embeddings batches are limited to ${BATCH_SERVER_LIMITS.embeddingInputs} embedding inputs across all requests.`, param: null, line: null });
  }
  if (problems.length) lines.length = 0;
  return problems;
}

/** A successful output line whose first vector's first value is NaN (base64 or float). */
function poisonLine(text: string): string {
  const o = JSON.parse(text);
  const data = o.response.body.data as { embedding: string | number[] }[];
  const e = data[0].embedding;
  if (typeof e === "string") {
    const buf = Buffer.from(e, "base64");
    buf.writeFloatLE(Number.NaN, 0);
    data[0].embedding = buf.toString("base64");
    return JSON.stringify(o);
  }
  data[0].embedding = ["__nan__" as unknown as number, ...e.slice(1)];
  return JSON.stringify(o).replace('"__nan__"', "NaN");
}

function shuffled<T>(xs: T[]): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32LE(0) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Part {
  name: string;
  filename?: string;
  data: Buffer;
}

/** A multipart/form-data body split into its parts (enough of RFC 7578 for the SDK's uploads). */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    // Each part: CRLF, headers, CRLF CRLF, data, CRLF before the next delimiter.
    const chunk = body.subarray(start + 2, next - 2);
    const sep = chunk.indexOf("\r\n\r\n");
    if (sep >= 0) {
      const headers = chunk.subarray(0, sep).toString("utf8");
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) parts.push({ name, filename, data: chunk.subarray(sep + 4) });
    }
    pos = next;
  }
  return parts;
}

/** sha256 hex, for tests that match vectors to texts. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
