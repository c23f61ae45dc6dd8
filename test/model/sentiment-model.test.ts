import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/load-dataset.js";
import type { Dataset } from "../../src/data/labeled-text.js";
import type { Embedder } from "../../src/embed/embedder.js";
import { GloveLexEmbedder } from "../../src/embed/glove-lex-embedder.js";
import { HashEmbedder } from "../../src/embed/hash-embedder.js";
import { BundleError, EmbeddingError, ModelError } from "../../src/errors.js";
import { SentimentModel } from "../../src/model/sentiment-model.js";
import { VERSION } from "../../src/version.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir();
let dataset: Dataset;
let trained: Awaited<ReturnType<typeof SentimentModel.train>>;

beforeAll(async () => {
  const uci = join(DATASETS, "uci-sentiment-labelled-sentences");
  dataset = await loadDataset([join(uci, "amazon_cells_labelled.txt"), join(uci, "yelp_labelled.txt")]);
  trained = await SentimentModel.train(dataset, { forest: { nEstimators: 60 } });
});

describe("SentimentModel on the UCI sentences", () => {
  it("learns: well above chance on the held-out split", () => {
    const r = trained.report!;
    expect(r.n).toBe(Math.round(dataset.items.length * 0.2));
    expect(r.accuracy).toBeGreaterThan(0.78);
    expect(r.rocAuc!).toBeGreaterThan(0.85);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(r.n);
  });

  it("scores majority-class, kNN and logistic regression baselines on the same split", () => {
    const [majority, knn, logistic] = trained.report!.baselines!;
    expect(majority.name).toMatch(/^majority class \(always "(negative|positive)"\)$/);
    // A constant answer: balanced accuracy exactly 1/2, ROC-AUC 1/2, accuracy the commonest class's share.
    expect(majority.balancedAccuracy).toBe(0.5);
    expect(majority.rocAuc).toBe(0.5);
    const shares = trained.report!.perClass.map((c) => c.support / trained.report!.n);
    expect(majority.accuracy).toBeCloseTo(Math.max(...shares), 10);
    expect(knn.name).toBe("kNN (k=15, cosine)");
    expect(knn.accuracy).toBeGreaterThan(0.7);
    expect(knn.accuracy).toBeLessThanOrEqual(1);
    expect(logistic.name).toMatch(/^logistic regression/);
    expect(logistic.accuracy).toBeGreaterThan(0.7);
  });

  it("predicts a label and probability per text", async () => {
    const p = await trained.model.predict(["really amazing, I love it", "terrible, broke after a day, waste of money"]);
    expect(p.map((x) => x.label)).toEqual(["positive", "negative"]);
    for (const x of p) {
      expect(x.probability).toBeGreaterThanOrEqual(0.5);
      expect(x.probabilities.positive + x.probabilities.negative).toBeCloseTo(1, 10);
    }
  });

  it("is deterministic: the same seed gives the same forest bytes", async () => {
    const again = await SentimentModel.train(dataset, { forest: { nEstimators: 60 } });
    expect(Buffer.from(again.model.classifier.serialize()).equals(Buffer.from(trained.model.classifier.serialize()))).toBe(true);
  });

  it("saves a bundle recording everything, and loads it back to identical predictions", async () => {
    const dir = join(tmp.dir, "bundle");
    const manifest = await trained.model.save(dir);
    expect(manifest.toolkitVersion).toBe(VERSION);
    expect(manifest.embedder).toEqual({ id: "local:glove-lex-v2@133", dimensions: 133 });
    expect(manifest.labels).toEqual(["negative", "positive"]);
    expect(manifest.dataset.fingerprint).toBe(dataset.fingerprint);
    expect(manifest.metrics!.accuracy).toBe(trained.report!.accuracy);
    expect(manifest.forest.params).toMatchObject({ nEstimators: 60 });
    expect(Date.parse(manifest.createdAt)).not.toBeNaN();
    const loaded = await SentimentModel.load(dir);
    const texts = ["not worth the money", "great sound quality", "the staff was friendly"];
    expect(await loaded.predict(texts)).toEqual(await trained.model.predict(texts));
  });

  it("evaluate() on other data gives a full report", async () => {
    const dev = await loadDataset(join(DATASETS, "sst2", "dev.tsv"));
    const r = await trained.model.evaluate(dev.items.slice(0, 200));
    expect(r.n).toBe(200);
    expect(r.accuracy).toBeGreaterThan(0.55);
  });
});

