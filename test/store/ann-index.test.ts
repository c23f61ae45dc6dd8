import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HnswIndex } from "../../src/store/ann/hnsw-index.js";
import { INDEX_META_FILE } from "../../src/store/ann/index-files.js";
import { StoreError } from "../../src/store/store-error.js";
import { type VectorRecord, VectorStore } from "../../src/store/vector-store.js";
import { useTempDir } from "../support/temp-dir.js";
import { randomVectors } from "./helpers.js";

const DIMS = 24;
const tmp = useTempDir("sentivec-ann-");

/** n rows in 8 clusters (like real embeddings, unlike uniform noise), labels a/b/c, a `group` field ("rare": 1 row in 50), `tiny` on 1 row in 1000. */
function clustered(n: number, seed: number): VectorRecord[] {
  const centres = randomVectors(8, DIMS, seed);
  const noise = randomVectors(n, DIMS, seed + 1);
  return noise.map((v, i) => {
    const c = centres[i % 8];
    const vector = v.map((x, j) => c[j] + 0.6 * x);
    return { id: `row-${String(i).padStart(5, "0")}`, vector, label: ["a", "b", "c"][i % 3], metadata: { group: i % 50 === 0 ? "rare" : "common", ...(i % 1000 === 7 ? { tiny: true } : {}) } };
  });
}

function storeOf(records: VectorRecord[]): VectorStore {
  const s = new VectorStore({ embedderId: "test:clustered@24", dimensions: DIMS });
  s.addMany(records);
  return s;
}

function recallAt(k: number, approx: { id: string }[], exact: { id: string }[]): number {
  const truth = new Set(exact.map((h) => h.id));
  return approx.filter((h) => truth.has(h.id)).length / k;
}

const queries = randomVectors(20, DIMS, 99);

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.SENTIVEC_TEST_FAIL_AT;
});

