import * as fs from "node:fs";
import * as path from "node:path";
import { syncDirSync, tempPathFor } from "./atomic-file.js";
import { faultPoint } from "./fault-hooks.js";

/** Flush to the file in 1 MiB writes. */
const FLUSH_BYTES = 1 << 20;

/**
 * A text file written piece by piece and committed at the end, for outputs too big to build in memory
 * (`embed --out`, `cache export --out`). Pieces go to a temp file beside the target; commit() fsyncs it
 * and renames it into place, so the target holds the old content or the whole new one, never half,
 * whatever fails on the way (a full disk, a kill); abort() removes the temp file. An existing device
 * or pipe (/dev/stdout, a fifo) is written in place instead: there is nothing to replace atomically.
 * Errors are rejections of write/commit (no stream 'error' events to go uncaught).
 */
export class AtomicOutput {
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushed = false;

  private constructor(
    readonly file: string,
    private readonly fh: fs.promises.FileHandle,
    private readonly tmp: string | undefined,
  ) {}

  static async open(file: string): Promise<AtomicOutput> {
    let special = false;
    try {
      special = !fs.statSync(file).isFile();
    } catch {
      // does not exist yet: a regular file
    }
    const tmp = special ? undefined : tempPathFor(file);
    return new AtomicOutput(file, await fs.promises.open(tmp ?? file, "w"), tmp);
  }

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  async commit(): Promise<void> {
    try {
      await this.flush();
      if (this.tmp) {
        await this.fh.sync();
        await this.fh.close();
        faultPoint("out:rename", this.file);
        fs.renameSync(this.tmp, this.file);
        syncDirSync(path.dirname(this.file));
      } else {
        await this.fh.close();
      }
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Drops what was written (idempotent; never throws). */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => {});
    if (this.tmp) fs.rmSync(this.tmp, { force: true });
  }

  private async flush(): Promise<void> {
    const text = this.pending.join("");
    this.pending = [];
    this.pendingBytes = 0;
    if (text.length > 0) await this.fh.writeFile(text);
    if (!this.flushed) {
      this.flushed = true;
      faultPoint("out:write", this.file);
    }
  }
}
