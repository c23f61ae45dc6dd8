import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/load-dataset.js";
import type { Dataset } from "../../src/data/labeled-text.js";
import { HashEmbedder } from "../../src/embed/hash-embedder.js";
import { EmbeddingError } from "../../src/errors.js";
import { SentimentModel } from "../../src/model/sentiment-model.js";
import { checkModelFitsStore } from "../../src/model/store-dataset.js";
import { StoreError } from "../../src/store/store-error.js";
import { VectorStore } from "../../src/store/vector-store.js";
import { DATASETS } from "../support/temp-dir.js";

const UCI = join(DATASETS, "uci-sentiment-labelled-sentences");
const FOREST = { nEstimators: 30 };
let dataset: Dataset;
let store: VectorStore;

beforeAll(async () => {
  dataset = await loadDataset([join(UCI, "amazon_cells_labelled.txt"), join(UCI, "yelp_labelled.txt")]);
  store = VectorStore.forEmbedder(new HashEmbedder());
  await store.addTexts(dataset.items.map((item, i) => ({
    id: `row${i}`,
    text: item.text,
    label: item.label,
    metadata: { source: item.source.file.includes("amazon") ? "amazon" : "yelp" },
  })));
});

describe("VectorStore.toTrainingSet options", () => {
  it("keeps unit vectors bit for bit (the embedder's own output), so training sees exactly what was embedded", async () => {
    const embedded = await new HashEmbedder().embed(dataset.items.map((i) => i.text));
    embedded.forEach((v, i) => expect(store.get(`row${i}`)!.vector).toEqual(v));
  });

  it("filters rows, skips and counts unlabelled ones, and copies only when rows are left out", () => {
    const s = new VectorStore({ embedderId: "test:t@2", dimensions: 2 });
    s.addMany([
      { id: "a", vector: [1, 0], label: "positive", metadata: { source: "x" } },
      { id: "b", vector: [0, 1], metadata: { source: "x" } },
      { id: "c", vector: [1, 1], label: "negative", metadata: { source: "y" } },
    ]);
    expect(() => s.toTrainingSet()).toThrow(StoreError);
    const all = s.toTrainingSet({ unlabeled: "skip" });
    expect(all).toMatchObject({ y: ["positive", "negative"], ids: ["a", "c"], embedderId: "test:t@2", skippedUnlabeled: 1 });
    expect(Array.from(all.X.data)).toEqual([1, 0, Math.fround(Math.SQRT1_2), Math.fround(Math.SQRT1_2)]);
    const x = s.toTrainingSet({ filter: { metadata: { source: "x" } }, unlabeled: "skip" });
    expect(x).toMatchObject({ y: ["positive"], ids: ["a"], skippedUnlabeled: 1 });
    expect(x.X.rows).toBe(1);
    const y = s.toTrainingSet({ filter: { metadata: { source: "y" } } });
    expect(y).toMatchObject({ y: ["negative"], skippedUnlabeled: 0 });
    expect(() => s.toTrainingSet({ unlabeled: "drop" as "skip" })).toThrow(/unlabeled must be "error" or "skip"/);
  });

  it("updateMetadata merges and removes fields, keeps vector and label, and refuses an unknown id", () => {
    const s = new VectorStore({ embedderId: "test:t@2", dimensions: 2 });
    s.add({ id: "a", vector: [3, 4], label: "positive", metadata: { text: "hi", p_old: 1 } });
    const before = s.get("a")!.vector;
    s.updateMetadata("a", { predicted: "negative", p_negative: 0.9 }, ["p_old"]);
    expect(s.get("a")).toMatchObject({ label: "positive", metadata: { text: "hi", predicted: "negative", p_negative: 0.9 } });
    expect(s.get("a")!.metadata).not.toHaveProperty("p_old");
    expect(s.get("a")!.vector).toEqual(before);
    expect(s.searchVector([1, 0], 1, { filter: { metadata: { predicted: "negative" } } }).map((h) => h.id)).toEqual(["a"]);
    expect(() => s.updateMetadata("zz", { x: 1 })).toThrow(/Id "zz" is not in the store/);
  });
});

