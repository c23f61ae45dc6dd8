import { describe, expect, it } from "vitest";
import { VectorStore, type VectorRecord } from "../../src/store/vector-store.js";
import { StoreError } from "../../src/store/store-error.js";
import type { Embedder } from "../../src/embed/embedder.js";
import { UNLIMITED } from "../../src/embed/embedder.js";
import { bruteForce, cosine, randomVectors } from "./helpers.js";

const ID = "test:random@48";

function build(n: number, dims: number, seed: number, simd?: boolean): { store: VectorStore; rows: VectorRecord[] } {
  const vectors = randomVectors(n, dims, seed);
  const rows = vectors.map((vector, i) => ({
    id: `r${String(i).padStart(5, "0")}`,
    vector,
    label: ["negative", "neutral", "positive"][i % 3],
    metadata: { source: i % 2 === 0 ? "imdb" : "yelp", year: 2018 + (i % 4) },
  }));
  const store = new VectorStore({ embedderId: ID, dimensions: dims, simd });
  for (const r of rows) store.add(r);
  return { store, rows };
}

/** Same ids and (to float32 precision) the same scores as the float64 brute force. */
function expectMatchesReference(got: { id: string; score: number }[], want: { id: string; score: number }[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got[i].score).toBeCloseTo(want[i].score, 5);
    if (got[i].id !== want[i].id) {
      // Only acceptable when the two are tied to float32 precision.
      expect(Math.abs(want[i].score - (want.find((w) => w.id === got[i].id)?.score ?? -2))).toBeLessThan(1e-6);
    }
  }
}

