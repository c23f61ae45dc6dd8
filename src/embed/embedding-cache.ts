import type Database from "better-sqlite3";
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { EmbeddingError } from "../errors.js";
import { loadSqlite } from "../util/load-sqlite.js";

/** SQLite `application_id` of a sentivec cache: "SVEC" in ASCII. Lets us tell our files from others. */
export const CACHE_APPLICATION_ID = 0x53564543;
/** Schema version in `user_version`; bump with a migration when the table changes. */
export const CACHE_SCHEMA_VERSION = 1;

const SQLITE_MAGIC = "SQLite format 3\u0000";

export interface EmbeddingCacheOptions {
  /** How long a writer waits for another process's lock before failing, in ms. Default 30,000. */
  busyTimeoutMs?: number;
  /** Open without creating or writing (for `cache stats`/`export`). Default false. */
  readonly?: boolean;
  /**
   * Called once, the first time vectors are not saved because the file could only be opened read-only
   * (no write permission on it or its folder, a read-only file system). Default: nothing is said.
   */
  onReadOnlyWrite?: (message: string) => void;
}

export interface CacheEntry {
  sha: string;
  vector: Float32Array;
}

export interface CacheStats {
  path: string;
  /** Bytes of the database file plus its WAL. */
  bytes: number;
  total: number;
  byEmbedder: { embedderId: string; dimensions: number; count: number }[];
}

export interface CacheExportRow {
  id: string;
  sha: string;
  vector: number[];
}

/**
 * Persistent embedding cache: one SQLite file, rows keyed by (embedder id, sha256 of the text), the
 * vector as a little-endian Float32 blob. The embedder id (provider, model, dimensions) namespaces
 * rows, so vectors from different models or sizes never mix.
 *
 * WAL mode lets readers run while another process writes, and busy_timeout makes a second writer wait
 * for the lock instead of failing, so two sentivec processes can share one cache. Every write is one
 * short IMMEDIATE transaction per response: a crash loses at most the response in flight.
 *
 * A file that is not SQLite, or SQLite without our application id, is refused with an error and left
 * untouched: the cache never overwrites something it does not recognise.
 *
 * A cache that cannot be written (read-only file, folder or file system) is still read: it is opened
 * read-only, hits are served, and new vectors are not saved (`onReadOnlyWrite` is told once). SQLite
 * cannot open a WAL database read-only when it may not create the `-shm` file beside it, so in that case
 * the file is read into memory as a snapshot (after a clean close, the main file holds every row).
 */
