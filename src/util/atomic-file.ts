import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { faultPoint } from "./fault-hooks.js";

/**
 * Crash-safe file writes, shared by the model bundle, the vector store and the CLI's --out files.
 *
 * A file is written to a temp file beside its final name (same folder, so same file system), fsynced,
 * renamed over the final name, and the folder fsynced so the rename itself survives a power cut. A
 * reader therefore sees the old file or the new one, never a mix; a kill or a full disk at any moment
 * leaves at worst a `<name>.tmp-*` file, which the next save removes (removeTempFiles, under the lock).
 */

/** Marks temp files: `<final name>.tmp-<pid>-<random>`. */
export const TEMP_MARK = ".tmp-";

/** Write and hash in 64 MiB slices: big enough to stream at disk speed, small enough to hash while hot in cache. */
const CHUNK = 64 * 1024 * 1024;

/** A fresh temp path beside `file`. */
export function tempPathFor(file: string): string {
  return `${file}${TEMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * Writes `data` to `file` atomically and durably (temp beside, fsync, rename, fsync folder). `step`
 * names the file for the test fault hooks (see fault-hooks.ts). Returns the sha256 (hex) of the bytes.
 */
export function writeFileAtomicSync(file: string, data: Uint8Array | string, step = "file"): string {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const tmp = tempPathFor(file);
  try {
    const sha256 = writeFileDurablySync(tmp, bytes, step);
    faultPoint(`${step}:rename`, file);
    fs.renameSync(tmp, file);
    faultPoint(`${step}:renamed`, file);
    syncDirSync(path.dirname(file));
    return sha256;
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/** Writes bytes to a new file and fsyncs it; returns their sha256 (hex), computed while writing. */
export function writeFileDurablySync(file: string, bytes: Uint8Array, step = "file"): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(file, "w");
  try {
    let done = 0;
    const half = bytes.byteLength >> 1;
    while (done < bytes.byteLength) {
      // The fault hook fires with half the bytes written, as a disk that fills up mid-file would.
      const end = done < half ? Math.min(half, done + CHUNK) : Math.min(bytes.byteLength, done + CHUNK);
      const n = fs.writeSync(fd, bytes, done, end - done);
      hash.update(bytes.subarray(done, done + n));
      done += n;
      if (done === half || (half === 0 && done === bytes.byteLength)) faultPoint(`${step}:write`, file);
    }
    if (bytes.byteLength === 0) faultPoint(`${step}:write`, file);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

/**
 * fsyncs a folder so the renames in it are durable (POSIX). Some systems cannot fsync a folder
 * (Windows, some network file systems: EISDIR, EINVAL, EPERM...): skipped there; a real I/O error is thrown.
 */
export function syncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EIO" || code === "ENOSPC" || code === "EDQUOT") throw error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Removes temp files a killed save left in `dir` (`<name>.tmp-*` for the given final names). Call it
 * only while holding the folder's lock: then no live writer owns any of them.
 */
export function removeTempFiles(dir: string, finalName: RegExp): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const mark = name.indexOf(TEMP_MARK);
    if (mark > 0 && finalName.test(name.slice(0, mark))) {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}
