import type Database from "better-sqlite3";
import { EmbeddingError } from "../../errors.js";
import type { EmbeddingCache } from "../embedding-cache.js";

/** Version of the batch tables, kept in `batch_schema`; bump with a migration when they change. */
export const BATCH_SCHEMA_VERSION = 1;

/** Where a part (one batch of the job) stands on our side. */
export type PartState =
  /** Planned, nothing sent. */
  | "planned"
  /** About to upload (intent recorded): after a crash, the file may exist at OpenAI under `filename`. */
  | "uploading"
  /** Input file uploaded (`input_file_id` known), batch not yet created (or created and not recorded). */
  | "uploaded"
  /** Batch created (`batch_id` known); `status` follows OpenAI's. */
  | "submitted"
  /** Final status reached and its output and error files read. */
  | "collected";

export type RequestState = "pending" | "done" | "failed";

export interface JobRow {
  id: string;
  embedder_id: string;
  model: string;
  dimensions: number;
  /** `dimensions` sent in each request line (null: not sent). */
  send_dimensions: number | null;
  /** "api.openai.com" or the 8-hex fingerprint of the server's base URL (never the URL). */
  server: string;
  created_at: number;
  texts: number;
  unique_texts: number;
  cached_at_submit: number;
  tokens: number;
  max_enqueued_tokens: number | null;
  cancelled: number;
}

export interface PartRow {
  job_id: string;
  part: number;
  filename: string;
  state: PartState;
  status: string | null;
  input_file_id: string | null;
  batch_id: string | null;
  requests: number;
  inputs: number;
  tokens: number;
  bytes: number;
  output_file_id: string | null;
  error_file_id: string | null;
  output_collected: number;
  error_collected: number;
  total: number;
  completed: number;
  failed: number;
  /** JSON of the batch's validation errors (BatchError list), when it failed. */
  errors: string | null;
  files_deleted: number;
}

export interface RequestRow {
  custom_id: string;
  part: number;
  inputs: number;
  tokens: number;
  state: RequestState;
  error: string | null;
}

export interface JobCounts {
  requests: number;
  done: number;
  failed: number;
  pending: number;
  textsDone: number;
  textsLeft: number;
  tokensDone: number;
}

/**
 * The state of batch jobs, in tables of the embedding cache's own SQLite file, so that `status` and
 * `collect` work from any process on any day and a job's vectors land beside the cache rows in one
 * transaction. Tables (schema version in `batch_schema`):
 *
 *   batch_jobs      one row per job: embedder id, model, size, server identity, counts;
 *   batch_parts     one row per batch: input file name and id, batch id and status, request counts,
 *                   output/error file ids and whether each was read to its end;
 *   batch_requests  one row per custom_id: the batch it is in, its inputs and tokens, done/failed;
 *   batch_texts     the texts of each custom_id in order, with their sha256 (the cache key), so a
 *                   failed or expired request can be sent again without the dataset.
 *
 * Never the API key, and never the server's URL (only its fingerprint, as in embedder ids).
 */
export class BatchJobStore {
  readonly db: Database.Database;

  constructor(readonly cache: EmbeddingCache) {
    this.db = cache.database;
    if (this.db.readonly) {
      throw new EmbeddingError("BATCH_CACHE_READONLY", `Embedding cache ${cache.path} is read-only; batch jobs keep their state in it.`, {
        hint: "Pass --cache with a writable file.",
      });
    }
    this.init();
  }

