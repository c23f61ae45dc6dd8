import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VectorStore } from "../../src/store/vector-store.js";
import { StoreError } from "../../src/store/store-error.js";
import { randomVectors } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), "sentivec-store-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function sample(n = 200, dims = 24, seed = 1): VectorStore {
  const store = new VectorStore({ embedderId: "test:random@24", dimensions: dims });
  randomVectors(n, dims, seed).forEach((vector, i) =>
    store.add({ id: `doc-${i}`, vector, label: i % 4 === 0 ? undefined : i % 2 ? "positive" : "negative", metadata: i % 5 ? { i, tags: ["a", i % 3] } : undefined }),
  );
  return store;
}

function expectSameStore(a: VectorStore, b: VectorStore): void {
  expect(b.size).toBe(a.size);
  expect(b.embedderId).toBe(a.embedderId);
  expect(b.dimensions).toBe(a.dimensions);
  for (const id of a.allIds()) {
    const x = a.get(id)!, y = b.get(id)!;
    expect(y.label).toBe(x.label);
    expect(y.metadata).toEqual(x.metadata);
    expect(Buffer.from(y.vector.buffer, y.vector.byteOffset, y.vector.byteLength).equals(Buffer.from(x.vector.buffer, x.vector.byteOffset, x.vector.byteLength))).toBe(true);
  }
}

