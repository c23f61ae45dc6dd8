import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/load-dataset.js";
import { LogisticRegression } from "../../src/classify/linear/logistic-regression.js";
import { SentimentModel } from "../../src/model/sentiment-model.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir();
const food = join(DATASETS, "fine-food-reviews", "fine_food_reviews_1k.csv");

describe("SentimentModel composes any classifier with a label scheme", () => {
  it("trains logistic regression on five star classes, saves, and loads it back with the scheme", async () => {
    const dataset = await loadDataset(food, { labels: "stars5" });
    const { model, report } = await SentimentModel.train(dataset, { classifier: "logistic", logistic: { C: 0.1 } });
    expect(model.classifier).toBeInstanceOf(LogisticRegression);
    expect(model.labels).toEqual(["1", "2", "3", "4", "5"]);
    expect(report!.perClass).toHaveLength(5);
    expect(report!.rocAuc).not.toBeNull();
    const dir = join(tmp.dir, "five");
    const manifest = await model.save(dir);
    expect(manifest).toMatchObject({ labelScheme: "stars5", classifier: { kind: "logistic" } });
    const back = await SentimentModel.load(dir);
    expect(back.labelScheme).toBe("stars5");
    const texts = ["Wonderful coffee, will buy again", "Arrived broken and tasted stale"];
    expect((await back.predict(texts)).map((p) => p.probabilities)).toEqual((await model.predict(texts)).map((p) => p.probabilities));
  });

  it("a model trained from plain items records no scheme", async () => {
    const items = ["good", "bad", "great", "awful", "nice", "poor"].map((text, i) => ({ text, label: i % 2 ? "negative" : "positive", source: { file: "mem" } }));
    const { model } = await SentimentModel.train(items, { testSize: 0, forest: { nEstimators: 5 } });
    expect(model.labelScheme).toBeUndefined();
    const manifest = await model.save(join(tmp.dir, "plain"));
    expect(manifest.labelScheme).toBeUndefined();
    expect(manifest.classifier).toEqual({ kind: "forest" });
  });
});
