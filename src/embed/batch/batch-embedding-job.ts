import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { EmbeddingError, OptionsError } from "../../errors.js";
import { lockDir } from "../../util/dir-lock.js";
import { dedupeTexts } from "../dedupe-texts.js";
import { describeServer } from "../embedder-identity.js";
import type { EmbeddingCache } from "../embedding-cache.js";
import { pricePerMillionTokens } from "../embedding-prices.js";
import { lookupCached } from "../lookup-cached.js";
import { OPENAI_EMBEDDING_MODELS, type OpenAIEmbedder } from "../openai-embedder.js";
import { prepareMisses, type Miss } from "../prepare-misses.js";
import { textSha } from "../text-sha.js";
import { BatchClient, type BatchClientOptions } from "./batch-client.js";
import { BatchJobStore, type JobRow, type PartRow } from "./batch-job-store.js";
import { BATCH_PRICE_FACTOR, type BatchLimits, OPENAI_BATCH_LIMITS } from "./batch-limits.js";
import { batchRequestLine } from "./batch-request-line.js";
import { collectFile, type LineProblem } from "./collect-file.js";
import { planBatches } from "./plan-batches.js";
import { batchFields, submitPart } from "./submit-part.js";

export interface BatchJobOptions extends BatchClientOptions {
  /** The embedding cache the vectors go to; the job's state lives in the same file. */
  cache: EmbeddingCache;
  /** Per-batch limits; default OpenAI's (50,000 requests, 200 MB, 50,000 inputs, no enqueued-token cap). */
  limits?: Partial<BatchLimits>;
  /** Dollars per 1M tokens at the synchronous price (default OpenAI's list price); the batch price is half. */
  prices?: number | Readonly<Record<string, number>>;
}

export interface BatchPlanSummary {
  embedderId: string;
  texts: number;
  uniqueTexts: number;
  cacheHits: number;
  /** Texts to embed (not in the cache). */
  toEmbed: number;
  files: number;
  batches: number;
  requests: number;
  minimumRequests: number;
  minimumBatches: number;
  tokens: number;
  bytes: number;
  pricePerMillionTokens?: number;
  /** Estimated dollars at the Batch API price (half the synchronous one). */
  batchCost?: number;
  synchronousCost?: number;
}

export interface BatchPartStatus {
  part: number;
  batchId: string | null;
  inputFileId: string | null;
  outputFileId: string | null;
  errorFileId: string | null;
  /** Our side: planned, uploading, uploaded, submitted, collected. */
  state: string;
  /** OpenAI's status once submitted: validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled. */
  status: string | null;
  requests: number;
  inputs: number;
  tokens: number;
  requestCounts: { total: number; completed: number; failed: number };
  /** Validation errors of a failed batch. */
  errors?: string[];
}

export interface BatchJobStatus {
  job: string;
  embedderId: string;
  createdAt: string;
  cancelled: boolean;
  parts: BatchPartStatus[];
  texts: { total: number; done: number; left: number };
  requests: { total: number; done: number; failed: number; pending: number };
  tokens: { total: number; done: number };
  pricePerMillionTokens?: number;
  batchCost?: number;
  synchronousCost?: number;
  /** Every request is done, or failed with nothing left to wait for. */
  finished: boolean;
}

export interface BatchCollectOptions {
  /** Poll until every batch has finished and been collected. Default false: collect what is ready. */
  wait?: boolean;
  /** Resubmit the requests that failed (once per call). */
  retryFailed?: boolean;
  /** Delete the job's input, output and error files at the server once they are collected. */
  deleteFiles?: boolean;
  /** First wait between polls, ms; it grows by half each poll up to `maxPollIntervalMs`. Default 5,000. */
  pollIntervalMs?: number;
  /** Default 60,000. */
  maxPollIntervalMs?: number;
  /** Called after each round with the job's status. */
  onProgress?: (status: BatchJobStatus) => void;
  /** Called when waiting for another process collecting the same job. */
  onWait?: () => void;
  signal?: AbortSignal;
}

