import * as fs from "node:fs";
import * as path from "node:path";
import type Database from "better-sqlite3";
import { FileSystemError } from "../errors.js";
import { tempPathFor } from "./atomic-file.js";
import { faultPoint } from "./fault-hooks.js";
import { fileSystemError } from "./fs-error.js";
import { loadSqlite } from "./load-sqlite.js";

/**
 * One writer at a time per folder (a model bundle, a vector store), across processes.
 *
 * The lock is an operating-system lock on `<folder>/.sentivec.lock`, taken through SQLite (already a
 * dependency): `BEGIN EXCLUSIVE` on that file holds a POSIX fcntl lock (LockFileEx on Windows) until
 * COMMIT. The kernel drops it the moment its process ends, however it ends, so a killed writer never
 * leaves a stale lock behind: no pid files, no timestamps, no guessing whether a holder is still alive
 * (pid reuse, other containers, a writer whose event loop is busy in a long synchronous save). That is
 * why this is not proper-lockfile (a lock it considers stale after `stale` ms without an mtime refresh,
 * which a multi-second synchronous save would miss) nor a pid file (stale detection races).
 * The lock file stays in the folder between writers; removing it would race with a waiting writer.
 */
export const LOCK_FILE = ".sentivec.lock";

const DEFAULT_TIMEOUT_S = 600;
const POLL_MS = 100;

export interface DirLockOptions {
  /** What the folder holds, for messages: "model bundle", "vector store". */
  what: string;
  /** Give up waiting after this long. Default: $SENTIVEC_LOCK_TIMEOUT seconds, else 600 s. */
  timeoutMs?: number;
  /** Called once when another process holds the lock and this one starts to wait. */
  onWait?: () => void;
}

export interface DirLock {
  readonly file: string;
  /** Releases the lock (idempotent). */
  release(): void;
}

interface Held {
  db: Database.Database;
  count: number;
}

/** Locks this process holds, by lock file: the synchronous store save re-enters a lock its caller took. */
const held = new Map<string, Held>();

/** Waits (asynchronously, polling) for the folder's lock; `dir` must exist. */
export async function lockDir(dir: string, options: DirLockOptions): Promise<DirLock> {
  const file = prepareLockFile(dir, options);
  const db = openLock(file, dir, options, 0);
  const deadline = Date.now() + timeoutMs(options);
  let waiting = false;
  try {
    while (!tryBegin(db, file, dir, options)) {
      if (!waiting) options.onWait?.();
      waiting = true;
      if (Date.now() >= deadline) throw timedOut(dir, options);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return acquired(file, { db, count: 1 });
}

/**
 * The same, blocking: for synchronous saves. If this process already holds the folder's lock (its
 * caller took it with lockDir around a read-modify-write), the lock is re-entered instead.
 */
export function lockDirSync(dir: string, options: DirLockOptions): DirLock {
  const file = prepareLockFile(dir, options);
  const mine = held.get(file);
  if (mine) {
    mine.count++;
    return handle(file, mine);
  }
  const ms = timeoutMs(options);
  const db = openLock(file, dir, options, Math.min(ms, 0x7fffffff));
  try {
    if (!tryBegin(db, file, dir, options)) throw timedOut(dir, options);
  } catch (error) {
    db.close();
    throw error;
  }
  return acquired(file, { db, count: 1 });
}

/** Whether this process holds the folder's lock. */
export function holdsDirLock(dir: string): boolean {
  try {
    return held.has(path.join(fs.realpathSync(dir), LOCK_FILE));
  } catch {
    return false;
  }
}

function acquired(file: string, h: Held): DirLock {
  held.set(file, h);
  faultPoint("lock:acquired", file);
  return handle(file, h);
}

function handle(file: string, h: Held): DirLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      if (--h.count > 0) return;
      held.delete(file);
      try {
        h.db.exec("COMMIT");
      } finally {
        h.db.close();
      }
    },
  };
}

/**
 * Resolves the lock file's path and makes sure it can be created, so a read-only or unwritable folder
 * fails here with the system's own reason. Never opens an existing lock file with fs: closing any
 * descriptor of a file drops every fcntl lock this process holds on it.
 */
