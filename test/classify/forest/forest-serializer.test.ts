import { describe, expect, it } from "vitest";
import { BundleError } from "../../../src/errors.js";
import { deserializeClassifier } from "../../../src/classify/forest/create-classifier.js";
import { MlRandomForestClassifier } from "../../../src/classify/forest/ml-random-forest-classifier.js";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import { crc32 } from "../../../src/classify/forest/crc32.js";
import { noisyData } from "./forest-fixtures.js";
import { readFileSync } from "node:fs";

const train = noisyData(300, 24, 11);
const test = noisyData(200, 24, 12);
const model = new RandomForestClassifier({ nEstimators: 15, oobScore: true }).fit(train.X, train.y);
const bytes = model.serialize();

/** Rewrites the trailing checksum, so a test reaches the checks behind it. */
function withChecksum(b: Uint8Array): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

describe("forest serialization", () => {
  it("round-trips to identical predictions, importances and bytes", () => {
    const loaded = deserializeClassifier(bytes);
    expect(loaded).toBeInstanceOf(RandomForestClassifier);
    expect(loaded.nClasses).toBe(2);
    expect(loaded.nFeatures).toBe(24);
    expect(loaded.params).toEqual(model.params);
    expect(loaded.predictProba(test.X)).toEqual(model.predictProba(test.X));
    expect(loaded.predictProba(train.X)).toEqual(model.predictProba(train.X));
    const l = loaded as RandomForestClassifier;
    expect(l.oobScore).toBe(model.oobScore);
    expect(Array.from(l.featureImportances)).toEqual(Array.from(model.featureImportances, Math.fround));
    // Loading from an unaligned view works and re-serialising gives the same bytes.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(Buffer.from(deserializeClassifier(shifted.subarray(1)).serialize()).equals(Buffer.from(bytes))).toBe(true);
  });

  it("loads a version-1 file written by an older sentivec (main at de7cdfc) and predicts as it did", () => {
    // Written before the packed node layout and midpoint thresholds: what it predicted then, it predicts now.
    const dir = new URL("./fixtures/", import.meta.url);
    const old = new Uint8Array(readFileSync(new URL("forest-v1-main-de7cdfc.bin", dir)));
    const expected = JSON.parse(readFileSync(new URL("forest-v1-main-de7cdfc.expected.json", dir), "utf8")) as { test: number[]; proba: number[][] };
    const loaded = deserializeClassifier(old);
    const X = { rows: expected.proba.length, cols: 6, data: Float32Array.from(expected.test) };
    expect(loaded.predictProba(X).map((p) => Array.from(p))).toEqual(expected.proba);
    // Its header has no maxBins (it predates the option): it was fitted with 256 bins, and says so when saved again.
    expect(loaded.params.maxBins).toBe(256);
    const again = deserializeClassifier(loaded.serialize());
    expect(again.params).toEqual(loaded.params);
    expect(again.predictProba(X)).toEqual(loaded.predictProba(X));
  });

  it("is far smaller than ml-random-forest's JSON for the same forest", () => {
    const ml = new MlRandomForestClassifier({ nEstimators: 15 }).fit(train.X, train.y).serialize();
    expect(bytes.length * 4).toBeLessThan(ml.length);
  });

  it("rejects bad magic", () => {
    const b = bytes.slice();
    b[0] = 0x58;
    expect(() => deserializeClassifier(b)).toThrow(BundleError);
    expect(() => RandomForestClassifier.deserialize(b)).toThrow(/not a sentivec forest/);
  });

  it("rejects an unknown version", () => {
    const b = bytes.slice();
    new DataView(b.buffer).setUint32(8, 2, true);
    expect(() => deserializeClassifier(b)).toThrow(BundleError);
    expect(() => deserializeClassifier(b)).toThrow(/format version 2; this sentivec reads version 1/);
  });

  it("rejects truncated bytes", () => {
    for (const n of [4, 12, 20, bytes.length >> 1, bytes.length - 1]) {
      expect(() => deserializeClassifier(bytes.subarray(0, n)), `length ${n}`).toThrow(BundleError);
    }
    expect(() => deserializeClassifier(bytes.subarray(0, bytes.length - 9))).toThrow(/truncated/);
  });

  it("rejects corrupt bytes", () => {
    const b = bytes.slice();
    b[b.length >> 1] ^= 0x40;
    expect(() => deserializeClassifier(b)).toThrow(/checksum does not match/);
  });

  it("rejects a well-checksummed file whose trees point outside themselves", () => {
    // The first tree's root "right" field: header, meta, importances, counts, feature[], threshold[].
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const metaLength = view.getUint32(12, true);
    const treeAt = 16 + metaLength + 4 * 24;
    const nodeCount = view.getUint32(treeAt, true);
    const b = bytes.slice();
    new DataView(b.buffer).setInt32(treeAt + 8 + 8 * nodeCount, 1_000_000, true);
    expect(() => deserializeClassifier(withChecksum(b))).toThrow(/points outside the tree/);
  });
});
