import { describe, expect, it } from "vitest";
import { HashEmbedder } from "../../src/embed/hash-embedder.js";
import { sha256Hex } from "../../src/util/sha256.js";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe("HashEmbedder (the offline default)", () => {
  const e = new HashEmbedder();

  it("names its version and size in its id", () => {
    expect(e.id).toBe("local:hash-v2@512");
    expect(new HashEmbedder({ dimensions: 1024 }).id).toBe("local:hash-v2@1024");
    expect(new HashEmbedder({ version: "hash-v1" }).id).toBe("local:hash-v1@512");
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
    // If this fails, the embedder's output changed: add a new version in hash-embedder.ts (it is the cache
    // namespace and is recorded in model bundles), keep the old ones byte for byte, and pin the new checksum.
    const [v] = await e.embed(["The food was not bad at all, really amazing!"]);
    expect(sha256Hex(new Uint8Array(v.buffer))).toMatchInlineSnapshot(`"543d28c73846cc6697f3f4b4bbb62cf49bf4999dad903784ec5e4f2162e6e7f4"`);
    const [hostile] = await e.embed(["gr\u200Beat \u001b[1mfood\u001b[0m, ｆｕｌｌ ｗｉｄｔｈ\u00AD!"]);
    expect(sha256Hex(new Uint8Array(hostile.buffer))).toMatchInlineSnapshot(`"0c7d5cf76a9c7151193349728d9a2bc2d02dfbfdc87e2a575ee26706c8ae7449"`);
  });

  it("keeps hash-v1's exact output, so models and stores built with it predict as before", async () => {
    const v1 = new HashEmbedder({ version: "hash-v1" });
    const [plain] = await v1.embed(["The food was not bad at all, really amazing!"]);
    expect(sha256Hex(new Uint8Array(plain.buffer))).toBe("543d28c73846cc6697f3f4b4bbb62cf49bf4999dad903784ec5e4f2162e6e7f4");
    // hash-v1 splits words at invisible characters; its checksum pins that old behaviour too.
    const [hostile] = await v1.embed(["gr\u200Beat \u001b[1mfood\u001b[0m, ｆｕｌｌ ｗｉｄｔｈ\u00AD!"]);
    expect(sha256Hex(new Uint8Array(hostile.buffer))).toMatchInlineSnapshot(`"9e344902f4c40bd6dcfe9122fe8bf812575a57e7af75b031faa6e0e37fa0c108"`);
  });

  it("hash-v2 ignores zero-width characters, soft hyphens and terminal escapes inside words", async () => {
    const [clean, zw, zwj, shy, bom, ansi, wide] = await e.embed([
      "great food",
      "gr\u200Beat fo\u200Cod",
      "gre\u200Dat\u2060 food",
      "gre\u00ADat food",
      "\uFEFFgreat food",
      "\u001b[31mgreat\u001b[0m food",
      "ｇｒｅａｔ ｆｏｏｄ",
    ]);
    for (const v of [zw, zwj, shy, bom, ansi, wide]) expect(Array.from(v)).toEqual(Array.from(clean));
    const v1 = new HashEmbedder({ version: "hash-v1" });
    const [oldClean, oldZw] = await v1.embed(["great food", "gr\u200Beat fo\u200Cod"]);
    expect(Array.from(oldZw)).not.toEqual(Array.from(oldClean));
  });

  it("rejects an unknown version", () => {
    expect(() => new HashEmbedder({ version: "hash-v9" as never })).toThrow(/Unknown offline embedder version "hash-v9"/);
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