export class EmbeddingCache {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string, string], Buffer>;
  private readonly putStmt: Database.Statement<[string, string, number, Buffer, number]>;
  private readonly putTx: (embedderId: string, entries: CacheEntry[]) => void;

  /** Why the cache is read-only although writing was asked for (undefined when writable, or opened read-only on purpose). */
  readonly readOnlyReason: string | undefined;
  private readonly onReadOnlyWrite: ((message: string) => void) | undefined;
  private toldReadOnly = false;

  constructor(path: string, options: EmbeddingCacheOptions = {}) {
    this.path = resolve(path);
    const exists = checkFileHeader(this.path);
    this.readOnlyReason = exists && !options.readonly ? whyNotWritable(this.path) : undefined;
    this.onReadOnlyWrite = options.onReadOnlyWrite;
    const readonly = (options.readonly ?? false) || this.readOnlyReason !== undefined;
    if (!exists) {
      if (readonly) throw new EmbeddingError("CACHE_MISSING", `No embedding cache at ${this.path}.`, { hint: "Run `sentivec embed` first, or point --cache at an existing file." });
      try {
        mkdirSync(dirname(this.path), { recursive: true });
        accessSync(dirname(this.path), constants.W_OK);
      } catch (e) {
        throw new EmbeddingError("CACHE_OPEN", `Cannot create embedding cache ${this.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} on its folder.`, {
          hint: "Pass --cache with a writable path, or --no-cache.",
        });
      }
    }
    try {
      this.db = readonly ? openReadOnly(this.path) : new (loadSqlite())(this.path);
    } catch (e) {
      if (e instanceof EmbeddingError) throw e;
      throw new EmbeddingError("CACHE_OPEN", `Cannot open embedding cache ${this.path}: ${(e as Error).message}.`, { hint: "Check the path and its permissions." });
    }
    try {
      const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 30_000));
      this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      if (!readonly) this.initSchema(busyTimeoutMs);
      else this.checkSchema();
    } catch (e) {
      this.db.close();
      if (e instanceof EmbeddingError) throw e;
      throw new EmbeddingError("CACHE_CORRUPT", `Embedding cache ${this.path} is unreadable: ${(e as Error).message}.`, {
        hint: "It was left as is. Move it away or pass another --cache path.",
      });
    }
    // pluck(): the blob itself, no row object per hit (this is the warm-cache hot path).
    this.getStmt = this.db.prepare<[string, string], Buffer>("SELECT vector FROM embeddings WHERE embedder_id = ? AND sha = ?").pluck();
    this.putStmt = this.db.prepare(
      // The fetcher writes only texts the cache could not serve, so a conflict is either another
      // process that stored the same text meanwhile (an equally valid vector: rewriting is harmless)
      // or a row the fetcher refused to serve (NaN/Infinity written by a version without the
      // finite-value check). Replacing heals the latter, which would otherwise be paid for on every run.
      "INSERT INTO embeddings (embedder_id, sha, dimensions, vector, created_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (embedder_id, sha) DO UPDATE SET dimensions = excluded.dimensions, vector = excluded.vector, created_at = excluded.created_at",
    );
    const tx = this.db.transaction((embedderId: string, entries: CacheEntry[]) => {
      const now = Date.now();
      for (const e of entries) this.putStmt.run(embedderId, e.sha, e.vector.length, toBlob(e.vector), now);
    });
    // IMMEDIATE takes the write lock up front, so busy_timeout applies instead of a deadlock-style
    // SQLITE_BUSY when two processes both start a transaction as readers and then try to write.
    this.putTx = (id, entries) => tx.immediate(id, entries);
  }

  /** Creates the table in a new file, or verifies an existing one is ours. */
  private initSchema(busyTimeoutMs: number): void {
    // Look before touching anything: switching journal_mode rewrites the header, so a foreign
    // database must be recognised (read-only) first. Both reads come from one snapshot: read apart,
    // another process creating the same new cache could commit between them (id 0, yet one table),
    // and a brand-new cache would be called foreign.
    const looksForeign = this.db.transaction(() => {
      const appId = this.db.pragma("application_id", { simple: true }) as number;
      if (appId === CACHE_APPLICATION_ID) return false;
      const tables = this.db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number };
      return appId !== 0 || tables.n > 0;
    });
    if (looksForeign.deferred()) throw foreign(this.path, "it is a SQLite database of another program");
    // journal_mode is persistent and needs no transaction, but SQLite answers SQLITE_BUSY to the
    // switch at once, without its busy handler, while another process holds the file (measured: 13
    // of 160 processes opening one new cache in pairs failed so). So it is retried here, in the
    // busy timeout's spirit.
    retryWhileBusy(() => this.db.pragma("journal_mode = WAL"), busyTimeoutMs);
    this.db.pragma("synchronous = NORMAL");
    const init = this.db.transaction(() => {
      const appId = this.db.pragma("application_id", { simple: true }) as number;
      if (appId === 0) {
        const tables = this.db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number };
        if (tables.n > 0) throw foreign(this.path, "it is a SQLite database of another program");
        this.db.exec(`
          CREATE TABLE embeddings (
            embedder_id TEXT NOT NULL,
            sha TEXT NOT NULL,
            dimensions INTEGER NOT NULL,
            vector BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            UNIQUE (embedder_id, sha)
          );
        `);
        // A rowid table with a unique index, not WITHOUT ROWID: rows carry a 1-12 KB blob, and
        // SQLite's own advice (and our measurement: 4x slower puts and gets) is that WITHOUT ROWID
        // only suits small rows. The index keeps lookups to the key columns.
        this.db.pragma(`application_id = ${CACHE_APPLICATION_ID}`);
        this.db.pragma(`user_version = ${CACHE_SCHEMA_VERSION}`);
      } else {
        this.checkSchema();
      }
    });
    // Two processes creating the same new file: IMMEDIATE serialises them, the second sees our id.
    init.immediate();
  }

  private checkSchema(): void {
    const appId = this.db.pragma("application_id", { simple: true }) as number;
    if (appId !== CACHE_APPLICATION_ID) throw foreign(this.path, "it is a SQLite database of another program");
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > CACHE_SCHEMA_VERSION) {
      throw new EmbeddingError("CACHE_TOO_NEW", `Embedding cache ${this.path} has schema version ${version}; this sentivec reads up to ${CACHE_SCHEMA_VERSION}.`, {
        hint: "Upgrade sentivec or use another --cache path.",
      });
    }
  }

  /** Looks up many texts at once; the map holds only the hits. */
  getMany(embedderId: string, shas: readonly string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    // One read transaction: a consistent snapshot, and one lock round-trip instead of N.
    this.db.transaction(() => {
      for (const sha of shas) {
        const blob = this.getStmt.get(embedderId, sha);
        if (blob) out.set(sha, fromBlob(blob));
      }
    })();
    return out;
  }

  get(embedderId: string, sha: string): Float32Array | undefined {
    const blob = this.getStmt.get(embedderId, sha);
    return blob ? fromBlob(blob) : undefined;
  }

  /** Stores one response's vectors in a single transaction (skipped, and said once, when the file is read-only). */
  putMany(embedderId: string, entries: CacheEntry[]): void {
    if (!entries.length) return;
    if (this.readOnlyReason !== undefined) {
      if (!this.toldReadOnly) {
        this.toldReadOnly = true;
        this.onReadOnlyWrite?.(`Embedding cache ${this.path} is read-only (${this.readOnlyReason}): it is read, but new vectors are not saved.`);
      }
      return;
    }
    this.putTx(embedderId, entries);
  }

  stats(): CacheStats {
    const rows = this.db
      .prepare("SELECT embedder_id AS embedderId, dimensions, count(*) AS count FROM embeddings GROUP BY embedder_id, dimensions ORDER BY embedder_id")
      .all() as CacheStats["byEmbedder"];
    let bytes = 0;
    for (const f of [this.path, `${this.path}-wal`]) {
      try {
        bytes += statSync(f).size;
      } catch {
        // no WAL file right now: nothing to add
      }
    }
    return { path: this.path, bytes, total: rows.reduce((s, r) => s + r.count, 0), byEmbedder: rows };
  }

  /** Deletes every row, or only one embedder's. Returns how many were removed. */
  clear(embedderId?: string): number {
    if (this.readOnlyReason !== undefined || this.db.readonly) {
      throw new EmbeddingError("CACHE_READONLY", `Embedding cache ${this.path} is read-only${this.readOnlyReason ? ` (${this.readOnlyReason})` : ""}; nothing was removed.`, {
        hint: "Clear it where you have write access to the file and its folder.",
      });
    }
    const info =
      embedderId === undefined
        ? this.db.prepare("DELETE FROM embeddings").run()
        : this.db.prepare("DELETE FROM embeddings WHERE embedder_id = ?").run(embedderId);
    return info.changes;
  }

  /** Streams rows for export (JSONL in the CLI), optionally for one embedder only. */
  *export(embedderId?: string): IterableIterator<CacheExportRow> {
    const stmt =
      embedderId === undefined
        ? this.db.prepare("SELECT embedder_id AS id, sha, vector FROM embeddings ORDER BY embedder_id, sha")
        : this.db.prepare("SELECT embedder_id AS id, sha, vector FROM embeddings WHERE embedder_id = ? ORDER BY sha");
    const it = (embedderId === undefined ? stmt.iterate() : stmt.iterate(embedderId)) as IterableIterator<{ id: string; sha: string; vector: Buffer }>;
    for (const row of it) yield { id: row.id, sha: row.sha, vector: Array.from(fromBlob(row.vector)) };
  }

  /**
   * The open database, for modules that keep their own tables beside the vectors (batch jobs, see
   * embed/batch/batch-job-store.ts) and must write them in one transaction with putMany.
   */
  get database(): Database.Database {
    return this.db;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Runs `f`, again and again while SQLite answers SQLITE_BUSY, for up to `timeoutMs`. */
function retryWhileBusy<T>(f: () => T, timeoutMs: number): T {
  const end = Date.now() + timeoutMs;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      return f();
    } catch (e) {
      if ((e as { code?: string }).code !== "SQLITE_BUSY" || Date.now() >= end) throw e;
    }
    // A synchronous sleep: the constructor is synchronous, and a spin would steal the other
    // process's CPU on a 2-core machine.
    Atomics.wait(sleeper, 0, 0, wait);
  }
}