describe("SentimentModel.train from a store", () => {
  it("gives the same report as training on the dataset (same seed), from the store or its training set", async () => {
    // The store holds local:hash-v2 vectors, so the files are embedded with it too (not the default glove-lex).
    const fromFiles = await SentimentModel.train(dataset, { forest: FOREST, seed: 7, embedder: new HashEmbedder() });
    const fromStore = await SentimentModel.train(store, { forest: FOREST, seed: 7 });
    const fromSet = await SentimentModel.train(store.toTrainingSet(), { forest: FOREST, seed: 7 });
    expect(fromStore.report).toEqual(fromFiles.report);
    expect(fromSet.report).toEqual(fromFiles.report);
    expect(fromStore.usage).toBeUndefined();
    expect(fromStore.ignoredUnlabeled).toBe(0);
    expect(fromStore.model.embedderInfo).toEqual({ id: "local:hash-v2@512", dimensions: 512 });
    expect(fromStore.model.manifest.dataset.rows).toBe(dataset.items.length);
    // The model can embed text: the store's embedder is rebuilt from its id.
    const [p] = await fromStore.model.predict(["absolutely wonderful, I love it"]);
    expect(p.label).toBe("positive");
  }, 120000);

  it("leaves out unlabelled rows and counts them; a filter picks the rows", async () => {
    const s = VectorStore.forEmbedder(new HashEmbedder());
    const items = dataset.items.slice(0, 400);
    await s.addTexts(items.map((item, i) => ({ id: `r${i}`, text: item.text, label: i < 300 ? item.label : undefined, metadata: { half: i % 2 } })));
    const r = await SentimentModel.train(s, { forest: FOREST });
    expect(r.ignoredUnlabeled).toBe(100);
    expect(r.model.manifest.training.trainRows + r.model.manifest.training.testRows).toBe(300);
    const set = s.toTrainingSet({ filter: { metadata: { half: 0 } }, unlabeled: "skip" });
    const half = await SentimentModel.train(set, { forest: FOREST });
    expect(half.ignoredUnlabeled).toBe(50);
    expect(half.model.manifest.training.trainRows + half.model.manifest.training.testRows).toBe(150);
  }, 120000);

  it("refuses an embedder given for text that is not the store's", async () => {
    const other = new HashEmbedder({ dimensions: 256 });
    await expect(SentimentModel.train(store, { embedder: other })).rejects.toThrow(/This store holds local:hash-v2@512 vectors \(512 dims\), but this run would embed with local:hash-v2@256/);
  });
});

describe("checkModelFitsStore", () => {
  it("accepts the same space and refuses another model, size or server in one line", () => {
    const store = { embedderId: "openai:text-embedding-3-small@64~1a2b3c4d", dimensions: 64 };
    expect(() => checkModelFitsStore({ id: "openai:text-embedding-3-small@64~1a2b3c4d", dimensions: 64, server: "1a2b3c4d" }, store, { model: "m", store: "s" })).not.toThrow();
    for (const model of [
      { id: "local:hash-v2@512", dimensions: 512 },
      { id: "openai:text-embedding-3-small@64", dimensions: 64, server: "api.openai.com" },
      { id: "openai:text-embedding-3-large@64~1a2b3c4d", dimensions: 64, server: "1a2b3c4d" },
    ]) {
      let error: unknown;
      try {
        checkModelFitsStore(model, store, { model: "models/m", store: "st" });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EmbeddingError);
      expect((error as EmbeddingError).message).toMatch(new RegExp(`^The model models/m was trained on ${model.id.replace(/[.~@]/g, "\\$&")} vectors .* but the store st holds openai:text-embedding-3-small@64~1a2b3c4d vectors`));
      expect((error as EmbeddingError).message).not.toContain("\n");
    }
  });
});
