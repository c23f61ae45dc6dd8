import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** A fresh temp folder removed after the test file; `file(name, content)` writes into it and returns the path. */
export function useTempDir(prefix = "sentivec-test-"): { dir: string; file: (name: string, content: string | Uint8Array) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}

/** The repository root (tests run with it as the working directory). */
export const ROOT = process.cwd();
export const DATASETS = join(ROOT, "datasets");
