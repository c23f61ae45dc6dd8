import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GloveLexEmbedder } from "../../src/embed/glove-lex-embedder.js";
import { POLARITY_FEATURES, VADER_FEATURES, tokenRows } from "../../src/embed/glove-lex-features.js";
import { GLOVE_LEXICON_FILE, GLOVE_LEXICON_SHA256, encodeGloveLexicon, loadGloveLexicon } from "../../src/embed/glove-lexicon.js";
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

describe("GloveLexEmbedder local:glove-lex-v1 (the offline default before v2; kept for its bundles)", () => {
  const e = new GloveLexEmbedder({ version: "glove-lex-v1" });

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

describe("GloveLexEmbedder local:glove-lex-v2 (the offline default: AFINN-165 + VADER)", () => {
  const e = new GloveLexEmbedder();
  const v1 = new GloveLexEmbedder({ version: "glove-lex-v1" });
  const VADER = 125;

  it("is the default, and names its version and size: v1's 125 features + 8 VADER features", () => {
    expect(e.id).toBe("local:glove-lex-v2@133");
    expect(e.dimensions).toBe(125 + VADER_FEATURES.length);
  });

  it("gives the same vector on every machine (pinned checksum of the output bytes)", async () => {
    // If this fails, v2's output changed: add a new version and keep glove-lex-v2 byte for byte (see v1's test).
    const [v] = await e.embed(["The food was not bad at all, really amazing!"]);
    expect(sha256Hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))).toMatchInlineSnapshot(`"2f3b78fcf2a05e0f460669a8b29795e0b9d476b2a85e2c06d6b43501e5b425b9"`);
    const [hostile] = await e.embed(["gr\u200Beat \u001b[1mfood\u001b[0m, ｆｕｌｌ ｗｉｄｔｈ\u00AD lol!"]);
    expect(sha256Hex(new Uint8Array(hostile.buffer, hostile.byteOffset, hostile.byteLength))).toMatchInlineSnapshot(`"ed2cc1a3424856422d9c39b59a99a219e7818835427432e9d85ef760627805e0"`);
  });

  it("keeps v1's word vectors, lexicon slots and coverage; only the polarity block and the VADER block differ", () => {
    for (const text of ["an excellent film", "not worth the money", "meh, the plot drags"]) {
      const [a, b] = [e.embedOne(text), v1.embedOne(text)];
      expect(Array.from(a.slice(0, POL))).toEqual(Array.from(b.slice(0, POL)));
      expect(Array.from(a.slice(POL + 8, 125))).toEqual(Array.from(b.slice(POL + 8, 125)));
    }
    // "meh" and "drags": VADER rates them, AFINN does not, so v2's polarity differs from v1's spread.
    expect(e.embedOne("meh")[POL]).not.toBe(v1.embedOne("meh")[POL]);
  });

  it("scores VADER's words, negation-aware, including words the table lacks ('fubar'), and leaves unrated text at 0", () => {
    const t = loadGloveTable();
    const lex = loadGloveLexicon(t.rows);
    expect(lex.vader[t.rowOf("good")]).toBeCloseTo(1.9 / 4, 6); // VADER's mean rating for "good"
    expect(lex.vader[t.rowOf("the")]).toBe(0);
    expect(t.rowOf("fubar")).toBe(-1);
    expect(lex.extraVader.get("fubar")).toBeCloseTo(-3 / 4, 6);
    expect(e.embedOne("good")[VADER]).toBeGreaterThan(0); // vader_sum
    expect(e.embedOne("not good")[VADER]).toBeLessThan(0);
    expect(e.embedOne("fubar")[VADER]).toBeLessThan(0);
    expect(v1.embedOne("fubar").slice(0, POL + 8).every((x) => x === 0)).toBe(true); // a word v1 cannot see
    expect(e.embedOne("terrible, awful")[VADER + 5]).toBeGreaterThan(0); // vader_negative_words
    expect(Array.from(e.embedOne("the table and the chair").slice(VADER))).toEqual(new Array(8).fill(0));
    const v = e.embedOne("an excellent, excellent film!");
    expect(v[VADER + 7]).toBeGreaterThan(0.5); // vader_compound
    expect(v.every(Number.isFinite)).toBe(true);
  });

  it("takes AFINN's valence where both lists rate a word, and VADER's where only VADER does", () => {
    const t = loadGloveTable();
    const lex = loadGloveLexicon(t.rows);
    expect(lex.polarity[t.rowOf("masterpiece")]).toBeCloseTo(t.polarity[t.rowOf("masterpiece")], 6); // AFINN 4/5
    expect(lex.polarity[t.rowOf("meh")]).toBeCloseTo(lex.vader[t.rowOf("meh")], 6);
    expect(lex.polarity[t.rowOf("masterful")]).toBeGreaterThan(lex.polarity[t.rowOf("mediocre")]);
  });
});