function prepareLockFile(dir: string, options: DirLockOptions): string {
  try {
    const file = path.join(fs.realpathSync(dir), LOCK_FILE);
    fs.accessSync(path.dirname(file), fs.constants.W_OK);
    if (!fs.existsSync(file)) createLockFile(file);
    return file;
  } catch (cause) {
    throw fileSystemError(sqliteToErrno(cause), { action: `lock the ${options.what} for writing`, path: dir, unchanged: "Nothing was changed." });
  }
}

/**
 * Creates the lock file already initialised as an (empty) SQLite database, so that locking never
 * writes to it afterwards (an uninitialised one gets a journal and a header on first use, which
 * would fail on a full disk). Initialised beside, then linked into place: link fails if a lock file
 * appeared meanwhile, and never replaces one another process may hold.
 */
function createLockFile(file: string): void {
  const tmp = tempPathFor(file);
  try {
    const db = new (loadSqlite())(tmp);
    try {
      db.exec("BEGIN EXCLUSIVE; COMMIT");
    } finally {
      db.close();
    }
    fs.linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(`${tmp}-journal`, { force: true });
  }
}

/** SQLite reports a full disk as SQLITE_FULL; give it the errno a file write would have had. */
function sqliteToErrno(cause: unknown): unknown {
  const code = (cause as { code?: string }).code;
  if (code === "SQLITE_FULL") return Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC", syscall: "write" });
  if (code === "SQLITE_READONLY") return Object.assign(new Error("EROFS: read-only file system"), { code: "EROFS", syscall: "open" });
  return cause;
}

function openLock(file: string, dir: string, options: DirLockOptions, busyMs: number): Database.Database {
  try {
    return new (loadSqlite())(file, { timeout: busyMs, fileMustExist: true });
  } catch (cause) {
    throw lockFailed(file, dir, options, cause);
  }
}

/** True if the lock was taken; false if another process holds it. */
function tryBegin(db: Database.Database, file: string, dir: string, options: DirLockOptions): boolean {
  try {
    db.exec("BEGIN EXCLUSIVE");
    return true;
  } catch (cause) {
    if ((cause as { code?: string }).code === "SQLITE_BUSY") return false;
    throw lockFailed(file, dir, options, cause);
  }
}

function lockFailed(file: string, dir: string, options: DirLockOptions, cause: unknown): FileSystemError {
  const code = (cause as { code?: string }).code;
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new FileSystemError("LOCK_FILE_DAMAGED", `The lock file ${LOCK_FILE} holds something else than a sentivec lock.`, {
      where: { file },
      hint: `Delete it (no other sentivec process must be writing ${dir}) and run this again; nothing was changed.`,
      cause,
    });
  }
  const errno = sqliteToErrno(cause);
  if (errno !== cause) return fileSystemError(errno, { action: `lock the ${options.what} for writing`, path: dir, unchanged: "Nothing was changed." }) as FileSystemError;
  return new FileSystemError("LOCK_FAILED", `Could not lock the ${options.what} for writing: ${(cause as Error).message}.`, {
    where: { file },
    hint: "Check the folder is on a local, writable disk; nothing was changed.",
    cause,
  });
}

function timedOut(dir: string, options: DirLockOptions): FileSystemError {
  const s = Math.round(timeoutMs(options) / 1000);
  return new FileSystemError("LOCK_TIMEOUT", `Another sentivec process is writing this ${options.what}, and it was still at it after ${s} s.`, {
    where: { file: dir },
    hint: "Run this again when it has finished (or set SENTIVEC_LOCK_TIMEOUT=<seconds> to wait longer); nothing was changed.",
  });
}

function timeoutMs(options: DirLockOptions): number {
  if (options.timeoutMs !== undefined) return options.timeoutMs;
  const env = Number(process.env.SENTIVEC_LOCK_TIMEOUT);
  return (process.env.SENTIVEC_LOCK_TIMEOUT && Number.isFinite(env) && env >= 0 ? env : DEFAULT_TIMEOUT_S) * 1000;
}