  private init(): void {
    const tx = this.db.transaction(() => {
      const has = this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'batch_schema'").get() as { n: number };
      if (has.n) {
        const row = this.db.prepare("SELECT version FROM batch_schema").get() as { version: number } | undefined;
        const v = row?.version ?? 0;
        if (v > BATCH_SCHEMA_VERSION) {
          throw new EmbeddingError("BATCH_SCHEMA_TOO_NEW", `Embedding cache ${this.cache.path} holds batch jobs of schema version ${v}; this sentivec reads up to ${BATCH_SCHEMA_VERSION}.`, {
            hint: "Upgrade sentivec to work with these jobs.",
          });
        }
        return;
      }
      this.db.exec(`
        CREATE TABLE batch_schema (version INTEGER NOT NULL);
        INSERT INTO batch_schema (version) VALUES (${BATCH_SCHEMA_VERSION});
        CREATE TABLE batch_jobs (
          id TEXT PRIMARY KEY,
          embedder_id TEXT NOT NULL,
          model TEXT NOT NULL,
          dimensions INTEGER NOT NULL,
          send_dimensions INTEGER,
          server TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          texts INTEGER NOT NULL,
          unique_texts INTEGER NOT NULL,
          cached_at_submit INTEGER NOT NULL,
          tokens INTEGER NOT NULL,
          max_enqueued_tokens INTEGER,
          cancelled INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE batch_parts (
          job_id TEXT NOT NULL,
          part INTEGER NOT NULL,
          filename TEXT NOT NULL,
          state TEXT NOT NULL,
          status TEXT,
          input_file_id TEXT,
          batch_id TEXT,
          requests INTEGER NOT NULL,
          inputs INTEGER NOT NULL,
          tokens INTEGER NOT NULL,
          bytes INTEGER NOT NULL,
          output_file_id TEXT,
          error_file_id TEXT,
          output_collected INTEGER NOT NULL DEFAULT 0,
          error_collected INTEGER NOT NULL DEFAULT 0,
          total INTEGER NOT NULL DEFAULT 0,
          completed INTEGER NOT NULL DEFAULT 0,
          failed INTEGER NOT NULL DEFAULT 0,
          errors TEXT,
          files_deleted INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (job_id, part)
        );
        CREATE TABLE batch_requests (
          job_id TEXT NOT NULL,
          custom_id TEXT NOT NULL,
          part INTEGER NOT NULL,
          inputs INTEGER NOT NULL,
          tokens INTEGER NOT NULL,
          state TEXT NOT NULL,
          error TEXT,
          PRIMARY KEY (job_id, custom_id)
        );
        CREATE INDEX batch_requests_part ON batch_requests (job_id, part);
        CREATE TABLE batch_texts (
          job_id TEXT NOT NULL,
          custom_id TEXT NOT NULL,
          position INTEGER NOT NULL,
          sha TEXT NOT NULL,
          text TEXT NOT NULL,
          PRIMARY KEY (job_id, custom_id, position)
        );
      `);
    });
    tx.immediate();
  }

  /** Runs `fn` in one IMMEDIATE transaction (takes the write lock first, so busy_timeout applies). */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  insertJob(job: JobRow): void {
    this.db
      .prepare(
        "INSERT INTO batch_jobs (id, embedder_id, model, dimensions, send_dimensions, server, created_at, texts, unique_texts, cached_at_submit, tokens, max_enqueued_tokens, cancelled) " +
          "VALUES (@id, @embedder_id, @model, @dimensions, @send_dimensions, @server, @created_at, @texts, @unique_texts, @cached_at_submit, @tokens, @max_enqueued_tokens, @cancelled)",
      )
      .run(job);
  }

  insertPart(p: Pick<PartRow, "job_id" | "part" | "filename" | "requests" | "inputs" | "tokens" | "bytes">): void {
    this.db
      .prepare("INSERT INTO batch_parts (job_id, part, filename, state, requests, inputs, tokens, bytes) VALUES (@job_id, @part, @filename, 'planned', @requests, @inputs, @tokens, @bytes)")
      .run(p);
  }

  insertRequest(jobId: string, r: { custom_id: string; part: number; inputs: number; tokens: number }, texts: { sha: string; text: string }[]): void {
    this.db.prepare("INSERT INTO batch_requests (job_id, custom_id, part, inputs, tokens, state) VALUES (?, ?, ?, ?, ?, 'pending')").run(jobId, r.custom_id, r.part, r.inputs, r.tokens);
    const t = this.db.prepare("INSERT INTO batch_texts (job_id, custom_id, position, sha, text) VALUES (?, ?, ?, ?, ?)");
    texts.forEach((x, i) => t.run(jobId, r.custom_id, i, x.sha, x.text));
  }

