import { describe, expect, it } from "vitest";
import type { Dataset } from "../../src/data/labeled-text.js";
import { crossValidate } from "../../src/model/cross-validate.js";
import { evaluatePredictions } from "../../src/evaluate/evaluation-report.js";
import { formatReport } from "../../src/evaluate/format-report.js";

describe("cross-validation on 320k rows", () => {
  it("pools 160k-row folds without a stack overflow", async () => {
    // One-dimensional precomputed vectors and a one-split tree: the forest is cheap, the pooling is the test.
    // pooled.push(...fold) of a 160k-row fold overflowed the call stack (issue 10, item 4).
    const n = 320_000;
    const items = Array.from({ length: n }, (_, i) => ({
      text: `row ${i}`,
      label: i % 2 === 0 ? "negative" : "positive",
      vector: Float32Array.of(i % 2),
      source: { file: "mem" },
    }));
    const dataset = { items, labels: ["negative", "positive"] } as unknown as Dataset;
    const result = await crossValidate(dataset, { folds: 2, forest: { nEstimators: 1, maxDepth: 1, nJobs: 1 }, baseline: false });
    expect(result.pooled.n).toBe(n);
    expect(result.pooled.accuracy).toBe(1);
  });
});

describe("formatReport with many classes", () => {
  it("sizes its columns without spreading the confusion matrix into Math.max", () => {
    const k = 400; // 160k confusion cells
    const labels = Array.from({ length: k }, (_, c) => `c${c}`);
    const y = Array.from({ length: k }, (_, c) => c);
    const text = formatReport(evaluatePredictions({ labels, yTrue: y, yPred: y }));
    expect(text).toContain("c399");
  });
});
