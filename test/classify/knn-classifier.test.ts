import { describe, expect, it } from "vitest";
import { KnnClassifier } from "../../src/classify/knn-classifier.js";
import { Random } from "../../src/util/random.js";
import type { Matrix } from "../../src/util/matrix.js";

/** Two (or three) classes around well-separated directions, with noise. */
function blobs(n: number, dims: number, classes: number, seed: number): { X: Matrix; y: Int32Array } {
  const rng = new Random(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dims }, () => rng.next() * 2 - 1));
  const data = new Float32Array(n * dims);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < dims; j++) data[i * dims + j] = centres[c][j] + (rng.next() - 0.5) * 0.6;
  }
  return { X: { rows: n, cols: dims, data }, y };
}

describe("KnnClassifier", () => {
  it("learns a separable set", () => {
    const train = blobs(300, 32, 3, 1);
    const test = blobs(150, 32, 3, 1); // same centres (same seed), fresh noise via a different count order
    const knn = new KnnClassifier().fit(train.X, train.y);
    expect(knn.nClasses).toBe(3);
    expect(knn.nFeatures).toBe(32);
    const pred = knn.predict(test.X);
    let right = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === test.y[i]) right++;
    expect(right / pred.length).toBeGreaterThan(0.95);
    for (const p of knn.predictProba(test.X)) {
      expect(p.length).toBe(3);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    }
  });

  it("vote shares are exact counts of the k nearest (uniform) and exact matches decide (distance)", () => {
    const X = [[1, 0], [0.9, 0.1], [0.8, 0.2], [0, 1], [0.1, 0.9]];
    const y = [0, 0, 1, 1, 1];
    const uniform = new KnnClassifier({ k: 3 }).fit(X, y);
    expect(Array.from(uniform.predictProba([[1, 0.05]])[0])).toEqual([2 / 3, 1 / 3]);
    const distance = new KnnClassifier({ k: 5, weights: "distance" }).fit(X, y);
    expect(Array.from(distance.predictProba([[0, 2]])[0])).toEqual([0, 1]);
    const p = distance.predictProba([[1, 0.3]])[0];
    expect(p[1]).toBeGreaterThan(p[0]); // [0.8, 0.2] (class 1) is nearly parallel to the query
    expect(p[0] + p[1]).toBeCloseTo(1, 12);
  });

  it("serializes and deserializes to the same predictions", () => {
    const train = blobs(120, 16, 2, 3);
    const knn = new KnnClassifier({ k: 7, weights: "distance" }).fit(train.X, train.y);
    const bytes = knn.serialize();
    expect(KnnClassifier.isSerialized(bytes)).toBe(true);
    expect(new TextDecoder().decode(bytes.subarray(0, 12))).toBe("sentivec-knn");
    const back = KnnClassifier.deserialize(bytes);
    expect(back.params).toEqual({ k: 7, weights: "distance" });
    const test = blobs(40, 16, 2, 4);
    expect(back.predictProba(test.X)).toEqual(knn.predictProba(test.X));
    expect(() => KnnClassifier.deserialize(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
    expect(() => KnnClassifier.deserialize(new Uint8Array([1, 2, 3]))).toThrow(/not a serialized kNN/);
  });

  it("clear errors: untrained, wrong width, bad options", () => {
    expect(() => new KnnClassifier().predict([[1, 2]])).toThrow(/not been trained/);
    expect(() => new KnnClassifier({ k: 0 })).toThrow(/k must be/);
    const knn = new KnnClassifier({ k: 1 }).fit([[1, 0], [0, 1]], [0, 1]);
    expect(() => knn.predict([[1, 0, 0]])).toThrow(/trained on 2 features but got vectors of 3/);
    expect(Array.from(knn.predict([[0.9, 0.1], [0.2, 0.8]]))).toEqual([0, 1]);
  });
});
