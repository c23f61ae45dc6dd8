import { describe, expect, it } from "vitest";
import { binOf, FeatureBinner, MAX_BINS } from "../../../src/classify/forest/feature-binner.js";
import { Random } from "../../../src/util/random.js";

describe("FeatureBinner", () => {
  it("keeps few distinct values apart and bins many into at most 256 quantiles", () => {
    const r = new Random(1);
    const rows = 5000;
    const data = new Float32Array(rows * 2);
    for (let i = 0; i < rows; i++) {
      data[i * 2] = i % 7; // 7 distinct values
      data[i * 2 + 1] = Math.fround(r.next() * 100 - 50);
    }
    const { binner, codes } = FeatureBinner.fitTransform({ rows, cols: 2, data });
    expect(binner.edges[0]).toHaveLength(6);
    expect(binner.edges[1].length).toBeLessThanOrEqual(MAX_BINS - 1);
    expect(binner.edges[1].length).toBeGreaterThan(200);
    for (let i = 0; i < rows; i++) expect(codes[i * 2]).toBe(i % 7);
    // Roughly equal bins, and "code <= b" agrees with "x <= edges[b]" for every row and edge.
    const counts = new Int32Array(256);
    for (let i = 0; i < rows; i++) counts[codes[i * 2 + 1]]++;
    expect(Math.max(...counts)).toBeLessThan(3 * (rows / 256));
    const e = binner.edges[1];
    for (let i = 0; i < rows; i += 37) {
      const x = data[i * 2 + 1];
      const c = codes[i * 2 + 1];
      expect(binOf(e, x)).toBe(c);
      for (let b = 0; b < e.length; b += 17) expect(c <= b).toBe(x <= e[b]);
    }
  });

  it("lays the codes out row-major, each feature coded as if binned alone", () => {
    const r = new Random(2);
    const rows = 150;
    const cols = 70;
    const data = Float32Array.from({ length: rows * cols }, () => r.next());
    const { codes } = FeatureBinner.fitTransform({ rows, cols, data });
    const column = (f: number) => FeatureBinner.fitTransform({ rows, cols: 1, data: Float32Array.from({ length: rows }, (_, i) => data[i * cols + f]) }).codes;
    for (let f = 0; f < cols; f++) {
      const alone = column(f);
      for (let i = 0; i < rows; i++) expect(codes[i * cols + f]).toBe(alone[i]);
    }
  });

  it("writes shared memory when asked", () => {
    const { codes } = FeatureBinner.fitTransform({ rows: 2, cols: 1, data: new Float32Array([1, 2]) }, { shared: true });
    expect(codes.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("gives every distinct value its own bin, in 16-bit codes, when maxBins allows", () => {
    const rows = 3000;
    const r = new Random(5);
    const data = new Float32Array(rows);
    for (let i = 0; i < rows; i++) data[i] = Math.fround(r.next() * 100);
    const distinct = new Set(data).size;
    const { binner, codes, nBins } = FeatureBinner.fitTransform({ rows, cols: 1, data }, { maxBins: 65535 });
    expect(codes).toBeInstanceOf(Uint16Array);
    expect(binner.edges[0].length).toBe(distinct - 1);
    expect(nBins).toBe(distinct);
    // Exact: a value's code is its rank among the distinct values.
    const sorted = [...new Set(data)].sort((a, b) => a - b);
    for (let i = 0; i < rows; i += 97) expect(codes[i]).toBe(sorted.indexOf(data[i]));
    const narrow = FeatureBinner.fitTransform({ rows, cols: 1, data }, { maxBins: 1000 });
    expect(narrow.binner.edges[0].length).toBeLessThanOrEqual(999);
    expect(narrow.nBins).toBeGreaterThan(900);
  });
});
