import * as fs from "node:fs";

/**
 * Test-only fault injection for the save paths, so tests can kill a save or make the disk "full" at a
 * chosen step, for real, in a child process. Harmless in normal use: each call is one environment
 * lookup, and nothing happens unless one of these variables is set:
 *
 *   SENTIVEC_TEST_KILL_AT=<step>          SIGKILL this process when it reaches <step>
 *   SENTIVEC_TEST_FAIL_AT=<step>:<ERRNO>  throw the errno error a real system call would (ENOSPC, EROFS,
 *                                         EIO, ...) at <step>
 *   SENTIVEC_TEST_PAUSE_AT=<step>:<file>  the first time <step> is reached, create <file> and wait until
 *                                         something deletes it (lets a test act while, say, a writer
 *                                         holds its lock, or a reader is between two reads)
 *
 * Steps: for each file written atomically, `<name>:write` (half the bytes are in the temp file),
 * `<name>:rename` (temp complete and fsynced, not yet renamed) and `<name>:renamed` (in place); names are
 * `forest`, `model.json` (bundles), `vectors`, `manifest` (stores), `lance-manifest` (lance: stores), `out`
 * (embed/cache export --out); `lance:commit` (a lance: store is about to commit rows to its table).
 * Also `lock:acquired` (a writer holds a folder's lock), `bundle:switched` / `store:switched` (the new
 * manifest is in place, old files not yet removed), and on the reading side `bundle:manifest-read` /
 * `store:manifest-read` (a reader has the manifest and is about to read the file it names).
 */
export function faultPoint(step: string, path?: string): void {
  const env = process.env;
  if (env.SENTIVEC_TEST_KILL_AT === undefined && env.SENTIVEC_TEST_FAIL_AT === undefined && env.SENTIVEC_TEST_PAUSE_AT === undefined) return;
  if (env.SENTIVEC_TEST_KILL_AT === step) process.kill(process.pid, "SIGKILL");
  const fail = env.SENTIVEC_TEST_FAIL_AT;
  if (fail !== undefined && fail.slice(0, fail.lastIndexOf(":")) === step) {
    const code = fail.slice(fail.lastIndexOf(":") + 1);
    const error = new Error(`${code}: injected by SENTIVEC_TEST_FAIL_AT, write '${path ?? step}'`) as NodeJS.ErrnoException;
    error.code = code;
    error.syscall = "write";
    if (path !== undefined) error.path = path;
    throw error;
  }
  const pause = env.SENTIVEC_TEST_PAUSE_AT;
  if (pause !== undefined && pause.startsWith(`${step}:`) && !paused.has(step)) {
    paused.add(step);
    const flag = pause.slice(step.length + 1);
    fs.writeFileSync(flag, String(process.pid));
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    while (fs.existsSync(flag)) Atomics.wait(sleeper, 0, 0, 20);
  }
}

/** Steps already paused at: a pause happens once per process (a retried read passes the step again). */
const paused = new Set<string>();
