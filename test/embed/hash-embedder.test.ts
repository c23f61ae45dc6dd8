import { describe, expect, it } from "vitest";
import { HashEmbedder } from "../../src/embed/hash-embedder.js";
import { sha256Hex } from "../../src/util/sha256.js";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe("HashEmbedder (the offline default)", () => {
  const e = new HashEmbedder();

  it("names its version and size in its id", () => {
    expect(e.id).toBe("local:hash-v1@512");
    expect(new HashEmbedder({ dimensions: 1024 }).id).toBe("local:hash-v1@1024");
  });

  it("returns unit vectors of the declared size, in input order", async () => {
    const texts = ["great phone", "terrible battery", "great phone"];
    const v = await e.embed(texts);
    expect(v).toHaveLength(3);
    for (const x of v) {
      expect(x).toHaveLength(512);
      expect(dot(x, x)).toBeCloseTo(1, 5);
    }
    expect(Array.from(v[0])).toEqual(Array.from(v[2]));
    expect(Array.from(v[0])).not.toEqual(Array.from(v[1]));
  });

  it("gives the same vector on every machine (pinned checksum of the output bytes)", async () => {
    // If this fails, the embedder's output changed: bump VERSION in hash-embedder.ts (it is the cache
    // namespace and is recorded in model bundles) and update the checksum.
    const [v] = await e.embed(["The food was not bad at all, really amazing!"]);
    expect(sha256Hex(new Uint8Array(v.buffer))).toMatchInlineSnapshot(`"543d28c73846cc6697f3f4b4bbb62cf49bf4999dad903784ec5e4f2162e6e7f4"`);
  });

  it("separates negated from plain sentiment words", async () => {
    const [good, notGood, fine] = await e.embed(["good", "not good", "good good"]);
    expect(dot(good, fine)).toBeGreaterThan(dot(good, notGood));
  });

  it("glues treebank-split contractions back together", async () => {
    const [a, b] = await e.embed(["it does n't work", "it doesn't work"]);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it("puts similar texts closer than unrelated ones", async () => {
    const [a, b, c] = await e.embed(["the battery life is excellent", "excellent battery life", "the waiter was rude to us"]);
    expect(dot(a, b)).toBeGreaterThan(dot(a, c));
  });

  it("rejects sizes too small for its lexicon block", () => {
    expect(() => new HashEmbedder({ dimensions: 16 })).toThrow(/dimensions must be a whole number from 64/);
  });
});
