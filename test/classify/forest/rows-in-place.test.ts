import { describe, expect, it, vi } from "vitest";
import type { LabeledText } from "../../../src/data/labeled-text.js";
import { HashEmbedder } from "../../../src/embed/hash-embedder.js";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import { embedItems } from "../../../src/model/embed-items.js";
import { SentimentModel } from "../../../src/model/sentiment-model.js";
import { matrixRow } from "../../../src/util/matrix.js";
import { noisyData } from "./forest-fixtures.js";

// Issue 10 item 4 (memory): a million 512-d rows must be held once, not as rows plus matrix copies.

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("training on rows held separately", () => {
  const { X, y } = noisyData(600, 12, 4);
  const rows = Array.from({ length: X.rows }, (_, i) => matrixRow(X, i));

  it("gives the same forest from Float32Array rows, number[][] rows and a matrix, for any nJobs", () => {
    const options = { nEstimators: 8, seed: 3, oobScore: true };
    const fromMatrix = new RandomForestClassifier(options).fit(X, y);
    const fromRows = new RandomForestClassifier({ ...options, nJobs: 2 }).fit(rows, y);
    const fromArrays = new RandomForestClassifier(options).fit(rows.map((r) => Array.from(r)), y);
    expect(hex(fromRows.serialize())).toBe(hex(fromMatrix.serialize()));
    expect(hex(fromArrays.serialize())).toBe(hex(fromMatrix.serialize()));
    expect(fromRows.oobScore).toBe(fromMatrix.oobScore);
  });

  it("checks rows as a matrix would be checked", () => {
    const bad = rows.slice(0, 3).map((r) => Float32Array.from(r));
    bad[2][5] = Number.NaN;
    expect(() => new RandomForestClassifier().fit(bad, [0, 1, 0])).toThrow(/training vectors: row 2, column 5 is NaN/);
    expect(() => new RandomForestClassifier().fit([rows[0], rows[1].subarray(1)], [0, 1])).toThrow(/row 1 has 11 values but row 0 has 12/);
  });
});

describe("no copies of the vectors on the way to the forest", () => {
  const items: LabeledText[] = Array.from({ length: 40 }, (_, i) => ({
    text: `row ${i}`,
    label: i % 2 ? "positive" : "negative",
    vector: Float32Array.of(i % 2, (i * 7) % 5, i / 40),
    source: { file: "mem", line: i + 1 },
  }));

  it("embedItems hands back the dataset's own vectors", async () => {
    const { rows, cols } = await embedItems(items, undefined);
    expect(cols).toBe(3);
    expect(rows.every((r, i) => r === items[i].vector)).toBe(true);
  });

  it("SentimentModel.train with testSize 0 fits on those same arrays", async () => {
    const fit = vi.spyOn(RandomForestClassifier.prototype, "fit");
    try {
      await SentimentModel.train(items, { testSize: 0, forest: { nEstimators: 2 } });
      const X = fit.mock.calls[0][0] as Float32Array[];
      expect(Array.isArray(X)).toBe(true);
      expect(X.every((r, i) => r === items[i].vector)).toBe(true);
    } finally {
      fit.mockRestore();
    }
  });

  it("the offline embedder returns a batch as views of one buffer, equal to one-by-one vectors", async () => {
    const e = new HashEmbedder();
    const texts = ["great phone", "not good at all", "meh"];
    const batch = await e.embed(texts);
    expect(new Set(batch.map((v) => v.buffer)).size).toBe(1);
    expect(batch[0].buffer.byteLength).toBe(texts.length * e.dimensions * 4);
    batch.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(e.embedOne(texts[i]))));
  });
});