describe("save / load", () => {
  it("round-trips exactly (bits, labels, metadata, search results)", () => {
    const store = sample();
    store.remove("doc-3");
    const res = store.save(dir);
    expect(res.generation).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "manifest.json", "vectors.1.f32"]);
    expect(fs.statSync(path.join(dir, "vectors.1.f32")).size).toBe(199 * 24 * 4);
    const loaded = VectorStore.loadSync(dir);
    expectSameStore(store, loaded);
    const q = randomVectors(1, 24, 77)[0];
    expect(loaded.searchVector(q, 10)).toEqual(store.searchVector(q, 10));
    expect(loaded.toTrainingSet).toBeDefined();
  });

  it("async load (overlapped read + checksum) gives the same store and the same errors", async () => {
    const store = sample();
    store.save(dir);
    expectSameStore(store, await VectorStore.load(dir));
    const f = path.join(dir, "vectors.1.f32");
    const bytes = fs.readFileSync(f);
    bytes[77] ^= 1;
    fs.writeFileSync(f, bytes);
    await expect(VectorStore.load(dir)).rejects.toThrow(/vectors\.1\.f32: Vector file is corrupt/);
    fs.truncateSync(f, 100);
    await expect(VectorStore.load(dir)).rejects.toThrow(/vectors\.1\.f32: Truncated vector file/);
    fs.rmSync(path.join(dir, "manifest.json"));
    await expect(VectorStore.load(dir)).rejects.toThrow(/No saved vector store here/);
  });

  it("each save is a new generation; older vector files are cleaned up", () => {
    const store = sample(50);
    store.save(dir);
    store.add({ id: "new", vector: randomVectors(1, 24, 5)[0], label: "positive" });
    const res = store.save(dir);
    expect(res.generation).toBe(2);
    expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "manifest.json", "vectors.2.f32"]);
    expect(VectorStore.loadSync(dir).has("new")).toBe(true);
  });

  it("saves and loads an empty store", () => {
    const store = new VectorStore({ embedderId: "e@3", dimensions: 3 });
    store.save(dir);
    const loaded = VectorStore.loadSync(dir);
    expect(loaded.size).toBe(0);
    loaded.add({ id: "a", vector: [1, 2, 3] });
    expect(loaded.searchVector([1, 2, 3], 1)[0].id).toBe("a");
  });

  it("a missing store says so and names the file", () => {
    expect(() => VectorStore.loadSync(dir)).toThrow(/manifest\.json.*No saved vector store here/);
  });

  it("a truncated vector file is a clear error naming the file", () => {
    sample().save(dir);
    const f = path.join(dir, "vectors.1.f32");
    fs.truncateSync(f, fs.statSync(f).size - 10);
    expect(() => VectorStore.loadSync(dir)).toThrow(StoreError);
    expect(() => VectorStore.loadSync(dir)).toThrow(/vectors\.1\.f32: Truncated vector file: \d+ bytes, but 200 vectors × 24 dims need 19200/);
  });

  it("a flipped byte in the vector file fails the checksum, naming the file", () => {
    sample().save(dir);
    const f = path.join(dir, "vectors.1.f32");
    const bytes = fs.readFileSync(f);
    bytes[1234] ^= 0x40;
    fs.writeFileSync(f, bytes);
    expect(() => VectorStore.loadSync(dir)).toThrow(/vectors\.1\.f32: Vector file is corrupt: its sha256/);
    // verify: false trusts the file (for callers who checked it another way).
    expect(VectorStore.loadSync(dir, { verify: false }).size).toBe(200);
  });

  it("a truncated or garbled manifest is a clear error naming it", () => {
    sample().save(dir);
    const m = path.join(dir, "manifest.json");
    const text = fs.readFileSync(m, "utf8");
    fs.writeFileSync(m, text.slice(0, text.length / 2));
    expect(() => VectorStore.loadSync(dir)).toThrow(/manifest\.json: The store manifest is not valid JSON/);
    fs.writeFileSync(m, JSON.stringify({ ...JSON.parse(text), ids: ["only-one"] }));
    expect(() => VectorStore.loadSync(dir)).toThrow(/manifest\.json: The store manifest has 1 ids for 200 rows/);
    fs.writeFileSync(m, JSON.stringify({ hello: 1 }));
    expect(() => VectorStore.loadSync(dir)).toThrow(/not a sentivec vector store manifest/);
  });

  it("a missing vector file is a clear error naming it", () => {
    sample().save(dir);
    fs.rmSync(path.join(dir, "vectors.1.f32"));
    expect(() => VectorStore.loadSync(dir)).toThrow(/vectors\.1\.f32: The vector file vectors\.1\.f32 named by manifest\.json cannot be opened \(ENOENT\)/);
  });

  it("the last good save survives a crash between the vector file and the manifest", () => {
    const store = sample();
    store.save(dir);
    // What a crash leaves behind at each step of the next save: a half-written temp vector file,
    // a complete next-generation vector file (renamed), and a half-written temp manifest.
    fs.writeFileSync(path.join(dir, "vectors.2.f32.tmp-999-1"), Buffer.alloc(100));
    fs.writeFileSync(path.join(dir, "vectors.2.f32"), Buffer.alloc(7777, 1));
    fs.writeFileSync(path.join(dir, "manifest.json.tmp-999-1"), '{"format":"sentivec-vec');
    const loaded = VectorStore.loadSync(dir);
    expectSameStore(store, loaded);
    // The next save skips past the orphaned generation rather than overwriting a file in use.
    loaded.add({ id: "later", vector: randomVectors(1, 24, 8)[0] });
    expect(loaded.save(dir).generation).toBe(3);
    expect(VectorStore.loadSync(dir).has("later")).toBe(true);
    expect(fs.existsSync(path.join(dir, "vectors.2.f32"))).toBe(false);
  });

  it("a process killed mid-save always leaves a complete, loadable store", async () => {
    const script = path.join(__dirname, "save-child.ts");
    for (const delay of [150, 400, 900]) {
      const child = spawn(process.execPath, ["--import", "tsx", script, dir], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      // Wait for at least one completed save, then kill it at an arbitrary point of a later one.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child made no save; output: ${out}`)), 20000);
        child.stdout.on("data", () => {
          if (out.includes("saved")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const loaded = VectorStore.loadSync(dir);
      // Whole and self-consistent: the row that records its generation agrees with the metadata.
      const first = loaded.get("id0")!;
      const gen = (first.metadata as { gen: number }).gen;
      expect(first.label).toBe(`gen${gen}`);
      expect(loaded.size).toBe(2000 + (gen % 7) * 500);
      expect(first.vector[gen % 256]).toBe(1);
      // The last generation reported done, or the one after it if the kill landed after the rename.
      const reported = Math.max(...[...out.matchAll(/saved (\d+)/g)].map((m) => Number(m[1])));
      expect([reported, reported + 1]).toContain(gen);
    }
  }, 60000);
});
