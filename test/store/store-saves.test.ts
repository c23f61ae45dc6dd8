// Vector store saves (issue 10, items 2, 9, 13): under the folder's lock, temp files of killed saves
// cleaned up, a checksummed manifest. Concurrent and killed CLI runs are in test/reliability/saves.test.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileSystemError } from "../../src/errors.js";
import { StoreError } from "../../src/store/store-error.js";
import { storeManifestChecksum } from "../../src/store/store-files.js";
import { VectorStore } from "../../src/store/vector-store.js";
import { runTsx, waitFor } from "../support/run-child.js";
import { useTempDir } from "../support/temp-dir.js";
import { randomVectors } from "./helpers.js";

const tmp = useTempDir("sentivec-store-saves-");
afterEach(() => {
  delete process.env.SENTIVEC_TEST_FAIL_AT;
  delete process.env.SENTIVEC_LOCK_TIMEOUT;
});

function sample(n: number, seed = 1): VectorStore {
  const store = new VectorStore({ embedderId: "test:random@16", dimensions: 16 });
  randomVectors(n, 16, seed).forEach((vector, i) => store.add({ id: `doc-${i}`, vector, label: i % 2 ? "positive" : "negative", metadata: { i } }));
  return store;
}

function dirFor(name: string): string {
  return path.join(tmp.dir, name);
}

describe("store saves", () => {
  it("the next save removes the temp files killed saves left, and nothing else", () => {
    const dir = dirFor("leftovers");
    sample(20).save(dir);
    const leftovers = ["manifest.json.tmp-4242-0a1b2c3d", "vectors.2.f32.tmp-4242-0a1b2c3d", "manifest.json.tmp-77-1"];
    for (const n of leftovers) fs.writeFileSync(path.join(dir, n), "half");
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
    sample(30).save(dir);
    expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "manifest.json", "notes.txt", "vectors.2.f32"]);
    expect(VectorStore.loadSync(dir).size).toBe(30);
  });

  for (const step of ["vectors:write", "vectors:renamed", "manifest:write", "manifest:rename"]) {
    it(`ENOSPC at ${step}: one FileSystemError, the previous save loads, no new files left`, () => {
      const dir = dirFor(`fail-${step.replace(":", "-")}`);
      sample(20).save(dir);
      process.env.SENTIVEC_TEST_FAIL_AT = `${step}:ENOSPC`;
      const err = (() => {
        try {
          sample(40, 2).save(dir);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(FileSystemError);
      expect(err!.message).toMatch(/Could not save the vector store: no space left on the device \(ENOSPC\).*The previous save, if any, is intact\.$/);
      delete process.env.SENTIVEC_TEST_FAIL_AT;
      expect(VectorStore.loadSync(dir).size).toBe(20);
      expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "manifest.json", "vectors.1.f32"]);
    });
  }

  it("a folder whose manifest.json another program wrote is refused, and the file kept", () => {
    const dir = dirFor("web-app");
    fs.mkdirSync(dir);
    const theirs = JSON.stringify({ name: "My App", start_url: "/", icons: [] });
    fs.writeFileSync(path.join(dir, "manifest.json"), theirs);
    expect(() => sample(5).save(dir)).toThrow(/web-app\/manifest\.json: This file is not part of a sentivec vector store, and saving here would replace it/);
    expect(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).toBe(theirs);
    expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "manifest.json"]);
    // A truncated manifest of our own (a crash, an edit) is still ours to replace.
    fs.writeFileSync(path.join(dir, "manifest.json"), '{"format":"sentivec-vec');
    sample(5).save(dir);
    expect(VectorStore.loadSync(dir).size).toBe(5);
  });

  it("a save waits for another process's lock and fails clearly when it is not released in time", async () => {
    const dir = dirFor("locked");
    sample(10).save(dir);
    const flag = path.join(tmp.dir, "locked.flag");
    fs.writeFileSync(flag, "");
    const holder = runTsx(path.join(__dirname, "..", "util", "lock-child.ts"), [dir, flag]);
    try {
      await waitFor(() => holder.stdout().includes("locked"), 60_000, "the child to take the lock");
      process.env.SENTIVEC_LOCK_TIMEOUT = "0.3";
      expect(() => sample(11).save(dir)).toThrow(/Another sentivec process is writing this vector store/);
      expect(VectorStore.loadSync(dir).size).toBe(10);
      fs.rmSync(flag); // the holder releases
      expect(await holder.exited).toBe(0);
      sample(11).save(dir);
      expect(VectorStore.loadSync(dir).size).toBe(11);
    } finally {
      holder.child.kill("SIGKILL");
    }
  });
});

describe("the store manifest checksum", () => {
  function saved(name: string): { dir: string; file: string; manifest: Record<string, any> } {
    const dir = dirFor(name);
    sample(20).save(dir);
    const file = path.join(dir, "manifest.json");
    return { dir, file, manifest: JSON.parse(fs.readFileSync(file, "utf8")) };
  }

  for (const [what, edit] of [
    ["two labels swapped", (m: Record<string, any>) => ([m.labels[0], m.labels[1]] = [m.labels[1], m.labels[0]])],
    ["an id renamed", (m: Record<string, any>) => (m.ids[3] = "someone-else")],
    ["metadata edited", (m: Record<string, any>) => (m.metadata[0] = { i: 99 })],
    ["the embedder id edited", (m: Record<string, any>) => (m.embedderId = "test:other@16")],
  ] as const) {
    it(`${what}: STORE_MANIFEST_EDITED`, () => {
      const { dir, file, manifest } = saved(what.replace(/ /g, "-"));
      edit(manifest);
      fs.writeFileSync(file, JSON.stringify(manifest));
      const err = (() => {
        try {
          VectorStore.loadSync(dir);
        } catch (e) {
          return e as StoreError;
        }
      })();
      expect(err).toBeInstanceOf(StoreError);
      expect(err!.code).toBe("STORE_MANIFEST_EDITED");
      expect(err!.message).toMatch(/manifest\.json: The store manifest was changed after it was saved/);
    });
  }

  it("savedAt is not covered (it decides nothing), and a re-signed manifest loads", () => {
    const { dir, file, manifest } = saved("resigned");
    manifest.savedAt = "2000-01-01T00:00:00.000Z";
    fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
    expect(VectorStore.loadSync(dir).size).toBe(20);
    manifest.labels[0] = "neutral";
    manifest.checksum = storeManifestChecksum(manifest as never);
    fs.writeFileSync(file, JSON.stringify(manifest));
    expect(VectorStore.loadSync(dir).get("doc-0")!.label).toBe("neutral");
  });

  it("a format-1 store (no checksum) still loads; its next save is format 2", () => {
    const { dir, file, manifest } = saved("v1");
    delete manifest.checksum;
    manifest.formatVersion = 1;
    fs.writeFileSync(file, JSON.stringify(manifest));
    const store = VectorStore.loadSync(dir);
    expect(store.size).toBe(20);
    store.save(dir);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({ formatVersion: 2, checksum: expect.any(String) });
  });
});