describe("bundle and embedder errors", () => {
  const bundle = () => join(tmp.dir, "bundle");
  const copy = async (name: string, edit: (dir: string) => void): Promise<string> => {
    const dir = join(tmp.dir, name);
    await trained.model.save(dir);
    edit(dir);
    return dir;
  };

  it("a missing bundle", async () => {
    await expect(SentimentModel.load(join(tmp.dir, "nothing-here"))).rejects.toThrow(/No model bundle here \(model\.json not found\)/);
  });

  it("a truncated forest file", async () => {
    const dir = await copy("truncated", (d) => {
      const f = join(d, "forest.1.bin");
      writeFileSync(f, readFileSync(f).subarray(0, 100));
    });
    const err = await SentimentModel.load(dir).catch((e) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect(err.message).toMatch(/forest\.1\.bin: The forest file has 100 bytes but the manifest says \d+ \(truncated/);
  });

  it("a corrupt forest file of the right size", async () => {
    const dir = await copy("corrupt", (d) => {
      const f = join(d, "forest.1.bin");
      const b = readFileSync(f);
      b[b.length >> 1] ^= 0xff;
      writeFileSync(f, b);
    });
    await expect(SentimentModel.load(dir)).rejects.toThrow(/sha256 does not match the manifest/);
  });

  it("a corrupt manifest", async () => {
    const dir = await copy("bad-manifest", (d) => writeFileSync(join(d, "model.json"), '{"format": "sentivec-model", "formatVe'));
    await expect(SentimentModel.load(dir)).rejects.toThrow(/model\.json: The manifest is not valid JSON \(truncated or corrupt\)/);
  });

  it("a bundle from a future format version", async () => {
    const dir = await copy("future", (d) => {
      const m = JSON.parse(readFileSync(join(d, "model.json"), "utf8"));
      writeFileSync(join(d, "model.json"), JSON.stringify({ ...m, formatVersion: 99 }));
    });
    await expect(SentimentModel.load(dir)).rejects.toThrow(/Bundle format version 99 is not supported/);
  });

  /** Trains a small model with an earlier embedder version, saves it, loads it back with no embedder named, and checks the loaded one. */
  const oldBundle = async (embedder: Embedder, id: string, texts: string[]): Promise<void> => {
    const small = await SentimentModel.train(dataset.items.slice(0, 300), { embedder, testSize: 0, forest: { nEstimators: 25 } });
    const dir = join(tmp.dir, `bundle-${id.replace(/[:@]/g, "-")}`);
    await small.model.save(dir);
    const loaded = await SentimentModel.load(dir);
    expect(loaded.embedder!.id).toBe(id);
    // The loaded embedder gives the old version's vectors, so the probabilities are the old model's.
    expect((await loaded.embedder!.embed(texts)).map((v) => Array.from(v))).toEqual((await embedder.embed(texts)).map((v) => Array.from(v)));
    expect(await loaded.predict(texts)).toEqual(await small.model.predict(texts));
  };

  it("a bundle built with the earlier local:glove-lex-v1 still loads with glove-lex-v1 and predicts exactly as before", async () => {
    // "lol" and "not bad" score differently in v2 (VADER), so v2 vectors would not match.
    await oldBundle(new GloveLexEmbedder({ version: "glove-lex-v1" }), "local:glove-lex-v1@125", ["not bad at all, lol", "not worth it"]);
  });

  it("a bundle built with the earlier local:hash-v1 still loads with hash-v1 and predicts exactly as before", async () => {
    // A zero-width space changes hash-v1's vector (hash-v2 would ignore it).
    await oldBundle(new HashEmbedder({ version: "hash-v1" }), "local:hash-v1@512", ["gr\u200Beat phone", "not worth it"]);
  });

  it("predicting with another embedder than the bundle's is refused", async () => {
    const err = await SentimentModel.load(bundle(), { embedder: new HashEmbedder({ dimensions: 256 }) }).catch((e) => e);
    expect(err).toBeInstanceOf(EmbeddingError);
    expect(err.message).toMatch(/trained on local:glove-lex-v2@133 vectors \(133 dims\), but this run would embed with local:hash-v2@256/);
  });

  it("vectors of the wrong size are refused at predict time", () => {
    expect(() => trained.model.predictVectors([[1, 2, 3]])).toThrow(ModelError);
  });

  it("testSize and seed are checked: NaN or −0.5 no longer means \"no test split\" (issue 10 item 11)", async () => {
    const items = dataset.items.slice(0, 40);
    for (const testSize of [Number.NaN, -0.5, 1]) {
      await expect(SentimentModel.train(items, { testSize }), String(testSize)).rejects.toThrow(/testSize must be a number from 0 \(inclusive: no test split\) to 1 \(exclusive\)/);
    }
    await expect(SentimentModel.train(items, { seed: Number.NaN })).rejects.toThrow(/seed must be a whole number from 0 to 4294967295; got NaN/);
  });

  it("an empty item list says there is nothing to train on (not \"all 0 items are unlabelled\")", async () => {
    await expect(SentimentModel.train([])).rejects.toThrow(/nothing to train on: the dataset has no items/);
  });

  it("a blank text is refused by predict, naming its position, instead of getting a label (issue 10 item 10)", async () => {
    for (const blank of ["", "   ", "\u200b\t"]) {
      const err = await trained.model.predict(["great phone", blank]).catch((e) => e);
      expect(err).toBeInstanceOf(ModelError);
      expect(err.code).toBe("PREDICT_BLANK_TEXT");
      expect(err.message).toMatch(/^Text 2 of 2 is (empty|blank): there is nothing to classify/);
    }
  });

  it("training data with one class is refused before anything is embedded", async () => {
    const oneClass = dataset.items.filter((i) => i.label === "positive").slice(0, 20);
    await expect(SentimentModel.train(oneClass)).rejects.toThrow(/needs examples of at least two labels; all 20 items are "positive"/);
  });
});