export interface BatchCollectResult {
  status: BatchJobStatus;
  /** Requests stored now. */
  stored: number;
  /** The job's failed requests (first 20), with their error bodies. */
  failures: { customId: string; error: string }[];
  failedNow: number;
  /** Output lines that could not be used (named by file and line). */
  problems: LineProblem[];
  /** Requests resubmitted in new batches (expired, or failed with retryFailed). */
  resubmitted: number;
  filesDeleted: number;
}

const FINAL = new Set(["completed", "failed", "expired", "cancelled"]);

/**
 * An embedding job run through OpenAI's Batch API: half the synchronous price, its own rate-limit
 * pool, done within 24 hours. The texts left after dedupe and the cache lookup are packed by the
 * synchronous fetcher's request planner into request lines, the lines into as many batches as the
 * per-batch limits need (batch-limits.ts). Everything is recorded in the cache database
 * (batch-job-store.ts) before each step, so `status` and `collect` work from another process on
 * another day, and a crash between any two steps loses nothing (submit-part.ts).
 *
 * `collect` streams each output file into the same cache the synchronous fetcher reads, so training
 * with the same embedder afterwards makes no requests.
 *
 *   const job = await BatchEmbeddingJob.submit(embedder, texts, { cache });
 *   await job.collect({ wait: true });
 */
export class BatchEmbeddingJob {
  private constructor(
    readonly id: string,
    private readonly store: BatchJobStore,
    private readonly client: BatchClient,
    private readonly options: BatchJobOptions,
  ) {}

  /** What `submit` would send: files, batches, requests, tokens and cost. Sends nothing. */
  static async plan(embedder: OpenAIEmbedder, texts: string[], options: BatchJobOptions): Promise<BatchPlanSummary> {
    return prepare(embedder, texts, options).summary;
  }