/** Why sentivec may not write the cache file or create its journal files beside it; undefined when it may. */
function whyNotWritable(path: string): string | undefined {
  for (const [target, what] of [
    [path, "the file"],
    [dirname(path), "its folder"],
  ] as const) {
    try {
      accessSync(target, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === "EROFS" ? "read-only file system" : `no write permission on ${what}`;
    }
  }
  return undefined;
}

/**
 * Opens an existing cache without writing. SQLite reads a WAL database read-only only if it can use
 * or create the `-shm` file beside it; in a read-only folder it cannot, so the file is then loaded into
 * memory instead. That snapshot is complete unless a `-wal` file still holds rows not yet copied into
 * the main file (a writer was killed), which a reader may not replay: that case is refused clearly.
 */
function openReadOnly(path: string): Database.Database {
  const db = new (loadSqlite())(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma("application_id", { simple: true });
    return db;
  } catch (e) {
    db.close();
    const code = (e as { code?: string }).code ?? "";
    if (!/^SQLITE_(READONLY|CANTOPEN)/.test(code)) throw e;
  }
  let walBytes = 0;
  try {
    walBytes = statSync(`${path}-wal`).size;
  } catch {
    // no WAL file: the main file is complete
  }
  if (walBytes > 0) {
    throw new EmbeddingError("CACHE_OPEN", `Embedding cache ${path} is read-only and its ${path}-wal file holds rows not yet merged into it.`, {
      hint: "Run any sentivec command on it once with write access to its folder, or copy both files somewhere writable.",
    });
  }
  const bytes = readFileSync(path);
  // Header bytes 18-19 = 2 mark WAL mode, which an in-memory copy cannot use; 1 is the rollback journal.
  bytes[18] = 1;
  bytes[19] = 1;
  return new (loadSqlite())(bytes, { readonly: true });
}

/**
 * Returns false when there is nothing at `path` yet (or an empty file, which SQLite treats as a new
 * database). Throws when the file exists but does not start with SQLite's magic header: checked
 * before SQLite touches it, so a stray file is never turned into a database.
 */
function checkFileHeader(path: string): boolean {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new EmbeddingError("CACHE_NOT_FILE", `Embedding cache path ${path} is a directory.`, { hint: "Pass a file path, e.g. .sentivec/cache.sqlite." });
    size = st.size;
  } catch (e) {
    if (e instanceof EmbeddingError) throw e;
    return false;
  }
  if (size === 0) return false;
  const head = Buffer.alloc(16);
  const fd = openSync(path, "r");
  let n: number;
  try {
    n = readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 16 || head.toString("latin1") !== SQLITE_MAGIC) throw foreign(path, "it is not a SQLite database (corrupt, or some other file)");
  return true;
}

function foreign(path: string, why: string): EmbeddingError {
  return new EmbeddingError("CACHE_FOREIGN", `${path} is not a sentivec embedding cache: ${why}.`, {
    hint: "It was left untouched. Move it away or pass another --cache path (or SENTIVEC_CACHE).",
  });
}

function toBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * The blob as a Float32Array: a view on the Buffer when it is 4-byte aligned (better-sqlite3 gives
 * each blob its own allocation, so in practice always), else an aligned copy.
 */
function fromBlob(b: Buffer): Float32Array {
  if (b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
