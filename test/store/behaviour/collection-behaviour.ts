import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CollectionLocation } from "../../../src/store/collection/collection-location.js";
import { openCollection } from "../../../src/store/collection/open-collection.js";
import type { VectorCollection } from "../../../src/store/collection/vector-collection.js";
import { StoreError } from "../../../src/store/store-error.js";
import type { VectorRecord } from "../../../src/store/vector-store.js";
import { bruteForce, randomVectors } from "../helpers.js";

/** What differs between backends: where a store lives and how its saved rows are damaged. */
export interface BackendUnderTest {
  name: string;
  location(dir: string): string | CollectionLocation;
  /** Damages the saved rows in `dir` in ways a crash, a bad disk or a stray edit could. */
  damages: { name: string; damage(dir: string): void }[];
}

const SPACE = { embedderId: "test:behaviour@16", dimensions: 16 };

/** Rows r000..: labels cycle negative/positive/unlabelled, metadata carries a source, a line and a flag. */
function rows(n: number, seed = 1, offset = 0): VectorRecord[] {
  return randomVectors(n, SPACE.dimensions, seed).map((vector, i) => {
    const k = i + offset;
    const label = k % 3 === 0 ? "negative" : k % 3 === 1 ? "positive" : undefined;
    return { id: `r${String(k).padStart(3, "0")}`, vector, ...(label ? { label } : {}), metadata: { source: k % 2 === 0 ? "a.csv" : "b_csv", line: k, ...(k % 5 === 0 ? { flag: true } : {}) } };
  });
}