  /** Records a new job and submits its batches as the limits allow (the rest on `collect`). */
  static async submit(embedder: OpenAIEmbedder, texts: string[], options: BatchJobOptions): Promise<BatchEmbeddingJob> {
    const client = new BatchClient({ baseURL: embedder.baseURL, apiKey: options.apiKey, timeoutMs: options.timeoutMs });
    const store = new BatchJobStore(options.cache);
    const prepared = prepare(embedder, texts, options);
    const id = `job-${new Date().toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
    const s = prepared.summary;
    const row: JobRow = {
      id,
      embedder_id: embedder.id,
      model: embedder.model,
      dimensions: embedder.dimensions,
      send_dimensions: sendsDimensions(embedder.model) ? embedder.dimensions : null,
      server: client.server,
      created_at: Date.now(),
      texts: s.texts,
      unique_texts: s.uniqueTexts,
      cached_at_submit: s.cacheHits,
      tokens: s.tokens,
      max_enqueued_tokens: Number.isFinite(prepared.limits.maxEnqueuedTokens) ? prepared.limits.maxEnqueuedTokens : null,
      cancelled: 0,
    };
    store.write(() => {
      store.insertJob(row);
      let r = 0;
      prepared.plan.batches.forEach((b, i) => {
        store.insertPart({ job_id: id, part: i + 1, filename: partFilename(id, i + 1), requests: b.lines.length, inputs: b.inputs, tokens: b.tokens, bytes: b.bytes });
        for (const line of b.lines) {
          const customId = `r${++r}`;
          store.insertRequest(id, { custom_id: customId, part: i + 1, inputs: line.items.length, tokens: line.tokens }, line.items.map((m) => ({ sha: m.sha, text: m.text })));
        }
      });
    });
    const job = new BatchEmbeddingJob(id, store, client, options);
    try {
      await job.submitPending();
    } catch (e) {
      // The job is recorded: resuming it (not submitting again, which would start a second job) finishes the upload.
      if (!(e instanceof EmbeddingError)) throw e;
      const what = e.hint && e.message.endsWith(` ${e.hint}`) ? e.message.slice(0, -e.hint.length - 1) : e.message;
      throw new EmbeddingError(e.code, `${what} Job ${id} is recorded with what was sent so far.`, {
        hint: `${e.hint ? `${e.hint} Then run` : "Run"} \`sentivec batch collect ${id} --wait\` (library: BatchEmbeddingJob.open("${id}", ...).collect()) to resume it.`,
      });
    }
    return job;
  }

  /** A job recorded in this cache; refused clearly when unknown or submitted to another server. */
  static open(jobId: string, options: BatchJobOptions): BatchEmbeddingJob {
    const store = new BatchJobStore(options.cache);
    const row = store.job(jobId);
    if (!row) {
      const known = store.jobs().map((j) => j.id);
      throw new EmbeddingError("BATCH_UNKNOWN_JOB", `No batch job ${JSON.stringify(jobId)} in the embedding cache ${options.cache.path}${known.length ? ` (it has ${known.length}: ${known.slice(-3).join(", ")})` : " (it has none)"}.`, {
        hint: "Run `sentivec batch list` to see the jobs, and pass the same --cache as when it was submitted.",
      });
    }
    const client = new BatchClient(options);
    if (client.server !== row.server) {
      throw new EmbeddingError("BATCH_SERVER_MISMATCH", `Batch job ${jobId} was submitted to ${describeServer(row.server)}, but this run points at ${describeServer(client.server)}.`, {
        hint: "Pass the --base-url (or OPENAI_BASE_URL) the job was submitted with.",
      });
    }
    return new BatchEmbeddingJob(jobId, store, client, options);
  }

  /** The jobs recorded in a cache, oldest first, with their status as last seen (no server calls). */
  static list(cache: EmbeddingCache, options: Pick<BatchJobOptions, "prices"> = {}): BatchJobStatus[] {
    const store = new BatchJobStore(cache);
    return store.jobs().map((j) => statusOf(store, j, options.prices));
  }

  /** The job's status; with `refresh` (default) each unfinished batch is looked up at the server first. */
  async status({ refresh = true }: { refresh?: boolean } = {}): Promise<BatchJobStatus> {
    if (refresh) await this.refresh();
    return statusOf(this.store, this.row(), this.options.prices);
  }

  /**
   * Submits batches not yet sent (as the enqueued-token cap allows), reads the output and error
   * files of every finished batch into the cache, resubmits what expired (and, with retryFailed,
   * what failed), and with `wait` repeats until nothing is left to wait for. One collect per job at
   * a time: a second one waits for the first, then finds everything stored.
   */
  async collect(options: BatchCollectOptions = {}): Promise<BatchCollectResult> {
    const lockFolder = join(`${this.store.cache.path}-batch-locks`, this.id);
    mkdirSync(lockFolder, { recursive: true });
    const lock = await lockDir(lockFolder, { what: `batch job ${this.id}`, onWait: options.onWait });
    const result: BatchCollectResult = { status: undefined as unknown as BatchJobStatus, stored: 0, failures: [], failedNow: 0, problems: [], resubmitted: 0, filesDeleted: 0 };
    try {
      let delay = options.pollIntervalMs ?? 5_000;
      let retried = false;
      for (;;) {
        options.signal?.throwIfAborted();
        if (!this.row().cancelled) await this.submitPending();
        await this.refresh();
        for (const p of this.store.parts(this.id)) {
          if (p.state === "submitted" && p.status !== null && FINAL.has(p.status)) await this.collectPart(p, result);
        }
        if (options.retryFailed && !retried) {
          retried = true;
          // Asking for the failed requests again resumes a cancelled job.
          if (this.row().cancelled) this.store.write(() => this.store.setCancelled(this.id, false));
          result.resubmitted += this.requeue(this.store.failedRequests(this.id).map((r) => r.custom_id));
          if (result.resubmitted) await this.submitPending();
        }
        if (options.deleteFiles) result.filesDeleted += await this.deleteCollectedFiles();
        const status = statusOf(this.store, this.row(), this.options.prices);
        options.onProgress?.(status);
        if (!options.wait || status.finished || this.outstanding() === 0) {
          result.status = status;
          result.failures = this.store.failedRequests(this.id).slice(0, 20).map((r) => ({ customId: r.custom_id, error: r.error ?? "" }));
          return result;
        }
        await sleep(delay, options.signal);
        delay = Math.min(Math.round(delay * 1.5), options.maxPollIntervalMs ?? 60_000);
      }
    } finally {
      lock.release();
    }
  }

  /** Cancels every batch still running and stops submitting the rest. Collect then keeps what finished. */
  async cancel(): Promise<BatchJobStatus> {
    this.store.write(() => {
      this.store.setCancelled(this.id, true);
      // Batches never created are settled now: their requests fail as cancelled (--retry-failed sends them).
      for (const p of this.store.parts(this.id)) {
        if (p.state !== "planned" && p.state !== "uploading" && p.state !== "uploaded") continue;
        for (const r of this.store.requestsOfPart(this.id, p.part)) if (r.state === "pending") this.store.setRequest(this.id, r.custom_id, "failed", "job cancelled before this batch was submitted");
        this.store.updatePart(this.id, p.part, { state: "collected", status: "cancelled" });
      }
    });
    for (const p of this.store.parts(this.id)) {
      if (p.state === "submitted" && p.batch_id && p.status !== null && !FINAL.has(p.status) && p.status !== "cancelling") {
        const b = await this.client.call(`cancel batch ${p.batch_id}`, (o) => o.batches.cancel(p.batch_id!));
        this.store.write(() => this.store.updatePart(this.id, p.part, batchFields(b)));
      }
    }
    return this.status({ refresh: false });
  }

  private row(): JobRow {
    return this.store.job(this.id)!;
  }

  /** Parts not yet collected. */
  private outstanding(): number {
    return this.store.parts(this.id).filter((p) => p.state !== "collected").length;
  }

  /** Sends parts not yet submitted, in order, while the enqueued tokens stay under the cap. */
  private async submitPending(): Promise<void> {
    const job = this.row();
    if (job.cancelled) return;
    const cap = job.max_enqueued_tokens ?? Number.POSITIVE_INFINITY;
    const parts = this.store.parts(this.id);
    let enqueued = parts.filter((p) => p.state === "submitted" && p.status !== null && !FINAL.has(p.status)).reduce((s, p) => s + p.tokens, 0);
    for (const p of parts) {
      if (p.state === "submitted" || p.state === "collected") continue;
      // A part mid-upload is always finished: its file may already be at the server.
      if (p.state === "planned" && enqueued > 0 && enqueued + p.tokens > cap) break;
      await submitPart(this.client, this.store, job, p);
      enqueued += p.tokens;
    }
  }

  /** Looks up every submitted batch that has not reached a final status. */
  private async refresh(): Promise<void> {
    for (const p of this.store.parts(this.id)) {
      if (p.state !== "submitted" || !p.batch_id || (p.status !== null && FINAL.has(p.status))) continue;
      const b = await this.client.call(`look up batch ${p.batch_id}`, (o) => o.batches.retrieve(p.batch_id!));
      this.store.write(() => this.store.updatePart(this.id, p.part, batchFields(b)));
    }
  }

  /** Reads a finished batch's files, settles requests without a line, and resubmits what expired. */
  private async collectPart(p: PartRow, result: BatchCollectResult): Promise<void> {
    for (const [file, flag] of [
      [p.output_file_id, "output_collected"],
      [p.error_file_id, "error_collected"],
    ] as const) {
      if (!file || p[flag]) continue;
      const r = await collectFile(this.client, this.store, this.row(), file);
      result.stored += r.stored;
      result.failedNow += r.failed;
      result.problems.push(...r.problems);
      // Only once the whole file is read: a kill before this re-reads it, skipping stored lines.
      this.store.write(() => this.store.updatePart(this.id, p.part, { [flag]: 1 }));
    }
    const validation = p.errors ? (JSON.parse(p.errors) as string[]) : [];
    this.store.write(() => {
      for (const r of this.store.requestsOfPart(this.id, p.part)) {
        if (r.state !== "pending") continue;
        const why =
          p.status === "failed"
            ? `batch failed at validation: ${validation.slice(0, 3).join("; ") || "no reason given"}`
            : p.status === "cancelled"
              ? "batch cancelled before this request ran"
              : "no usable line for this request in the output or error file";
        this.store.setRequest(this.id, r.custom_id, "failed", why);
        result.failedNow++;
      }
      this.store.updatePart(this.id, p.part, { state: "collected" });
    });
    // An expired batch keeps what completed; the rest goes out again, unless the job was cancelled.
    if (p.status === "expired" && !this.row().cancelled) {
      const left = this.store.requestsOfPart(this.id, p.part).filter((r) => r.state !== "done");
      result.resubmitted += this.requeue(left.map((r) => r.custom_id));
    }
  }

  /** Moves these requests into new parts (planned, sent by submitPending), packed under the batch limits. */
  private requeue(customIds: string[]): number {
    if (!customIds.length) return 0;
    const job = this.row();
    const limits = batchLimitsOf(this.options, job);
    const shape = { model: job.model, dimensions: job.send_dimensions ?? undefined };
    this.store.write(() => {
      let part = Math.max(0, ...this.store.parts(this.id).map((p) => p.part));
      let cur: { part: number; ids: string[]; inputs: number; tokens: number; bytes: number } | undefined;
      const flush = () => {
        if (!cur) return;
        this.store.insertPart({ job_id: this.id, part: cur.part, filename: partFilename(this.id, cur.part), requests: cur.ids.length, inputs: cur.inputs, tokens: cur.tokens, bytes: cur.bytes });
        for (const id of cur.ids) this.store.moveRequest(this.id, id, cur.part);
        cur = undefined;
      };
      for (const id of customIds) {
        const r = this.store.request(this.id, id)!;
        const bytes = Buffer.byteLength(batchRequestLine(id, this.store.texts(this.id, id).map((t) => t.text), shape));
        if (
          cur &&
          (cur.ids.length + 1 > limits.maxRequestsPerBatch ||
            cur.inputs + r.inputs > limits.maxInputsPerBatch ||
            cur.bytes + bytes > limits.maxBytesPerFile ||
            cur.tokens + r.tokens > limits.maxEnqueuedTokens)
        ) {
          flush();
        }
        cur ??= { part: ++part, ids: [], inputs: 0, tokens: 0, bytes: 0 };
        cur.ids.push(id);
        cur.inputs += r.inputs;
        cur.tokens += r.tokens;
        cur.bytes += bytes;
      }
      flush();
    });
    return customIds.length;
  }

  /** Deletes input files of finished batches and the output/error files already read. */
  private async deleteCollectedFiles(): Promise<number> {
    let n = 0;
    for (const p of this.store.parts(this.id)) {
      if (p.state !== "collected" || p.files_deleted) continue;
      for (const id of [p.input_file_id, p.output_file_id, p.error_file_id]) {
        if (!id) continue;
        try {
          await this.client.call(`delete file ${id}`, (o) => o.files.delete(id));
          n++;
        } catch (e) {
          // Already gone (deleted by hand, or expired): nothing left to clean.
          if (!(e instanceof EmbeddingError && e.code === "BATCH_HTTP_404")) throw e;
        }
      }
      this.store.write(() => this.store.updatePart(this.id, p.part, { files_deleted: 1 }));
    }
    return n;
  }
}

