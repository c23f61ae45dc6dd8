import { describe, expect, it } from "vitest";
import { FeatureBinner } from "../../../src/classify/forest/feature-binner.js";
import { type GrownTree, growTree, type TreeBuildParams, type TreeScratch } from "../../../src/classify/forest/tree-builder.js";
import { Random } from "../../../src/util/random.js";
import { noisyData } from "./forest-fixtures.js";

function grow(nClasses: number, params: Partial<TreeBuildParams>, seed: number): GrownTree {
  const { X, y } = noisyData(30000, 10, 21);
  if (nClasses === 3) for (let i = 0; i < y.length; i++) if (X.data[i * 10 + 9] > 0.3) y[i] = 2;
  const { codes } = FeatureBinner.fitTransform(X);
  return growTree(
    { codes, nBins: 256, nSamples: X.rows, nFeatures: X.cols, nClasses, y, classWeight: new Float64Array(nClasses).fill(1) },
    { maxFeatures: 10, maxDepth: Infinity, minSamplesLeaf: 1, minSamplesSplit: 2, criterion: "gini", bootstrap: true, ...params },
    new Random(seed),
  );
}

describe("growTree", () => {
  it("grows the same tree with and without histogram subtraction", () => {
    for (const [nClasses, criterion] of [[2, "gini"], [3, "entropy"]] as const) {
      const direct = grow(nClasses, { criterion, histogramSubtraction: false }, 3);
      const subtracted = grow(nClasses, { criterion }, 3);
      expect(direct.nodeCount).toBeGreaterThan(100);
      expect(Array.from(subtracted.feature)).toEqual(Array.from(direct.feature));
      expect(Array.from(subtracted.thresholdBin)).toEqual(Array.from(direct.thresholdBin));
      expect(Array.from(subtracted.right)).toEqual(Array.from(direct.right));
      expect(Array.from(subtracted.leafValues)).toEqual(Array.from(direct.leafValues));
    }
  });

  it("grows the same tree with and without one-pass (batched) histograms of large nodes, and with reused scratch", () => {
    // 512 features: nodes above 2,048 samples are batched. 16-bit codes with 65,536 bins make batches of
    // two features (their histograms are large), maxFeatures 100 batches of 64 + 36.
    const { X, y } = noisyData(6000, 512, 25);
    const y3 = Int32Array.from(y, (c, i) => (X.data[i * 512 + 9] > 0.3 ? 2 : c));
    const { codes } = FeatureBinner.fitTransform(X);
    const base: TreeBuildParams = { maxFeatures: 22, maxDepth: Infinity, minSamplesLeaf: 1, minSamplesSplit: 2, criterion: "gini", bootstrap: true };
    const cases: [number, Partial<TreeBuildParams>, boolean][] = [
      [2, {}, false],
      [3, { criterion: "entropy", minSamplesLeaf: 3 }, false],
      [2, { maxFeatures: 100 }, false],
      [2, {}, true],
      [3, { subsampleClassWeights: true }, false],
    ];
    const scratch: TreeScratch = {};
    for (const [nClasses, params, wide] of cases) {
      const data = {
        codes: wide ? Uint16Array.from(codes) : codes,
        nBins: wide ? 65536 : 256,
        nSamples: X.rows,
        nFeatures: X.cols,
        nClasses,
        y: nClasses === 3 ? y3 : y,
        classWeight: new Float64Array(nClasses).fill(1),
      };
      const one = growTree(data, { ...base, ...params, batchHistograms: false }, new Random(8));
      // One scratch for every case: what a tree leaves in it must not change the next (TreeScratch).
      const batched = growTree(data, { ...base, ...params }, new Random(8), scratch);
      expect(one.nodeCount).toBeGreaterThan(100);
      for (const name of ["feature", "thresholdBin", "nextBin", "right", "leafValues", "importances"] as const) {
        expect(Array.from(batched[name]), `${JSON.stringify(params)} ${name}`).toEqual(Array.from(one[name]));
      }
    }
  });

  it("gives different trees for different seeds, and splits only on features it may use", () => {
    const a = grow(2, { maxFeatures: 3 }, 1);
    const b = grow(2, { maxFeatures: 3 }, 2);
    expect(Array.from(a.feature)).not.toEqual(Array.from(b.feature));
    expect(Math.max(...a.feature)).toBeLessThan(10);
    // Preorder: every internal node's right child comes after its left subtree.
    for (let i = 0; i < a.nodeCount; i++) if (a.feature[i] >= 0) expect(a.right[i]).toBeGreaterThan(i + 1);
  });

  it("grows the same tree from 16-bit codes with a huge bin range (sparse bin listing) as from bytes", () => {
    const { X, y } = noisyData(3000, 10, 23);
    const { codes } = FeatureBinner.fitTransform(X);
    const params: TreeBuildParams = { maxFeatures: 3, maxDepth: Infinity, minSamplesLeaf: 1, minSamplesSplit: 2, criterion: "gini", bootstrap: true };
    const data = { nSamples: X.rows, nFeatures: X.cols, nClasses: 2, y, classWeight: new Float64Array(2).fill(1) };
    const bytes = growTree({ ...data, codes, nBins: 256 }, params, new Random(4));
    // Same codes, but as 16-bit codes with 65,536 possible bins: nodes under 512 samples list their bins
    // from the samples instead of scanning the 2,048-word bitmap.
    const wide = growTree({ ...data, codes: Uint16Array.from(codes), nBins: 65536 }, params, new Random(4));
    expect(bytes.nodeCount).toBeGreaterThan(200);
    for (const name of ["feature", "thresholdBin", "nextBin", "right", "leafValues"] as const) {
      expect(Array.from(wide[name]), name).toEqual(Array.from(bytes[name]));
    }
    // nextBin is the next occupied bin of the node: above the threshold bin.
    for (let i = 0; i < bytes.nodeCount; i++) if (bytes.feature[i] >= 0) expect(bytes.nextBin[i]).toBeGreaterThan(bytes.thresholdBin[i]);
  });

  it("grows the same exact nodes whether they sort packed keys or positions with a comparator", () => {
    // Values repeat (rounded to 1/8) so that ties, and -0 beside 0, are sorted both ways.
    const { X, y } = noisyData(4000, 10, 29);
    const values = Float32Array.from(X.data, (v) => (Math.round(v * 8) / 8) || (v < 0 ? -0 : 0));
    const { codes } = FeatureBinner.fitTransform({ rows: X.rows, cols: X.cols, data: values });
    const data = { codes, nBins: 256, values, nSamples: X.rows, nFeatures: X.cols, nClasses: 3, y: Int32Array.from(y, (c, i) => (values[i * 10 + 4] > 0.5 ? 2 : c)), classWeight: new Float64Array(3).fill(1) };
    const params: TreeBuildParams = { maxFeatures: 3, maxDepth: Infinity, minSamplesLeaf: 2, minSamplesSplit: 2, criterion: "entropy", bootstrap: true, exactFrom: 100 };
    const packed = growTree(data, params, new Random(6));
    const compared = growTree(data, { ...params, packedSortBelow: 16 }, new Random(6));
    let exactNodes = 0;
    for (let i = 0; i < packed.nodeCount; i++) if (!Number.isNaN(packed.exactThreshold[i])) exactNodes++;
    expect(exactNodes).toBeGreaterThan(20);
    for (const name of ["feature", "exactThreshold", "thresholdBin", "right", "leafValues", "importances"] as const) {
      expect(Array.from(compared[name]), name).toEqual(Array.from(packed[name]));
    }
  });
});
