import { describe, expect, it } from "vitest";
import { KnnClassifier } from "../../src/classify/knn-classifier.js";
import type { Dataset } from "../../src/data/labeled-text.js";
import { stratifiedKFold } from "../../src/data/stratified-k-fold.js";
import { evaluatePredictions } from "../../src/evaluate/evaluation-report.js";
import { formatReport } from "../../src/evaluate/format-report.js";
import { crossValidate } from "../../src/model/cross-validate.js";
import { Random } from "../../src/util/random.js";
import { argmax } from "../../src/util/argmax.js";

/** Two noisy Gaussian blobs in 8 dimensions, 60/40: the baselines have something to get wrong. */
function blobs(n: number, seed: number): Dataset {
  const rng = new Random(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const items = Array.from({ length: n }, (_, i) => {
    const positive = i % 5 < 3;
    const vector = Float32Array.from({ length: 8 }, (_, d) => (d < 2 ? (positive ? 0.8 : -0.8) : 0) + gauss());
    return { text: `row ${i}`, label: positive ? "positive" : "negative", vector, source: { file: "mem", row: i + 1 } };
  });
  return { items, labels: ["negative", "positive"] } as unknown as Dataset;
}

describe("cross-validation baselines", () => {
  const dataset = blobs(300, 7);
  const forest = { nEstimators: 10, nJobs: 1 };

  it("pools the kNN and logistic-regression baselines over folds, beside the majority class", async () => {
    const result = await crossValidate(dataset, { folds: 3, seed: 5, forest });
    const names = result.pooled.baselines!.map((b) => b.name);
    expect(names).toEqual(['majority class (always "positive")', "kNN (k=15, cosine)", "logistic regression (C=1, standardized)"]);

    // The pooled kNN line is exactly a kNN fitted on each fold's training part, scored on its held-out part.
    const y = dataset.items.map((i) => (i.label === "positive" ? 1 : 0));
    const rows = dataset.items.map((i) => i.vector as Float32Array);
    const yTrue: number[] = [], yPred: number[] = [], proba: Float64Array[] = [];
    for (const { train, test } of stratifiedKFold(dataset.items.map((i) => i.label!), { folds: 3, seed: 5 })) {
      const knn = new KnnClassifier().fit(train.map((i) => rows[i]), train.map((i) => y[i]));
      const p = knn.predictProba(test.map((i) => rows[i]));
      test.forEach((i, k) => { yTrue.push(y[i]); yPred.push(argmax(p[k])); proba.push(p[k]); });
    }
    const manual = evaluatePredictions({ labels: dataset.labels, yTrue, yPred, proba });
    const knn = result.pooled.baselines![1];
    expect(knn.accuracy).toBe(manual.accuracy);
    expect(knn.rocAuc).toBe(manual.rocAuc);
    // Learned baselines beat the constant answer on separable blobs, and the printed report shows them.
    expect(knn.balancedAccuracy).toBeGreaterThan(0.7);
    expect(result.pooled.baselines![2].balancedAccuracy).toBeGreaterThan(0.7);
    expect(formatReport(result.pooled)).toMatch(/kNN \(k=15, cosine\)[\s\S]*logistic regression/);
  });

  it("has no logistic baseline beside a logistic model, and only the majority class with baseline: false", async () => {
    const logistic = await crossValidate(dataset, { folds: 3, classifier: "logistic" });
    expect(logistic.pooled.baselines!.map((b) => b.name)).toEqual(['majority class (always "positive")', "kNN (k=15, cosine)"]);
    const none = await crossValidate(dataset, { folds: 3, forest, baseline: false });
    expect(none.pooled.baselines!.map((b) => b.name)).toEqual(['majority class (always "positive")']);
  });
});