function partFilename(jobId: string, part: number): string {
  return `sentivec-${jobId}-part${part}.jsonl`;
}

/** Whether a model takes `dimensions` (ada-002 refuses it; unknown models of compatible servers are sent it). */
function sendsDimensions(model: string): boolean {
  return OPENAI_EMBEDDING_MODELS[model]?.shortenable ?? true;
}

function batchLimitsOf(options: Pick<BatchJobOptions, "limits">, job?: JobRow): BatchLimits {
  const l = { ...OPENAI_BATCH_LIMITS, ...stripUndefined(options.limits ?? {}) };
  if (job && job.max_enqueued_tokens !== null) l.maxEnqueuedTokens = job.max_enqueued_tokens;
  for (const [k, v] of Object.entries(l)) {
    if (!(v >= 1)) throw new OptionsError("BATCH_LIMITS", `Batch limit ${k} must be at least 1, got ${v}.`);
  }
  return l;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Dedupe, cache lookup, exact token counts, then the request and batch plan. */
function prepare(embedder: OpenAIEmbedder, texts: string[], options: BatchJobOptions) {
  const limits = batchLimitsOf(options);
  const d = dedupeTexts(texts);
  const shas = d.unique.map(textSha);
  const { vectors, hits } = lookupCached(options.cache, embedder.id, shas);
  const m = prepareMisses(embedder, { unique: d.unique, firstIndex: d.firstIndex, shas, vectors }, { exactTokens: true, truncate: false });
  const shape = { model: embedder.model, dimensions: sendsDimensions(embedder.model) ? embedder.dimensions : undefined };
  // Line bytes: the JSON envelope plus each text as JSON escapes it (the custom_id is at most "r" + 9 digits).
  const envelope = Buffer.byteLength(batchRequestLine("r000000000", [], shape));
  const plan = planBatches<Miss>(m.misses, embedder.limits, limits, (items) => envelope + items.reduce((s, x) => s + Buffer.byteLength(JSON.stringify(x.text)) + 1, 0));
  const price = pricePerMillionTokens(embedder.id, options.prices);
  const summary: BatchPlanSummary = {
    embedderId: embedder.id,
    texts: texts.length,
    uniqueTexts: d.unique.length,
    cacheHits: hits,
    toEmbed: m.misses.length,
    files: plan.batches.length,
    batches: plan.batches.length,
    requests: plan.requests,
    minimumRequests: plan.minimumRequests,
    minimumBatches: plan.minimumBatches,
    tokens: plan.tokens,
    bytes: plan.batches.reduce((s, b) => s + b.bytes, 0),
    pricePerMillionTokens: price,
    batchCost: price === undefined ? undefined : (plan.tokens / 1e6) * price * BATCH_PRICE_FACTOR,
    synchronousCost: price === undefined ? undefined : (plan.tokens / 1e6) * price,
  };
  return { summary, plan, limits };
}

function statusOf(store: BatchJobStore, job: JobRow, prices: BatchJobOptions["prices"]): BatchJobStatus {
  const parts = store.parts(job.id);
  const c = store.counts(job.id);
  const price = pricePerMillionTokens(job.embedder_id, prices);
  const outstanding = parts.some((p) => p.state !== "collected");
  return {
    job: job.id,
    embedderId: job.embedder_id,
    createdAt: new Date(job.created_at).toISOString(),
    cancelled: job.cancelled === 1,
    parts: parts.map((p) => ({
      part: p.part,
      batchId: p.batch_id,
      inputFileId: p.input_file_id,
      outputFileId: p.output_file_id,
      errorFileId: p.error_file_id,
      state: p.state,
      status: p.status,
      requests: p.requests,
      inputs: p.inputs,
      tokens: p.tokens,
      requestCounts: { total: p.total, completed: p.completed, failed: p.failed },
      ...(p.errors ? { errors: JSON.parse(p.errors) as string[] } : {}),
    })),
    texts: { total: c.textsDone + c.textsLeft, done: c.textsDone, left: c.textsLeft },
    requests: { total: c.requests, done: c.done, failed: c.failed, pending: c.pending },
    tokens: { total: job.tokens, done: c.tokensDone },
    pricePerMillionTokens: price,
    batchCost: price === undefined ? undefined : (job.tokens / 1e6) * price * BATCH_PRICE_FACTOR,
    synchronousCost: price === undefined ? undefined : (job.tokens / 1e6) * price,
    finished: !outstanding,
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
