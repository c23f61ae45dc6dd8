import * as fs from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileSystemError } from "../../src/errors.js";
import { removeTempFiles, writeFileAtomicSync } from "../../src/util/atomic-file.js";
import { AtomicOutput } from "../../src/util/atomic-output.js";
import { fileSystemError } from "../../src/util/fs-error.js";
import { sha256Hex } from "../../src/util/sha256.js";
import { useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir("sentivec-atomic-");
afterEach(() => {
  delete process.env.SENTIVEC_TEST_FAIL_AT;
});

describe("writeFileAtomicSync", () => {
  it("replaces a file whole and returns the sha256 of what it wrote", () => {
    const f = tmp.file("a.bin", "old");
    const bytes = new Uint8Array(100_001).map((_, i) => i % 251);
    expect(writeFileAtomicSync(f, bytes, "a")).toBe(sha256Hex(bytes));
    expect(new Uint8Array(fs.readFileSync(f))).toEqual(bytes);
    expect(fs.readdirSync(tmp.dir).filter((n) => n.startsWith("a.bin"))).toEqual(["a.bin"]);
  });

  for (const step of ["b:write", "b:rename"]) {
    it(`a failure at ${step} leaves the old file and no temp file`, () => {
      const f = tmp.file("b.txt", "the old content");
      process.env.SENTIVEC_TEST_FAIL_AT = `${step}:ENOSPC`;
      expect(() => writeFileAtomicSync(f, "x".repeat(10_000), "b")).toThrow(/ENOSPC/);
      expect(fs.readFileSync(f, "utf8")).toBe("the old content");
      expect(fs.readdirSync(tmp.dir).filter((n) => n.startsWith("b.txt"))).toEqual(["b.txt"]);
    });
  }
});

describe("removeTempFiles", () => {
  it("removes only the temp files of the names given", () => {
    const dir = join(tmp.dir, "cleanup");
    fs.mkdirSync(dir);
    for (const n of ["manifest.json", "manifest.json.tmp-123-abc", "vectors.4.f32.tmp-9-1", "notes.txt", "notes.txt.tmp-1-2", "manifest.json.bak"]) fs.writeFileSync(join(dir, n), "x");
    expect(removeTempFiles(dir, /^(manifest\.json|vectors\.\d+\.f32)$/).sort()).toEqual(["manifest.json.tmp-123-abc", "vectors.4.f32.tmp-9-1"]);
    expect(fs.readdirSync(dir).sort()).toEqual(["manifest.json", "manifest.json.bak", "notes.txt", "notes.txt.tmp-1-2"]);
  });
});

describe("AtomicOutput", () => {
  it("commits a whole file, or on abort leaves the previous one", async () => {
    const f = tmp.file("out.jsonl", "previous\n");
    const a = await AtomicOutput.open(f);
    await a.write("half");
    await a.abort();
    expect(fs.readFileSync(f, "utf8")).toBe("previous\n");
    const b = await AtomicOutput.open(f);
    for (let i = 0; i < 50_000; i++) await b.write(`line ${i} ${"x".repeat(40)}\n`);
    expect(fs.readFileSync(f, "utf8")).toBe("previous\n"); // nothing visible before commit
    await b.commit();
    expect(fs.readFileSync(f, "utf8").split("\n")).toHaveLength(50_001);
    expect(fs.readdirSync(tmp.dir).filter((n) => n.startsWith("out.jsonl"))).toEqual(["out.jsonl"]);
  });

  it("writes a device in place (nothing to rename over /dev/null)", async () => {
    const out = await AtomicOutput.open("/dev/null");
    await out.write("gone\n");
    await out.commit();
    expect(fs.statSync("/dev/null").isCharacterDevice()).toBe(true);
  });
});

describe("fileSystemError", () => {
  it("says what, where and what to do, naming the final file rather than its temp file", () => {
    const cause = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write", path: "/x/m/forest.3.bin.tmp-12-ab" });
    const e = fileSystemError(cause, { action: "save the model bundle", path: "/x/m", unchanged: "The old one is unchanged." }) as FileSystemError;
    expect(e).toBeInstanceOf(FileSystemError);
    expect(e.code).toBe("FS_ENOSPC");
    expect(e.message).toBe("/x/m: Could not save the model bundle: no space left on the device (ENOSPC) at /x/m/forest.3.bin. Free some space or write somewhere else, and run it again. The old one is unchanged.");
  });

  it("passes bugs (errors without an errno code) through unchanged", () => {
    const bug = new TypeError("x is undefined");
    expect(fileSystemError(bug, { action: "a", path: "p" })).toBe(bug);
  });
});
