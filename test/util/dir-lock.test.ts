import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileSystemError } from "../../src/errors.js";
import { holdsDirLock, LOCK_FILE, lockDir, lockDirSync } from "../../src/util/dir-lock.js";
import { runTsx, waitFor } from "../support/run-child.js";
import { useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir("sentivec-lock-");
const child = join(__dirname, "lock-child.ts");

function folder(name: string): string {
  const dir = join(tmp.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe("lockDir", () => {
  it("excludes a second writer in the same process until released, and tells it that it waits", async () => {
    const dir = folder("same-process");
    const first = await lockDir(dir, { what: "test folder" });
    expect(holdsDirLock(dir)).toBe(true);
    let waited = 0;
    const err = await lockDir(dir, { what: "test folder", timeoutMs: 250, onWait: () => waited++ }).catch((e) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect(err.code).toBe("LOCK_TIMEOUT");
    expect(err.message).toMatch(/Another sentivec process is writing this test folder/);
    expect(waited).toBe(1);
    first.release();
    first.release(); // idempotent
    expect(holdsDirLock(dir)).toBe(false);
    (await lockDir(dir, { what: "test folder", timeoutMs: 250 })).release();
  });

  it("a waiting writer gets the lock when the holder releases it", async () => {
    const dir = folder("handover");
    const first = await lockDir(dir, { what: "test folder" });
    const order: string[] = [];
    const second = lockDir(dir, { what: "test folder", timeoutMs: 30_000 }).then((l) => {
      order.push("second");
      return l;
    });
    await new Promise((r) => setTimeout(r, 150));
    order.push("first released");
    first.release();
    (await second).release();
    expect(order).toEqual(["first released", "second"]);
  });

  it("lockDirSync re-enters a lock its own process holds (the store save inside `store add`)", async () => {
    const dir = folder("reentrant");
    const outer = await lockDir(dir, { what: "test folder" });
    const inner = lockDirSync(dir, { what: "test folder", timeoutMs: 100 });
    inner.release();
    expect(holdsDirLock(dir)).toBe(true);
    outer.release();
    expect(holdsDirLock(dir)).toBe(false);
  });

  it("another process's lock blocks; the moment that process is killed, the lock is free (no stale lock)", async () => {
    const dir = folder("killed-holder");
    const holder = runTsx(child, [dir]);
    try {
      await waitFor(() => holder.stdout().includes("locked"), 60_000, "the child to take the lock");
      await expect(lockDir(dir, { what: "test folder", timeoutMs: 300 })).rejects.toThrow(/Another sentivec process is writing this test folder/);
      expect(() => lockDirSync(dir, { what: "test folder", timeoutMs: 300 })).toThrow(/Another sentivec process is writing this test folder/);
      holder.child.kill("SIGKILL");
      expect(await holder.exited).toBe("SIGKILL");
      let waited = false;
      (await lockDir(dir, { what: "test folder", timeoutMs: 10_000, onWait: () => (waited = true) })).release();
      expect(waited).toBe(false);
    } finally {
      holder.child.kill("SIGKILL");
    }
  });

  it("a lock file that is not one (overwritten by hand) is one clear error", async () => {
    const dir = folder("damaged");
    fs.writeFileSync(join(dir, LOCK_FILE), "this is not a lock file, it is text that someone wrote here");
    const err = await lockDir(dir, { what: "vector store" }).catch((e) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect(err.message).toMatch(/\.sentivec\.lock: The lock file \.sentivec\.lock holds something else than a sentivec lock\. Delete it/);
  });

  it("a folder that does not exist or is read-only fails with the system's reason", async () => {
    await expect(lockDir(join(tmp.dir, "missing"), { what: "model bundle" })).rejects.toThrow(/Could not lock the model bundle for writing: no such file or folder \(ENOENT\)/);
  });

  it("locking writes nothing, so it works on a full disk (a real tmpfs)", async (ctx) => {
    const mnt = folder("full-tmpfs");
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], { stdio: "ignore" });
    } catch {
      return ctx.skip("mounting a tmpfs is not permitted here (needs root)");
    }
    try {
      (await lockDir(mnt, { what: "test folder" })).release();
      expect(fs.statSync(join(mnt, LOCK_FILE)).size).toBe(4096); // created initialised
      try {
        fs.writeFileSync(join(mnt, "filler"), Buffer.alloc(1 << 20));
      } catch {
        // full now
      }
      (await lockDir(mnt, { what: "test folder" })).release();
      expect(fs.readdirSync(mnt).sort()).toEqual([LOCK_FILE, "filler"]);
    } finally {
      execFileSync("umount", [mnt]);
    }
  });
});
