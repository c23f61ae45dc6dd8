import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GloveLexEmbedder } from "../../src/embed/glove-lex-embedder.js";
import { POLARITY_FEATURES, tokenRows } from "../../src/embed/glove-lex-features.js";
import { encodeGloveTableBlocks } from "../../src/embed/encode-glove-table.js";
import { GLOVE_LEX_TABLE_BLOCKS_FILE, GLOVE_LEX_TABLE_BLOCKS_SHA256, GLOVE_LEX_TABLE_FILES, GLOVE_LEX_TABLE_SHA256, defaultGloveTableDir, loadGloveTable } from "../../src/embed/glove-table.js";
import { LEXICON_DIMENSIONS } from "../../src/embed/sentiment-lexicon.js";
import { EmbeddingError } from "../../src/errors.js";
import { sha256Hex } from "../../src/util/sha256.js";
import { useTempDir } from "../support/temp-dir.js";

const VEC = 100;
const POL = VEC;
const cosine = (a: Float32Array, b: Float32Array): number => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < VEC; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
};

describe("GloveLexEmbedder (local:glove-lex-v1, the offline default)", () => {
  const e = new GloveLexEmbedder();

  it("names its version and size in its id: 100 vector + 8 polarity + 16 lexicon + 1 coverage", () => {
    expect(e.id).toBe("local:glove-lex-v1@125");
    expect(e.dimensions).toBe(VEC + POLARITY_FEATURES.length + LEXICON_DIMENSIONS + 1);
  });

  it("gives the same vector on every machine (pinned checksum of the output bytes)", async () => {
    // If this fails, the embedder's output changed: add a new version (the id is the cache namespace and is
    // recorded in model bundles), keep glove-lex-v1 byte for byte, and pin the new version's checksum.
    const [v] = await e.embed(["The food was not bad at all, really amazing!"]);
    expect(sha256Hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))).toMatchInlineSnapshot(`"107ea7515869d6f4034b87fe1ad023ac72f722884446be2bb3545f9e662e96af"`);
    const [hostile] = await e.embed(["gr\u200Beat \u001b[1mfood\u001b[0m, ｆｕｌｌ ｗｉｄｔｈ\u00AD!"]);
    expect(sha256Hex(new Uint8Array(hostile.buffer, hostile.byteOffset, hostile.byteLength))).toMatchInlineSnapshot(`"0901c39dda297da8a21891d061c22e13fc2c05df653a87667e9d005c06cef9ca"`);
  });

  it("returns finite vectors of the declared size, in input order, identical for identical texts", async () => {
    const v = await e.embed(["great phone", "terrible battery", "great phone", "", "zxqvw qqxz"]);
    expect(v).toHaveLength(5);
    for (const x of v) {
      expect(x).toHaveLength(125);
      expect(x.every(Number.isFinite)).toBe(true);
    }
    expect(Array.from(v[0])).toEqual(Array.from(v[2]));
    expect(Array.from(v[0])).not.toEqual(Array.from(v[1]));
    // No known word: an all-zero vector block and a coverage of 0, not NaN.
    expect(v[4].slice(0, VEC).every((x) => x === 0)).toBe(true);
    expect(v[4][124]).toBe(0);
    expect(v[0][124]).toBe(1);
  });

  it("carries meaning across words the training data may never show: related words sit closer than unrelated ones", () => {
    const [excellent, superb, invoice] = ["an excellent film", "a superb movie", "the invoice number"].map((t) => e.embedOne(t));
    expect(cosine(excellent, superb)).toBeGreaterThan(cosine(excellent, invoice) + 0.2);
  });

  it("negates the vectors and flips the polarity of words inside a negation scope", () => {
    const good = e.embedOne("good");
    const notGood = e.embedOne("not good");
    // "not" itself adds its vector; "good" is subtracted, so the two point apart.
    expect(cosine(good, notGood)).toBeLessThan(0);
    expect(good[POL]).toBeGreaterThan(0); // polarity_sum
    expect(notGood[POL]).toBeLessThan(0);
    expect(e.embedOne("The food was not bad at all.")[POL]).toBeGreaterThan(0);
    // A scope ends at punctuation: "not bad. good" keeps "good" positive.
    expect(e.embedOne("not bad. terrible")[POL + 3]).toBeLessThan(-0.5); // polarity_min
  });

  it("spreads polarity to words AFINN does not rate (e.g. 'mediocre', 'masterful')", () => {
    const t = loadGloveTable();
    const p = (w: string): number => t.polarity[t.rowOf(w)];
    expect(p("masterpiece")).toBeGreaterThan(0.5); // AFINN's own valence/5
    expect(p("boring")).toBeLessThan(-0.4);
    for (const w of ["mediocre", "masterful"]) expect(t.rowOf(w) >= 0 && !Number.isNaN(p(w))).toBe(true);
    expect(p("masterful")).toBeGreaterThan(p("mediocre"));
  });

  it("looks up contractions as GloVe's tokeniser split them", () => {
    const t = loadGloveTable();
    expect(t.rowOf("n't")).toBe(-1); // wink's copy of GloVe has no apostrophe tokens
    expect(tokenRows("didn't", t)).toEqual([t.rowOf("did"), t.rowOf("not")]);
    expect(tokenRows("can't", t)).toEqual([t.rowOf("can"), t.rowOf("not")]);
    expect(tokenRows("we'll", t)).toEqual([t.rowOf("we"), t.rowOf("will")]);
    expect(tokenRows("movie's", t)).toEqual([t.rowOf("movie")]);
    expect(tokenRows("good", t)).toEqual([t.rowOf("good")]);
    // The tokeniser glues treebank "does n't" back together, so both spellings embed alike.
    expect(Array.from(e.embedOne("it does n't work"))).toEqual(Array.from(e.embedOne("it doesn't work")));
  });

  it("normalises text: NFKC, lower case, zero-width characters, soft hyphens and terminal escapes", async () => {
    const [clean, ...variants] = await e.embed([
      "great food",
      "GREAT Food",
      "gr\u200Beat fo\u200Cod",
      "gre\u00ADat food",
      "\uFEFFgreat food",
      "\u001b[31mgreat\u001b[0m food",
      "ｇｒｅａｔ ｆｏｏｄ",
    ]);
    for (const v of variants) expect(Array.from(v)).toEqual(Array.from(clean));
  });
});

