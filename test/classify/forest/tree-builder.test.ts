import { describe, expect, it } from "vitest";
import { FeatureBinner } from "../../../src/classify/forest/feature-binner.js";
import { type GrownTree, growTree, radixOrder, type TreeBuildParams, type TreeScratch } from "../../../src/classify/forest/tree-builder.js";
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

  it("orders values as a comparison sort of (value, position) does, ties and -0 included", () => {
    const rng = new Random(8);
    for (const n of [1, 2, 33, 1000, 5000]) {
      // Rounded to 1/8 (many ties), both signs, zeros of both signs, a few large and tiny magnitudes.
      const vals = Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? -0 : i % 89 === 0 ? 3e30 * (rng.int(2) ? 1 : -1) : i % 83 === 0 ? 1e-40 : Math.round((rng.int(2000) - 1000) / 37 * 8) / 8));
      const bits = new Uint32Array(vals.buffer);
      const scratch = () => new Uint32Array(n);
      const order = radixOrder(bits, n, scratch(), scratch(), new Int32Array(n), new Int32Array(n), new Int32Array(1024));
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => vals[a] - vals[b] || (Object.is(vals[a], -0) ? 0 : 1) - (Object.is(vals[b], -0) ? 0 : 1) || a - b);
      expect(Array.from(order.subarray(0, n))).toEqual(expected);
    }
  });

  it("grows pure trees when exact nodes above give way to binned ones by depth (constants found above do not carry over)", () => {
    // Features 4 and 5 are constant: the exact root finds them and moves them to the front of its own
    // feature order. Its children are binned (exactDepth 1) and search the other order; carrying the
    // root's count of known constants over would skip features 0 and 1 there, which the label needs.
    const n = 2000;
    const rng = new Random(12);
    const values = new Float32Array(n * 6);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < 4; f++) values[i * 6 + f] = rng.int(2);
      values[i * 6 + 4] = 7;
      values[i * 6 + 5] = -3;
      y[i] = values[i * 6] !== values[i * 6 + 1] ? 1 : 0;
    }
    const { codes, nBins } = FeatureBinner.fitTransform({ rows: n, cols: 6, data: values });
    const data = { codes, nBins, values, nSamples: n, nFeatures: 6, nClasses: 2, y, classWeight: new Float64Array(2).fill(1) };
    const params: TreeBuildParams = { maxFeatures: 6, maxDepth: Infinity, minSamplesLeaf: 1, minSamplesSplit: 2, criterion: "gini", bootstrap: false, exactFrom: 2, exactDepth: 1 };
    const tree = growTree(data, params, new Random(3));
    expect(Number.isNaN(tree.exactThreshold[0])).toBe(false);
    // Every leaf pure: each leaf's class distribution is one-hot.
    for (let l = 0; l < tree.leafValues.length; l += 2) expect(Math.max(tree.leafValues[l], tree.leafValues[l + 1])).toBe(1);
  });
});