  job(id: string): JobRow | undefined {
    return this.db.prepare("SELECT * FROM batch_jobs WHERE id = ?").get(id) as JobRow | undefined;
  }

  jobs(): JobRow[] {
    return this.db.prepare("SELECT * FROM batch_jobs ORDER BY created_at, id").all() as JobRow[];
  }

  parts(jobId: string): PartRow[] {
    return this.db.prepare("SELECT * FROM batch_parts WHERE job_id = ? ORDER BY part").all(jobId) as PartRow[];
  }

  part(jobId: string, part: number): PartRow {
    return this.db.prepare("SELECT * FROM batch_parts WHERE job_id = ? AND part = ?").get(jobId, part) as PartRow;
  }

  updatePart(jobId: string, part: number, fields: Partial<Omit<PartRow, "job_id" | "part">>): void {
    const keys = Object.keys(fields);
    if (!keys.length) return;
    this.db.prepare(`UPDATE batch_parts SET ${keys.map((k) => `${k} = @${k}`).join(", ")} WHERE job_id = @job_id AND part = @part`).run({ ...fields, job_id: jobId, part });
  }

  request(jobId: string, customId: string): RequestRow | undefined {
    return this.db.prepare("SELECT custom_id, part, inputs, tokens, state, error FROM batch_requests WHERE job_id = ? AND custom_id = ?").get(jobId, customId) as RequestRow | undefined;
  }

  requestsOfPart(jobId: string, part: number): RequestRow[] {
    return this.db.prepare("SELECT custom_id, part, inputs, tokens, state, error FROM batch_requests WHERE job_id = ? AND part = ? ORDER BY rowid").all(jobId, part) as RequestRow[];
  }

  failedRequests(jobId: string): RequestRow[] {
    return this.db.prepare("SELECT custom_id, part, inputs, tokens, state, error FROM batch_requests WHERE job_id = ? AND state = 'failed' ORDER BY rowid").all(jobId) as RequestRow[];
  }

  texts(jobId: string, customId: string): { sha: string; text: string }[] {
    return this.db.prepare("SELECT sha, text FROM batch_texts WHERE job_id = ? AND custom_id = ? ORDER BY position").all(jobId, customId) as { sha: string; text: string }[];
  }

  shas(jobId: string, customId: string): string[] {
    return this.db.prepare("SELECT sha FROM batch_texts WHERE job_id = ? AND custom_id = ? ORDER BY position").pluck().all(jobId, customId) as string[];
  }

  setRequest(jobId: string, customId: string, state: RequestState, error: string | null = null): void {
    this.db.prepare("UPDATE batch_requests SET state = ?, error = ? WHERE job_id = ? AND custom_id = ?").run(state, error, jobId, customId);
  }

  moveRequest(jobId: string, customId: string, part: number): void {
    this.db.prepare("UPDATE batch_requests SET part = ?, state = 'pending', error = NULL WHERE job_id = ? AND custom_id = ?").run(part, jobId, customId);
  }

  setCancelled(jobId: string, cancelled: boolean): void {
    this.db.prepare("UPDATE batch_jobs SET cancelled = ? WHERE id = ?").run(cancelled ? 1 : 0, jobId);
  }

  counts(jobId: string): JobCounts {
    const rows = this.db.prepare("SELECT state, count(*) AS n, sum(inputs) AS inputs, sum(tokens) AS tokens FROM batch_requests WHERE job_id = ? GROUP BY state").all(jobId) as {
      state: RequestState;
      n: number;
      inputs: number;
      tokens: number;
    }[];
    const c: JobCounts = { requests: 0, done: 0, failed: 0, pending: 0, textsDone: 0, textsLeft: 0, tokensDone: 0 };
    for (const r of rows) {
      c.requests += r.n;
      c[r.state] += r.n;
      if (r.state === "done") {
        c.textsDone += r.inputs;
        c.tokensDone += r.tokens;
      } else c.textsLeft += r.inputs;
    }
    return c;
  }
}