describe("the word table", () => {
  const tmp = useTempDir("sentivec-glove-");

  it("is checked against its recorded sha256s (the parts', and each 16 KiB block's) and cut into parts under 5 MiB", () => {
    const dir = defaultGloveTableDir();
    const parts = GLOVE_LEX_TABLE_FILES.map((f) => readFileSync(join(dir, f)));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(sha256Hex(Buffer.concat(parts))).toBe(GLOVE_LEX_TABLE_SHA256);
    const blocks = readFileSync(join(dir, GLOVE_LEX_TABLE_BLOCKS_FILE));
    expect(sha256Hex(blocks)).toBe(GLOVE_LEX_TABLE_BLOCKS_SHA256);
    expect(encodeGloveTableBlocks(Buffer.concat(parts)).equals(blocks)).toBe(true);
    const t = loadGloveTable();
    expect(t.rows).toBeGreaterThanOrEqual(50_000);
    expect(t.dims).toBe(VEC);
    expect(t.rowOf("the")).toBe(0);
  });

  it("finds every word of the table at its own row through the stored hash table, and no other string", () => {
    const t = loadGloveTable();
    const misplaced: number[] = [];
    for (let r = 0; r < t.rows; r++) if (t.rowOf(t.wordAt(r)) !== r) misplaced.push(r);
    expect(misplaced).toEqual([]);
    expect(t.wordAt(0)).toBe("the");
    // Non-ASCII words compare by their decoded text; near misses and lone surrogates find nothing.
    const euro = t.rowOf("\u20ac");
    expect(euro).toBeGreaterThan(0);
    expect(t.wordAt(euro)).toBe("\u20ac");
    for (const w of ["", "thhe", "The", "the ", "\ud800", "\u20ac\u20ac", "zxqvw"]) expect(t.rowOf(w), w).toBe(-1);
  });

  /** A copy of the shipped table in `name`, with `damage` applied to the named file's bytes. */
  const damagedCopy = (name: string, file: string, damage: (bytes: Buffer) => Buffer): string => {
    const dir = join(tmp.dir, name);
    mkdirSync(dir);
    const src = defaultGloveTableDir();
    for (const f of [...GLOVE_LEX_TABLE_FILES, GLOVE_LEX_TABLE_BLOCKS_FILE]) {
      if (f === file) writeFileSync(join(dir, f), damage(readFileSync(join(src, f))));
      else copyFileSync(join(src, f), join(dir, f));
    }
    return dir;
  };
  const failure = async (dir: string, texts: string[]): Promise<EmbeddingError> => {
    const err = await new GloveLexEmbedder({ tableDir: dir }).embed(texts).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EmbeddingError);
    return err as EmbeddingError;
  };

  it("refuses a damaged row when it reads it, naming the file and the bytes; every byte used is checked", async () => {
    const shipped = loadGloveTable();
    const lastWord = shipped.wordAt(shipped.rows - 1);
    // The last 100 bytes of the table are the last row's vector.
    const dir = damagedCopy("damaged-row", GLOVE_LEX_TABLE_FILES[1], (b) => {
      b[b.length - 100] ^= 1;
      return b;
    });
    const err = await failure(dir, [`good ${lastWord}`]);
    expect(err.code).toBe("GLOVE_TABLE_CHECKSUM");
    expect(err.message).toContain(join(dir, GLOVE_LEX_TABLE_FILES[1]));
    expect(err.message).toMatch(/bytes \d+–\d+ do not match their recorded sha256/);
    // Rows in undamaged blocks are read and checked as usual, and give the shipped table's vectors.
    const [v] = await new GloveLexEmbedder({ tableDir: dir }).embed(["good movie"]);
    expect(Array.from(v)).toEqual(Array.from(new GloveLexEmbedder().embedOne("good movie")));
  });

  it("refuses a damaged header, a damaged blocks file and a part of the wrong size at the first text", async () => {
    const header = damagedCopy("damaged-header", GLOVE_LEX_TABLE_FILES[0], (b) => {
      b[13] ^= 1; // the row count
      return b;
    });
    expect((await failure(header, ["good"])).message).toContain(join(header, GLOVE_LEX_TABLE_FILES[0]));
    const blocks = damagedCopy("damaged-blocks", GLOVE_LEX_TABLE_BLOCKS_FILE, (b) => {
      b[40] ^= 1;
      return b;
    });
    const blocksErr = await failure(blocks, ["good"]);
    expect(blocksErr.code).toBe("GLOVE_TABLE_CHECKSUM");
    expect(blocksErr.message).toContain(join(blocks, GLOVE_LEX_TABLE_BLOCKS_FILE));
    const short = damagedCopy("short-part", GLOVE_LEX_TABLE_FILES[1], (b) => b.subarray(0, b.length - 1));
    const shortErr = await failure(short, ["good"]);
    expect(shortErr.code).toBe("GLOVE_TABLE_CHECKSUM");
    expect(shortErr.message).toMatch(/parts hold \d+ bytes, not \d+/);
  });

  it("reports a missing part by name, and only when the embedder is first used", async () => {
    const missing = new GloveLexEmbedder({ tableDir: join(tmp.dir, "nowhere") }); // construction reads nothing
    const err = await missing.embed(["good"]).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EmbeddingError);
    expect((err as EmbeddingError).code).toBe("GLOVE_TABLE_MISSING");
    expect((err as Error).message).toContain(join(tmp.dir, "nowhere", GLOVE_LEX_TABLE_FILES[0]));
    const noBlocks = join(tmp.dir, "no-blocks");
    mkdirSync(noBlocks);
    for (const f of GLOVE_LEX_TABLE_FILES) copyFileSync(join(defaultGloveTableDir(), f), join(noBlocks, f));
    const blocksErr = await failure(noBlocks, ["good"]);
    expect(blocksErr.code).toBe("GLOVE_TABLE_MISSING");
    expect(blocksErr.message).toContain(join(noBlocks, GLOVE_LEX_TABLE_BLOCKS_FILE));
  });
});