describe("VectorStore search", () => {
  for (const simd of [true, false]) {
    it(`matches a brute-force reference on random data (${simd ? "wasm SIMD" : "JS"} kernel)`, () => {
      for (const dims of [48, 37, 1]) {
        const { store, rows } = build(1500, dims, 7 + dims, simd);
        expect(store.info().kernel).toBe(simd ? "wasm-simd" : "js");
        const queries = randomVectors(25, dims, 99);
        for (const q of queries) {
          for (const k of [1, 10, 40]) expectMatchesReference(store.searchVector(q, k), bruteForce(rows, q, k));
        }
      }
    });
  }

  it("returns everything when k exceeds the size, and nothing for k = 0 or an empty store", () => {
    const { store, rows } = build(5, 8, 1);
    expect(store.searchVector(rows[0].vector, 50).map((h) => h.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(store.searchVector(rows[0].vector, 0)).toEqual([]);
    expect(new VectorStore({ embedderId: ID, dimensions: 8 }).searchVector(rows[0].vector, 3)).toEqual([]);
  });

  it("breaks ties by id ascending, whatever the insertion order", () => {
    const store = new VectorStore({ embedderId: ID, dimensions: 4 });
    for (const id of ["d", "b", "c", "a", "e"]) store.add({ id, vector: [1, 2, 3, 4] });
    store.add({ id: "far", vector: [-1, 0, 0, 0] });
    const hits = store.searchVector([1, 2, 3, 4], 3);
    expect(hits.map((h) => h.id)).toEqual(["a", "b", "c"]);
    expect(hits[0].score).toBeCloseTo(1, 6);
    expect(hits[0].score).toBe(hits[2].score);
  });

  it("scores are cosine similarity regardless of vector length", () => {
    const store = new VectorStore({ embedderId: ID, dimensions: 3 });
    store.add({ id: "x", vector: [10, 0, 0] });
    store.add({ id: "y", vector: [0.001, 0.001, 0] });
    const hits = store.searchVector([3, 0, 0], 2);
    expect(hits[0]).toMatchObject({ id: "x" });
    expect(hits[0].score).toBeCloseTo(1, 6);
    expect(hits[1].score).toBeCloseTo(cosine([1, 1, 0], [1, 0, 0]), 6);
  });

  it("filters by label equality and `in`", () => {
    const { store, rows } = build(600, 16, 3);
    const q = randomVectors(1, 16, 5)[0];
    const neg = store.searchVector(q, 10, { filter: { label: "negative" } });
    expect(neg.every((h) => h.label === "negative")).toBe(true);
    expectMatchesReference(neg, bruteForce(rows.filter((r) => r.label === "negative"), q, 10));
    const two = store.searchVector(q, 10, { filter: { label: { in: ["negative", "positive"] } } });
    expectMatchesReference(two, bruteForce(rows.filter((r) => r.label !== "neutral"), q, 10));
  });

  it("filters by metadata fields (equality, `in`, combined with label)", () => {
    const { store, rows } = build(600, 16, 4);
    const q = randomVectors(1, 16, 6)[0];
    const f = { label: "positive", metadata: { source: "yelp", year: { in: [2019, 2021] } } };
    const hits = store.searchVector(q, 7, { filter: f });
    const ref = rows.filter((r) => r.label === "positive" && r.metadata!.source === "yelp" && [2019, 2021].includes(r.metadata!.year as number));
    expect(ref.length).toBeGreaterThan(7);
    expectMatchesReference(hits, bruteForce(ref, q, 7));
    expect(store.searchVector(q, 5, { filter: { metadata: { missing: null } } })).toEqual([]);
    expect(store.searchVector(q, 5, { filter: { metadata: { source: "nowhere" } } })).toEqual([]);
  });

  it("rejects malformed filters clearly", () => {
    const { store } = build(10, 4, 1);
    expect(() => store.searchVector([1, 0, 0, 0], 3, { filter: { lable: "x" } as never })).toThrow(/Unknown filter key "lable"/);
    expect(() => store.searchVector([1, 0, 0, 0], 3, { filter: { metadata: { a: { gt: 3 } as never } } })).toThrow(StoreError);
    expect(() => store.searchVector([1, 0, 0, 0], -1)).toThrow(/k must be/);
    expect(() => store.searchVector([1, 0, 0], 3)).toThrow(/3 dimensions but the store holds 4/);
    expect(() => store.searchVector([0, 0, 0, 0], 3)).toThrow(/all zeros/);
  });
});

describe("VectorStore rows", () => {
  it("add / get / has / size, with vectors stored normalised", () => {
    const store = new VectorStore({ embedderId: ID, dimensions: 2, initialCapacity: 1 });
    store.add({ id: "a", vector: [3, 4], label: "positive", metadata: { n: 1 } });
    store.add({ id: "b", vector: new Float32Array([0, 2]) });
    expect(store.size).toBe(2);
    expect(store.has("a")).toBe(true);
    expect(store.has("zz")).toBe(false);
    const a = store.get("a")!;
    expect(Array.from(a.vector)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(a).toMatchObject({ id: "a", label: "positive", metadata: { n: 1 } });
    expect(store.get("b")).toMatchObject({ id: "b", metadata: {} });
    expect(store.get("b")!.label).toBeUndefined();
    expect(store.get("nope")).toBeUndefined();
  });

  it("grows by doubling and keeps every row intact", () => {
    const { store, rows } = build(1000, 12, 9);
    expect(store.capacity).toBe(1024);
    for (const r of rows) expect(store.get(r.id)!.vector[0]).toBeCloseTo(r.vector[0] / Math.hypot(...Array.from(r.vector)), 6);
  });

  it("refuses duplicate ids, and a failing batch adds nothing", () => {
    const store = new VectorStore({ embedderId: ID, dimensions: 2 });
    store.add({ id: "a", vector: [1, 0] });
    expect(() => store.add({ id: "a", vector: [0, 1] })).toThrow(/Id "a" is already in the store/);
    expect(() => store.addMany([{ id: "b", vector: [1, 1] }, { id: "b", vector: [1, 2] }])).toThrow(/twice in this batch/);
    expect(() => store.addMany([{ id: "c", vector: [1, 1] }, { id: "d", vector: [0, 0] }])).toThrow(/all zeros/);
    expect(store.size).toBe(1);
    expect(store.has("c")).toBe(false);
  });

  it("upsert adds or replaces", () => {
    const store = new VectorStore({ embedderId: ID, dimensions: 2 });
    expect(store.upsert({ id: "a", vector: [1, 0], label: "negative" })).toBe("added");
    expect(store.upsert({ id: "a", vector: [0, 5], label: "positive", metadata: { v: 2 } })).toBe("updated");
    expect(store.size).toBe(1);
    expect(store.get("a")).toMatchObject({ label: "positive", metadata: { v: 2 } });
    expect(Array.from(store.get("a")!.vector)).toEqual([0, 1]);
    expect(store.searchVector([0, 1], 1)[0]).toMatchObject({ id: "a", label: "positive" });
  });

  it("remove swaps the last row in and keeps the id → row map right", () => {
    const { store, rows } = build(300, 8, 11);
    const removed = new Set<string>();
    for (let i = 0; i < rows.length; i += 3) {
      expect(store.remove(rows[i].id)).toBe(true);
      removed.add(rows[i].id);
    }
    expect(store.remove(rows[0].id)).toBe(false);
    const kept = rows.filter((r) => !removed.has(r.id));
    expect(store.size).toBe(kept.length);
    for (const r of kept) {
      const got = store.get(r.id)!;
      expect(got.label).toBe(r.label);
      expect(got.metadata).toEqual(r.metadata);
      expect(cosine(got.vector, r.vector)).toBeCloseTo(1, 6);
    }
    for (const id of removed) expect(store.has(id)).toBe(false);
    const q = randomVectors(1, 8, 12)[0];
    expectMatchesReference(store.searchVector(q, 15), bruteForce(kept, q, 15));
    // Remove everything, then reuse.
    for (const r of kept) store.remove(r.id);
    expect(store.size).toBe(0);
    store.add({ id: "again", vector: rows[0].vector });
    expect(store.searchVector(rows[0].vector, 1)[0].id).toBe("again");
  });

  it("refuses vectors of another dimension or embedder", () => {
    const store = new VectorStore({ embedderId: ID, dimensions: 3 });
    expect(() => store.add({ id: "a", vector: [1, 2] })).toThrow(/has 2 dimensions, but this store \(test:random@48\) holds 3/);
    expect(() => store.add({ id: "a", vector: [1, 2, 3], embedderId: "openai:text-embedding-3-small@3" })).toThrow(/comes from openai:text-embedding-3-small@3/);
    expect(() => store.add({ id: "a", vector: [1, NaN, 3] })).toThrow(/value 1 is NaN/);
    try {
      store.add({ id: "a", vector: [1, 2] });
    } catch (e) {
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).code).toBe("STORE_DIMENSIONS");
    }
    const other = fakeEmbedder("local:hash-v1@3", 3);
    expect(() => store.useEmbedder(other)).toThrow(/holds vectors from test:random@48/);
    expect(() => store.useEmbedder(fakeEmbedder(ID, 4))).toThrow(StoreError);
  });

  it("toTrainingSet is a view of the store's buffer", () => {
    const { store, rows } = build(50, 6, 2);
    const { X, y, ids } = store.toTrainingSet();
    expect(X.rows).toBe(50);
    expect(X.cols).toBe(6);
    expect(X.data.length).toBe(300);
    expect(y).toEqual(rows.map((r) => r.label));
    expect(ids).toEqual(rows.map((r) => r.id));
    // A view, not a copy: upserting a row changes what X sees.
    store.upsert({ id: ids[0], vector: [1, 0, 0, 0, 0, 0], label: y[0] });
    expect(X.data[0]).toBe(1);
    store.add({ id: "unlabeled", vector: [1, 1, 1, 1, 1, 1] });
    expect(() => store.toTrainingSet()).toThrow(/1 of 51 rows have no label \(first: id "unlabeled"\)/);
  });

  it("trimToSize and reserve change capacity, not content", () => {
    const { store, rows } = build(40, 5, 3);
    store.reserve(1000);
    expect(store.capacity).toBe(1000);
    store.trimToSize();
    expect(store.capacity).toBe(40);
    const q = rows[7].vector;
    expect(store.searchVector(q, 1)[0].id).toBe(rows[7].id);
  });
});

describe("VectorStore text", () => {
  it("embeds text queries and addTexts through the attached embedder", async () => {
    const embedder = fakeEmbedder("test:letters@26", 26);
    const store = VectorStore.forEmbedder(embedder);
    await store.addTexts([
      { id: "1", text: "great wonderful film", label: "positive" },
      { id: "2", text: "terrible boring mess", label: "negative" },
      { id: "3", text: "zzz", label: "neutral" },
    ]);
    expect(store.size).toBe(3);
    const hits = await store.search("great wonderful film!", 2);
    expect(hits[0].id).toBe("1");
    expect((await store.search("boring", 1, { filter: { label: "negative" } }))[0].id).toBe("2");
  });

  it("a text query without an embedder is a clear error", async () => {
    const store = new VectorStore({ embedderId: ID, dimensions: 3 });
    store.add({ id: "a", vector: [1, 2, 3] });
    await expect(store.search("hello", 1)).rejects.toThrow(/needs an embedder, and this store \(test:random@48\) has none/);
    expect((await store.search([1, 2, 3], 1))[0].id).toBe("a");
  });
});

/** Letter counts: a deterministic stand-in embedder (a real one, not a mock of ours). */
describe("text queries and filter fields (issue 10 items 10, 13)", () => {
  it("an empty or blank text query says the query is empty, not that the embedder output is bad", async () => {
    const store = new VectorStore({ embedderId: "fake@3", dimensions: 3, embedder: fakeEmbedder("fake@3", 3) });
    store.add({ id: "a", vector: [1, 0, 0] });
    for (const q of ["", "  \n"]) {
      const err = await store.search(q, 1).catch((e) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err.code).toBe("STORE_QUERY_EMPTY");
      expect(err.message).toMatch(/The query text is (empty|blank): there is nothing to search for/);
    }
  });

  it("lists the metadata fields rows have", () => {
    const store = new VectorStore({ embedderId: "fake@3", dimensions: 3 });
    store.add({ id: "a", vector: [1, 0, 0], metadata: { source: "x", text: "t" } });
    store.add({ id: "b", vector: [0, 1, 0], metadata: { line: 3 } });
    store.add({ id: "c", vector: [0, 0, 1] });
    expect(store.metadataFields()).toEqual(["line", "source", "text"]);
  });
});

function fakeEmbedder(id: string, dimensions: number): Embedder {
  return {
    id,
    dimensions,
    limits: UNLIMITED,
    async embed(texts: string[]) {
      return texts.map((t) => {
        const v = new Float32Array(dimensions);
        for (const ch of t.toLowerCase()) {
          const c = ch.charCodeAt(0) - 97;
          if (c >= 0 && c < 26) v[c % dimensions] += 1;
        }
        v[0] += 0.01;
        return v;
      });
    },
  };
}
