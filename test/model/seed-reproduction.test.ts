import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/load-dataset.js";
import { SentimentModel } from "../../src/model/sentiment-model.js";
import { DATASETS } from "../support/temp-dir.js";

/**
 * The seed tutorial's §8.1, reproduced: the 10 precomputed text-embedding-3-small@10 vectors,
 * an 80/20 split with seed 42, a random forest, and the tutorial's vector for "really amazing".
 */
const REALLY_AMAZING = [
  0.343048632144928, -0.3309374749660492, -0.5637745261192322, 0.04711998626589775, 0.11376921832561493,
  -0.31761518120765686, -0.28869980573654175, 0.44205737113952637, -0.1346609741449356, 0.20498140156269073,
];

describe("seed §8.1 reproduction", () => {
  it("trains on the seed's vectors and predicts 'really amazing' as positive", async () => {
    const dataset = await loadDataset(join(DATASETS, "seed", "embeddings.json"));
    const { model, report, split } = await SentimentModel.train(dataset, {
      testSize: 0.2,
      seed: 42,
      precomputedEmbedderId: "openai:text-embedding-3-small@10",
    });
    expect(split.train).toHaveLength(8);
    expect(split.test).toHaveLength(2);
    expect(report!.n).toBe(2);
    expect(model.embedderInfo).toEqual({ id: "openai:text-embedding-3-small@10", dimensions: 10 });
    const [p] = model.predictVectors([REALLY_AMAZING]);
    expect(p.label).toBe("positive");
    expect(p.probability).toBeGreaterThan(0.5);
  });
});