describe("the lexicon file of glove-lex-v2", () => {
  const tmp = useTempDir("sentivec-glove-lexicon-");
  const rows = loadGloveTable().rows;
  const dirWith = (name: string, bytes: Buffer): string => {
    const dir = join(tmp.dir, name);
    mkdirSync(dir);
    writeFileSync(join(dir, GLOVE_LEXICON_FILE), bytes);
    return dir;
  };
  const shipped = (): Buffer => readFileSync(join(defaultGloveTableDir(), GLOVE_LEXICON_FILE));
  const failure = (fn: () => unknown): EmbeddingError => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(EmbeddingError);
      return error as EmbeddingError;
    }
    throw new Error("expected an EmbeddingError");
  };

  it("is the recorded file, well under 5 MiB", () => {
    const bytes = shipped();
    expect(sha256Hex(bytes)).toBe(GLOVE_LEXICON_SHA256);
    expect(bytes.length).toBeLessThan(1024 * 1024);
  });

  it("refuses a missing file and a damaged one by name, and v1 needs neither", async () => {
    const missing = failure(() => loadGloveLexicon(rows, join(tmp.dir, "nowhere")));
    expect(missing.code).toBe("GLOVE_TABLE_MISSING");
    expect(missing.message).toContain(join(tmp.dir, "nowhere", GLOVE_LEXICON_FILE));
    const bytes = shipped();
    bytes[100] ^= 1;
    const damaged = dirWith("damaged", bytes);
    const err = failure(() => loadGloveLexicon(rows, damaged));
    expect(err.code).toBe("GLOVE_TABLE_CHECKSUM");
    expect(err.message).toMatch(/glove-lex-v2\.lexicon has sha256 [0-9a-f]{12}…, not /);
    // The embedder reports it at the first text; v1 with the same folder never reads the file.
    const table = join(tmp.dir, "table-without-lexicon");
    mkdirSync(table);
    for (const f of [...GLOVE_LEX_TABLE_FILES, GLOVE_LEX_TABLE_BLOCKS_FILE]) copyFileSync(join(defaultGloveTableDir(), f), join(table, f));
    const v2err = await new GloveLexEmbedder({ tableDir: table }).embed(["good"]).catch((x: unknown) => x);
    expect((v2err as EmbeddingError).code).toBe("GLOVE_TABLE_MISSING");
    expect((await new GloveLexEmbedder({ tableDir: table, version: "glove-lex-v1" }).embed(["good"]))[0]).toHaveLength(125);
  });

  it("checks the shape of a file whose checksum is the one expected (rows, word list, magic); values are checked as it is written", () => {
    const check = (name: string, bytes: Buffer): string => failure(() => loadGloveLexicon(rows, dirWith(name, bytes), sha256Hex(bytes))).message;
    const extra = new Map([["lol", 0.45]]);
    const ok = encodeGloveLexicon(new Float32Array(rows), new Float32Array(rows), extra);
    expect(loadGloveLexicon(rows, dirWith("ok", ok), sha256Hex(ok)).extraVader.get("lol")).toBeCloseTo(0.45, 6);
    expect(check("rows", encodeGloveLexicon(new Float32Array(rows - 1), new Float32Array(rows - 1), extra))).toMatch(/holds 50521 rows .* for a word table of 50522 rows/);
    // Values are checked when the file is written (the reader trusts a file whose sha256 is the recorded one).
    const big = new Float32Array(rows);
    big[7] = 2;
    expect(() => encodeGloveLexicon(big, new Float32Array(rows), extra)).toThrow(/polarity\[7\] is 2, outside \[−1, 1\]/);
    big[7] = Number.NaN;
    expect(() => encodeGloveLexicon(new Float32Array(rows), big, extra)).toThrow(/vader\[7\] is NaN/);
    expect(() => encodeGloveLexicon(new Float32Array(rows), new Float32Array(rows), new Map([["x", -1.5]]))).toThrow(/"x" is -1.5/);
    const cut = Buffer.from(ok);
    cut.writeUInt32LE(2, 12); // two extra values claimed, one word listed
    expect(check("words", Buffer.concat([cut, Buffer.alloc(4)]))).toMatch(/(lists \d+ extra words|holds \d+ rows)/);
    const magic = Buffer.from(ok);
    magic[0] = 0;
    expect(check("magic", magic)).toMatch(/wrong magic bytes/);
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
    for (const f of [...GLOVE_LEX_TABLE_FILES, GLOVE_LEX_TABLE_BLOCKS_FILE, GLOVE_LEXICON_FILE]) {
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
    expect(v).toHaveLength(133);
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