function expectOneLine(error: unknown, code?: string): void {
  expect(error).toBeInstanceOf(StoreError);
  if (code) expect((error as StoreError).code).toBe(code);
  expect((error as Error).message).not.toMatch(/\n/);
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

/**
 * One behaviour suite, run against each backend (memory-collection.test.ts, lance-collection.test.ts):
 * the CLI's store commands rely on exactly these properties, whichever backend holds the rows.
 */
export function describeCollectionBehaviour(backend: BackendUnderTest): void {
  const root = mkdtempSync(join(tmpdir(), `sentivec-behaviour-${backend.name}-`));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const fresh = async (records: VectorRecord[] = []): Promise<{ c: VectorCollection; dir: string }> => {
    const dir = join(root, `c${n++}`);
    const c = await openCollection(backend.location(dir), { create: SPACE });
    if (records.length > 0) await c.addMany(records);
    return { c, dir };
  };

  describe(`${backend.name} collection: rows`, () => {
    it("adds rows, counts them, and gives them back with unit vectors, labels and metadata", async () => {
      const data = rows(30);
      const { c } = await fresh(data);
      expect(c.backend).toBe(backend.name);
      expect(await c.count()).toBe(30);
      const r = (await c.get("r004"))!;
      expect(r.label).toBe("positive");
      expect(r.metadata).toEqual({ source: "a.csv", line: 4 });
      const norm = Math.hypot(...r.vector);
      expect(norm).toBeCloseTo(1, 6);
      data[4].vector.length;
      for (let j = 0; j < 16; j++) expect(r.vector[j]).toBeCloseTo(data[4].vector[j] / Math.hypot(...Array.from(data[4].vector)), 6);
      expect((await c.get("r002"))!.label).toBeUndefined();
      expect(await c.get("nope")).toBeUndefined();
      c.close();
    });

    it("refuses a duplicate id, a wrong size or a zero vector, and then adds nothing", async () => {
      const { c } = await fresh(rows(5));
      expectOneLine(await failure(c.addMany([...rows(2, 9, 10), rows(1)[0]])), "STORE_DUPLICATE_ID");
      expectOneLine(await failure(c.addMany([{ id: "x", vector: [1, 2, 3] }])), "STORE_DIMENSIONS");
      expectOneLine(await failure(c.addMany([{ id: "y", vector: new Float32Array(16) }])), "STORE_VECTOR_ZERO");
      expectOneLine(await failure(c.addMany([{ id: "z", vector: rows(1)[0].vector, embedderId: "other@16" }])), "STORE_EMBEDDER_MISMATCH");
      expect(await c.count()).toBe(5);
      c.close();
    });

    it("upsert replaces existing ids and appends new ones; the last of an id given twice wins", async () => {
      const { c } = await fresh(rows(6));
      const v = randomVectors(3, 16, 77);
      const result = await c.upsertMany([
        { id: "r001", vector: v[0], label: "negative", metadata: { source: "c.csv" } },
        { id: "new1", vector: v[1], label: "positive" },
        { id: "new1", vector: v[2], label: "negative" },
      ]);
      expect(result).toEqual({ added: 1, updated: 2 });
      expect(await c.count()).toBe(7);
      const r1 = (await c.get("r001"))!;
      expect(r1.label).toBe("negative");
      expect(r1.metadata).toEqual({ source: "c.csv" });
      expect((await c.get("new1"))!.label).toBe("negative");
      const hit = (await c.searchVector(v[2], 1))[0];
      expect(hit.id).toBe("new1");
      expect(hit.score).toBeCloseTo(1, 5);
      c.close();
    });

    it("removes rows by id; they are no longer found", async () => {
      const data = rows(20);
      const { c } = await fresh(data);
      expect(await c.remove(["r003", "r007", "missing"])).toBe(2);
      expect(await c.count()).toBe(18);
      expect(await c.get("r003")).toBeUndefined();
      const hits = await c.searchVector(data[3].vector, 20);
      expect(hits).toHaveLength(18);
      expect(hits.map((h) => h.id)).not.toContain("r003");
      expect(hits.map((h) => h.id)).not.toContain("r007");
      c.close();
    });
  });

  describe(`${backend.name} collection: search`, () => {
    it("gives the exact top k on small data: the brute-force ids, scores and order", async () => {
      const data = rows(300, 5);
      const { c } = await fresh(data);
      for (const [qi, q] of randomVectors(5, 16, 99).entries()) {
        const k = [1, 5, 10, 50, 300][qi];
        const want = bruteForce(data, q, k);
        const got = await c.searchVector(q, k);
        expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
        got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i].score, 5));
      }
      expect(await c.searchVector(data[0].vector, 0)).toEqual([]);
      expectOneLine(await failure(c.searchVector([1, 2], 3)), "STORE_QUERY_DIMENSIONS");
      expectOneLine(await failure(c.searchVector(data[0].vector, -1)), "STORE_K");
      c.close();
    });

    it("filters by label, by metadata (values and `in`, numbers not matched as text prefixes) and by both", async () => {
      const data = rows(120, 6);
      const { c } = await fresh(data);
      const q = randomVectors(1, 16, 123)[0];
      const cases: [Parameters<VectorCollection["searchVector"]>[2], (r: VectorRecord) => boolean][] = [
        [{ filter: { label: "negative" } }, (r) => r.label === "negative"],
        [{ filter: { label: { in: ["negative", "positive"] } } }, (r) => r.label !== undefined],
        [{ filter: { metadata: { source: "b_csv" } } }, (r) => r.metadata!.source === "b_csv"],
        // "a_csv" must not match "a.csv" (a LIKE wildcard would): the exact filter decides.
        [{ filter: { metadata: { source: "a_csv" } } }, () => false],
        [{ filter: { metadata: { line: 1 } } }, (r) => r.metadata!.line === 1],
        [{ filter: { metadata: { line: { in: [11, 12, "13"] } } } }, (r) => r.metadata!.line === 11 || r.metadata!.line === 12],
        [{ filter: { metadata: { flag: true }, label: "positive" } }, (r) => r.metadata!.flag === true && r.label === "positive"],
      ];
      for (const [options, keep] of cases) {
        const want = bruteForce(data.filter(keep), q, 10);
        const got = await c.searchVector(q, 10, options);
        expect(got.map((h) => h.id), JSON.stringify(options)).toEqual(want.map((h) => h.id));
      }
      expectOneLine(await failure(c.searchVector(q, 3, { filter: { lable: "x" } as never })), "STORE_FILTER");
      expect((await c.metadataFields()).sort()).toEqual(["flag", "line", "source"]);
      c.close();
    });
  });

  describe(`${backend.name} collection: training and labelling`, () => {
    it("toTrainingSet gives the labelled rows in the order they were added, skipping or refusing the unlabelled", async () => {
      const data = rows(40, 8);
      const { c } = await fresh(data.slice(0, 15));
      await c.addMany(data.slice(15, 31));
      await c.upsertMany(data.slice(31));
      const set = await c.toTrainingSet({ unlabeled: "skip" });
      const labelled = data.filter((r) => r.label !== undefined);
      expect(set.ids).toEqual(labelled.map((r) => r.id));
      expect(set.y).toEqual(labelled.map((r) => r.label));
      expect(set.skippedUnlabeled).toBe(13);
      expect(set.embedderId).toBe(SPACE.embedderId);
      expect(set.X).toMatchObject({ rows: 27, cols: 16 });
      const r5 = (await c.get(set.ids[5]))!;
      expect(Array.from(set.X.data.subarray(5 * 16, 6 * 16))).toEqual(Array.from(r5.vector));
      const neg = await c.toTrainingSet({ filter: { metadata: { source: "a.csv" } }, unlabeled: "skip" });
      expect(neg.ids).toEqual(labelled.filter((r) => r.metadata!.source === "a.csv").map((r) => r.id));
      const err = await failure(c.toTrainingSet());
      expectOneLine(err, "STORE_UNLABELED");
      expect((err as Error).message).toMatch(/13 of 40 rows have no label \(first: id "r002"\)/);
      c.close();
    });

    it("scans the unlabelled rows in batches and replaces their metadata; a filtered search then finds them", async () => {
      const { c } = await fresh(rows(50, 10));
      const seen: string[] = [];
      for await (const batch of c.scan({ unlabeledOnly: true, batchSize: 4 })) {
        expect(batch.length).toBeLessThanOrEqual(4);
        await c.replaceMetadata(batch.map((r) => ({ id: r.id, metadata: { ...r.metadata, predicted: "positive" } })));
        seen.push(...batch.map((r) => r.id));
      }
      expect(seen).toHaveLength(16);
      expect(new Set(seen).size).toBe(16);
      const hits = await c.searchVector(randomVectors(1, 16, 3)[0], 50, { filter: { metadata: { predicted: "positive" } } });
      expect(hits.map((h) => h.id).sort()).toEqual([...seen].sort());
      expect((await c.get(seen[0]))!.metadata).toMatchObject({ predicted: "positive" });
      expect(await c.metadataFields()).toContain("predicted");
      const filtered = [];
      for await (const batch of c.scan({ filter: { label: "negative" } })) filtered.push(...batch);
      expect(filtered).toHaveLength(17);
      expect(filtered.every((r) => r.label === "negative" && r.vector.length === 16)).toBe(true);
      expectOneLine(await failure(c.replaceMetadata([{ id: "no-such-row", metadata: { a: 1 } }])), "STORE_UNKNOWN_ID");
      c.close();
    });

    it("info counts rows per label and the unlabelled", async () => {
      const { c } = await fresh(rows(31));
      expect(await c.info()).toMatchObject({ backend: backend.name, embedderId: SPACE.embedderId, dimensions: 16, size: 31, labels: { negative: 11, positive: 10 }, unlabeled: 10 });
      c.close();
    });
  });

  describe(`${backend.name} collection: on disk`, () => {
    it("reloads what was saved: the same rows, search results and training set", async () => {
      const data = rows(60, 12);
      const { c, dir } = await fresh(data);
      await c.remove(["r010"]);
      await c.save();
      const q = randomVectors(1, 16, 5)[0];
      const before = await c.searchVector(q, 10, { filter: { label: "positive" } });
      const set = await c.toTrainingSet({ unlabeled: "skip" });
      c.close();
      const again = await openCollection(backend.location(dir));
      expect(again.embedderId).toBe(SPACE.embedderId);
      expect(again.dimensions).toBe(16);
      expect(await again.count()).toBe(59);
      expect(await again.searchVector(q, 10, { filter: { label: "positive" } })).toEqual(before);
      const set2 = await again.toTrainingSet({ unlabeled: "skip" });
      expect(set2.ids).toEqual(set.ids);
      expect(Array.from(set2.X.data)).toEqual(Array.from(set.X.data));
      again.close();
    });

    it("keeps the label schemes noted by add across a reload; the training set carries one only while there is just one", async () => {
      const { c, dir } = await fresh(rows(9, 13));
      expect((await c.toTrainingSet({ unlabeled: "skip" })).labelScheme).toBeUndefined();
      await c.noteLabelScheme("stars");
      await c.noteLabelScheme("stars"); // noted once
      await c.save();
      c.close();
      const again = await openCollection(backend.location(dir));
      expect((await again.toTrainingSet({ unlabeled: "skip" })).labelScheme).toBe("stars");
      await again.noteLabelScheme({ map: { "1": "negative", "5": "positive" } });
      await again.save();
      expect((await again.toTrainingSet({ unlabeled: "skip" })).labelScheme).toBeUndefined();
      expectOneLine(await failure(again.noteLabelScheme("thumbs" as never)), "STORE_LABEL_SCHEME");
      again.close();
    });

    it("a missing store is a one-line error saying none is there", async () => {
      const err = await failure(openCollection(backend.location(join(root, "never-created"))));
      expectOneLine(err, "STORE_NOT_FOUND");
    });

    for (const { name, damage } of backend.damages) {
      it(`a damaged store (${name}) is a one-line error, not a crash or wrong results`, async () => {
        const { c, dir } = await fresh(rows(40, 13));
        await c.save();
        c.close();
        damage(dir);
        const err = await failure((async () => {
          const again = await openCollection(backend.location(dir));
          try {
            await again.searchVector(randomVectors(1, 16, 1)[0], 5);
            await again.toTrainingSet({ unlabeled: "skip" });
          } finally {
            again.close();
          }
        })());
        expectOneLine(err);
        expect((err as Error).message).toMatch(/damaged|corrupt|truncated|missing|restore|rebuild/i);
      });
    }
  });
}