describe("approximate search (HNSW index)", () => {
  it("finds nearly the exact top 10, with exact scores, and more of it as ef grows", () => {
    const store = storeOf(clustered(3000, 1));
    const info = store.buildIndex({ connectivity: 24, threads: 1 });
    expect(info).toMatchObject({ state: "fresh", rows: 3000, dimensions: DIMS, params: { connectivity: 24, efConstruction: 128, efSearch: 128, quantization: "f16" } });
    let lowEf = 0, highEf = 0;
    for (const q of queries) {
      const exact = store.searchVector(q, 10, { approx: false });
      const few = store.searchVector(q, 10, { approx: true, ef: 10 });
      const many = store.searchVector(q, 10, { approx: true, ef: 200 });
      lowEf += recallAt(10, few, exact);
      highEf += recallAt(10, many, exact);
      // Candidates are re-scored from the store's f32 vectors: a hit's score is its exact cosine.
      const exactScore = new Map(store.searchVector(q, 3000, { approx: false }).map((h) => [h.id, h.score]));
      for (const h of many) expect(h.score).toBe(exactScore.get(h.id));
      expect(many.map((h) => h.score)).toEqual([...many.map((h) => h.score)].sort((a, b) => b - a));
    }
    expect(highEf / queries.length).toBeGreaterThanOrEqual(0.98);
    expect(highEf).toBeGreaterThanOrEqual(lowEf);
  });

  it("uses the index automatically only from autoApproxMinRows rows, and never when asked for an exact scan", () => {
    const store = storeOf(clustered(500, 2));
    store.buildIndex({ threads: 1 });
    const spy = vi.spyOn(HnswIndex.prototype, "candidates");
    store.searchVector(queries[0], 5);
    expect(spy).not.toHaveBeenCalled(); // 500 rows < 100,000
    store.searchVector(queries[0], 5, { autoApproxMinRows: 500 });
    expect(spy).toHaveBeenCalledTimes(1);
    store.searchVector(queries[0], 5, { approx: false, autoApproxMinRows: 0 });
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("never searches a stale index: add, upsert and remove make it stale; metadata changes do not", () => {
    const records = clustered(400, 3);
    const store = storeOf(records.slice(0, 399));
    store.buildIndex({ threads: 1 });
    const spy = vi.spyOn(HnswIndex.prototype, "candidates");
    store.updateMetadata("row-00001", { note: "x" });
    expect(store.indexInfo()?.state).toBe("fresh");

    store.add(records[399]);
    expect(store.indexInfo()?.state).toBe("stale");
    expect(() => store.searchVector(queries[0], 5, { approx: true })).toThrow(expect.objectContaining({ code: "STORE_INDEX_STALE" }));
    const auto = store.searchVector(queries[0], 5, { autoApproxMinRows: 0 });
    expect(spy).not.toHaveBeenCalled();
    expect(auto).toEqual(store.searchVector(queries[0], 5, { approx: false }));

    store.buildIndex({ threads: 1 });
    store.remove("row-00007");
    expect(store.indexInfo()?.state).toBe("stale");
    store.buildIndex({ threads: 1 });
    store.upsert({ ...records[3], vector: records[4].vector });
    expect(store.indexInfo()?.state).toBe("stale");
    store.buildIndex({ threads: 1 });
    expect(store.searchVector(queries[0], 5, { approx: true, ef: 400 }).map((h) => h.id)).toEqual(store.searchVector(queries[0], 5, { approx: false }).map((h) => h.id));
  });

  it("refuses approx: true with no index, and bad ef or build settings, in one clear error each", () => {
    const store = storeOf(clustered(50, 4));
    expect(() => store.searchVector(queries[0], 5, { approx: true })).toThrow(expect.objectContaining({ code: "STORE_NO_INDEX" }));
    expect(() => store.searchVector(queries[0], 5, { ef: 0 })).toThrow(/ef must be a whole number/);
    expect(() => store.buildIndex({ connectivity: 1 })).toThrow(/connectivity must be a whole number from 2/);
    expect(() => store.buildIndex({ quantization: "i8" as "f16" })).toThrow(/quantization must be "f32" or "f16"/);
    expect(() => store.saveIndex(tmp.dir)).toThrow(expect.objectContaining({ code: "STORE_NO_INDEX" }));
  });

  it("filtered approximate results contain only matching rows, over-fetching or falling back to a scan as needed", () => {
    const store = storeOf(clustered(3000, 5));
    store.buildIndex({ threads: 1 });
    const spy = vi.spyOn(HnswIndex.prototype, "candidates");
    let recall = 0;
    for (const q of queries.slice(0, 5)) {
      // One label in three: the first candidate list has enough matches.
      const b = store.searchVector(q, 10, { approx: true, ef: 64, filter: { label: "b" } });
      expect(b).toHaveLength(10);
      expect(b.every((h) => h.label === "b")).toBe(true);
      recall += recallAt(10, b, store.searchVector(q, 10, { approx: false, filter: { label: "b" } })) / 5;
      // One row in 50 ("rare", 60 rows): the candidate list grows until 10 of them are found.
      const rare = store.searchVector(q, 10, { approx: true, ef: 16, filter: { metadata: { group: "rare" } } });
      expect(rare).toHaveLength(10);
      expect(rare.every((h) => h.metadata.group === "rare")).toBe(true);
    }
    expect(recall).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...spy.mock.calls.map((c) => c[1]))).toBeGreaterThan(16); // it did over-fetch
    // A filter matching 3 rows: the graph cannot supply 10; the exact filtered scan returns all 3.
    const tiny = { metadata: { tiny: true } };
    const got = store.searchVector(queries[0], 10, { approx: true, filter: tiny });
    expect(got.map((h) => h.id)).toEqual(store.searchVector(queries[0], 10, { approx: false, filter: tiny }).map((h) => h.id));
    expect(got.map((h) => h.id).sort()).toEqual(["row-00007", "row-01007", "row-02007"]);
  });

  it("saves beside the store and loads back fresh; a changed store finds it stale", async () => {
    const dir = path.join(tmp.dir, "saved");
    const records = clustered(600, 6);
    const store = storeOf(records.slice(0, 599));
    store.save(dir);
    store.buildIndex({ efSearch: 40, threads: 1 });
    const meta = store.saveIndex(dir);
    expect(meta).toMatchObject({ format: "sentivec-ann-index", count: 599, dimensions: DIMS, embedderId: "test:clustered@24", indexFile: "ann-index.1.usearch" });
    const before = queries.map((q) => store.searchVector(q, 10, { approx: true }));

    const reloaded = await VectorStore.load(dir);
    expect(reloaded.loadIndex(dir)).toMatchObject({ state: "fresh", info: { rows: 599, params: { efSearch: 40 } } });
    expect(queries.map((q) => reloaded.searchVector(q, 10, { approx: true }))).toEqual(before);

    // Saving again replaces the generation and removes the old file.
    reloaded.buildIndex({ threads: 1 });
    expect(reloaded.saveIndex(dir).indexFile).toBe("ann-index.2.usearch");
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".usearch"))).toEqual(["ann-index.2.usearch"]);

    reloaded.add(records[599]);
    expect(() => reloaded.saveIndex(dir)).toThrow(expect.objectContaining({ code: "STORE_INDEX_STALE" }));
    reloaded.save(dir);
    const third = await VectorStore.load(dir);
    const found = third.loadIndex(dir);
    expect(found).toMatchObject({ state: "stale", reason: "it was built from 599 rows, the store now has 600" });
    expect(third.indexInfo()).toBeUndefined();
    expect(() => third.searchVector(queries[0], 5, { approx: true })).toThrow(expect.objectContaining({ code: "STORE_NO_INDEX" }));

    // An index built from the in-memory store is refused for a folder holding other vectors.
    const other = storeOf(records.slice(0, 10));
    other.buildIndex({ threads: 1 });
    expect(() => other.saveIndex(dir)).toThrow(expect.objectContaining({ code: "STORE_INDEX_STALE" }));
    expect(new VectorStore({ embedderId: "x", dimensions: 3 }).loadIndex(path.join(tmp.dir, "nowhere"))).toEqual({ state: "missing" });
  });

  it("a changed vector with the same row count is stale too (the checksum, not the count, decides)", async () => {
    const dir = path.join(tmp.dir, "same-count");
    const records = clustered(100, 7);
    const store = storeOf(records);
    store.save(dir);
    store.buildIndex({ threads: 1 });
    store.saveIndex(dir);
    store.upsert({ ...records[5], vector: records[6].vector });
    store.save(dir);
    const found = (await VectorStore.load(dir)).loadIndex(dir);
    expect(found.state).toBe("stale");
    expect(found.state === "stale" && found.reason).toMatch(/vectors changed after it was built/);
  });

  it("a corrupt, truncated or missing index file is one clear error; a failed save leaves the last index", async () => {
    const dir = path.join(tmp.dir, "corrupt");
    const store = storeOf(clustered(200, 8));
    store.save(dir);
    store.buildIndex({ threads: 1 });
    const meta = store.saveIndex(dir);
    const file = path.join(dir, meta.indexFile);
    const good = fs.readFileSync(file);
    const load = async () => (await VectorStore.load(dir)).loadIndex(dir);

    process.env.SENTIVEC_TEST_FAIL_AT = "ann-index:rename:ENOSPC";
    expect(() => store.saveIndex(dir)).toThrow(/no space left on the device \(ENOSPC\).*The store and any previous index are intact/);
    delete process.env.SENTIVEC_TEST_FAIL_AT;
    expect(fs.readdirSync(dir).filter((f) => f.includes("ann-index")).sort()).toEqual([meta.indexFile, INDEX_META_FILE]);
    expect((await load()).state).toBe("fresh");

    const flipped = Buffer.from(good);
    flipped[flipped.length >> 1] ^= 0xff;
    fs.writeFileSync(file, flipped);
    await expect(load()).rejects.toThrow(/ann-index\.1\.usearch: The approximate index does not match its checksum; it is corrupt\. Rebuild it with `sentivec store index`/);

    fs.writeFileSync(file, good.subarray(0, 100));
    await expect(load()).rejects.toThrow(expect.objectContaining({ code: "STORE_INDEX_CORRUPT", message: expect.stringMatching(/has 100 bytes, but ann-index\.json says/) }));

    fs.rmSync(file);
    await expect(load()).rejects.toThrow(expect.objectContaining({ code: "STORE_INDEX_MISSING" }));

    fs.writeFileSync(file, good);
    const metaFile = path.join(dir, INDEX_META_FILE);
    const metaText = fs.readFileSync(metaFile, "utf8");
    fs.writeFileSync(metaFile, metaText.slice(0, 40));
    await expect(load()).rejects.toThrow(/ann-index\.json: The approximate index is not valid JSON/);
    fs.writeFileSync(metaFile, metaText.replace('"connectivity": 32', '"connectivity": 0'));
    await expect(load()).rejects.toThrow(/has invalid settings \(connectivity must be/);
    fs.writeFileSync(metaFile, metaText);
    expect((await load()).state).toBe("fresh");
  });

  it("the error class is StoreError", () => {
    const store = storeOf(clustered(10, 9));
    try {
      store.searchVector(queries[0], 1, { approx: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StoreError);
    }
  });
});
