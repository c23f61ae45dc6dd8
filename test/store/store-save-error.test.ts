import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/store/store-error.js";
import { storeSaveError } from "../../src/store/store-save-error.js";
import { FileSystemError } from "../../src/errors.js";

const context = { code: "STORE_INDEX_SAVE", what: "approximate index", dir: "/data/store", unchanged: "The store and any previous index are intact." };

describe("storeSaveError", () => {
  it("passes sentivec's own errors through unchanged", () => {
    const own = new StoreError("STORE_LOCKED", "locked");
    expect(storeSaveError(own, context)).toBe(own);
  });

  it("turns a full disk into one line that names the file, what to do and what is intact", () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write", path: "/data/store/ann-index.3.usearch" });
    const e = storeSaveError(enospc, context) as FileSystemError;
    expect(e).toBeInstanceOf(FileSystemError);
    expect(e.message).toMatch(/^\/data\/store: Could not save the approximate index: no space left on the device \(ENOSPC\) at \/data\/store\/ann-index\.3\.usearch\./);
    expect(e.message).toMatch(/The store and any previous index are intact\.$/);
  });

  it("wraps a library's plain Error (usearch's failed write) in a StoreError with the caller's code", () => {
    const e = storeSaveError(new Error("Failed to write the index"), context) as StoreError;
    expect(e).toBeInstanceOf(StoreError);
    expect(e.code).toBe("STORE_INDEX_SAVE");
    expect(e.message).toMatch(/^\/data\/store: Could not save the approximate index: Failed to write the index\./);
    expect(e.message).toMatch(/Check the folder is writable and the disk has room\. The store and any previous index are intact\.$/);
  });
});
