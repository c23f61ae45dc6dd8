import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { EmbeddingError } from "../errors.js";
import { packageRoot } from "../util/package-root.js";
import { sha256Hex } from "../util/sha256.js";

/**
 * The word table behind `local:glove-lex-v1`: the 50,000 most frequent GloVe 6B words (plus every
 * AFINN-165 word GloVe knows), each with an int8 100-d vector and its scale, a polarity in [−1, 1]
 * and a SIF weight. Built by scripts/build-glove-table.ts; shipped in datasets/glove-lex/ as a gzip
 * stream cut into parts (no file over 5 MiB in git).
 *
 * Layout of the unzipped bytes (little-endian):
 *   0   "SVGLOVE1"          magic
 *   8   u32 format (1)
 *   12  u32 rows
 *   16  u32 dims
 *   20  u32 wordBytes       then 8 bytes reserved
 *   32  words, UTF-8, "\n"-separated, padded to 4 bytes
 *       f32 scale[rows]     a row's vector is int8 × scale
 *       f32 polarity[rows]
 *       f32 sifWeight[rows]
 *       i8  vectors[rows × dims]
 */
export const GLOVE_LEX_TABLE_FILES = ["glove-lex-v1.bin.gz.part0", "glove-lex-v1.bin.gz.part1"] as const;
/** sha256 of the joined gzip parts. A different table gives different vectors, so it is checked at load. */
export const GLOVE_LEX_TABLE_SHA256 = "5322f9779dce3abe50863f005a55b873a4b50a3c76b65ed5b10785a0a13481e0";

export interface GloveTable {
  readonly rows: number;
  readonly dims: number;
  /** Row of each word. */
  readonly index: ReadonlyMap<string, number>;
  readonly scale: Float32Array;
  readonly polarity: Float32Array;
  readonly sifWeight: Float32Array;
  readonly vectors: Int8Array;
}

/** The shipped table's folder: datasets/glove-lex in the sentivec package. */
export function defaultGloveTableDir(): string {
  return join(packageRoot(), "datasets", "glove-lex");
}

const loaded = new Map<string, GloveTable>();

/**
 * Reads, checks and caches the table in `dir` (once per process: ~0.1 s, ~11 MB). Throws an
 * EmbeddingError naming the file when a part is missing or the bytes are not the expected table.
 */
export function loadGloveTable(dir = defaultGloveTableDir()): GloveTable {
  const cached = loaded.get(dir);
  if (cached) return cached;
  const parts = GLOVE_LEX_TABLE_FILES.map((name) => {
    const file = join(dir, name);
    if (!existsSync(file)) {
      throw new EmbeddingError("GLOVE_TABLE_MISSING", `The offline embedder's word table ${file} is missing.`, {
        hint: "Reinstall sentivec (the table ships in its datasets/glove-lex folder), or use --embedder local:hash-v2.",
      });
    }
    return readFileSync(file);
  });
  const gz = Buffer.concat(parts);
  const sha = sha256Hex(gz);
  if (sha !== GLOVE_LEX_TABLE_SHA256) {
    throw new EmbeddingError("GLOVE_TABLE_CHECKSUM", `The offline embedder's word table in ${dir} has sha256 ${sha.slice(0, 12)}…, not the ${GLOVE_LEX_TABLE_SHA256.slice(0, 12)}… this version of sentivec was built with.`, {
      hint: "Reinstall sentivec; if you rebuilt the table, update GLOVE_LEX_TABLE_SHA256 and bump the embedder version.",
    });
  }
  const table = parseGloveTable(gunzipSync(gz), dir);
  loaded.set(dir, table);
  return table;
}

function parseGloveTable(bytes: Buffer, dir: string): GloveTable {
  const bad = (what: string): EmbeddingError => new EmbeddingError("GLOVE_TABLE_FORMAT", `The word table in ${dir} is malformed: ${what}.`, { hint: "Reinstall sentivec." });
  if (bytes.length < 32 || bytes.toString("latin1", 0, 8) !== "SVGLOVE1") throw bad("wrong magic bytes");
  if (bytes.readUInt32LE(8) !== 1) throw bad(`unknown format ${bytes.readUInt32LE(8)}`);
  const rows = bytes.readUInt32LE(12);
  const dims = bytes.readUInt32LE(16);
  const wordBytes = bytes.readUInt32LE(20);
  let off = 32;
  const words = bytes.toString("utf8", off, off + wordBytes).split("\n");
  if (words.length !== rows) throw bad(`${words.length} words for ${rows} rows`);
  off += Math.ceil(wordBytes / 4) * 4;
  const expected = off + rows * 12 + rows * dims;
  if (bytes.length !== expected) throw bad(`${bytes.length} bytes, expected ${expected}`);
  const floats = (): Float32Array => {
    const out = new Float32Array(rows);
    for (let i = 0; i < rows; i++) out[i] = bytes.readFloatLE(off + 4 * i);
    off += 4 * rows;
    return out;
  };
  const scale = floats();
  const polarity = floats();
  const sifWeight = floats();
  const vectors = new Int8Array(rows * dims);
  vectors.set(new Int8Array(bytes.buffer, bytes.byteOffset + off, rows * dims));
  const index = new Map<string, number>();
  // Rows are in frequency order; a duplicate spelling (none are expected) keeps its most frequent row.
  for (let r = 0; r < rows; r++) if (!index.has(words[r])) index.set(words[r], r);
  return { rows, dims, index, scale, polarity, sifWeight, vectors };
}
