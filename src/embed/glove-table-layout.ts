import { featureHash } from "./feature-hash.js";

/**
 * The byte layout of the offline embedder's word table, shared by its reader (glove-table.ts) and its
 * writer (encode-glove-table.ts, used by scripts/build-glove-table.ts).
 *
 * The layout needs no parsing: every section is a little-endian array at a 4-byte-aligned offset that
 * the reader wraps in a typed-array view, and words are found through an open-addressing hash table
 * stored in the file. The reader loads it in blocks of GLOVE_TABLE_BLOCK_BYTES, each checked against
 * its sha256 in a small blocks file, only as the words it looks up need them: a one-text `predict`
 * reads and hashes ~0.3 MB of the 6.75 MB (the gzip + parse layout this replaced cost ~0.08 s of CPU
 * at every start).
 *
 *   0   "SVGLOVE2"            magic
 *   8   u32 format (2)
 *   12  u32 rows
 *   16  u32 dims
 *   20  u32 slots             a power of two, at least twice `rows`
 *   24  u32 wordBytes
 *   28  u32 reserved (0)
 *   32  u32 slot[slots]       1 + the row of the word hashed there (linear probing); 0 = empty
 *       u32 wordEnd[rows]     end of row r's word in the word bytes (it starts at wordEnd[r − 1], or 0)
 *       f32 scale[rows]       a row's vector is int8 × scale
 *       f32 polarity[rows]
 *       f32 sifWeight[rows]
 *       u8  words[wordBytes]  UTF-8, then zero padding to a multiple of 4
 *       i8  vectors[rows × dims]
 */
export const GLOVE_TABLE_MAGIC = "SVGLOVE2";
export const GLOVE_TABLE_FORMAT = 2;
export const GLOVE_TABLE_HEADER_BYTES = 32;

/** Byte offsets of each section, from the header's counts. */
export interface GloveTableSections {
  slot: number;
  wordEnd: number;
  scale: number;
  polarity: number;
  sifWeight: number;
  words: number;
  vectors: number;
  /** Total length of the table. */
  end: number;
}

export function gloveTableSections(rows: number, dims: number, slots: number, wordBytes: number): GloveTableSections {
  const slot = GLOVE_TABLE_HEADER_BYTES;
  const wordEnd = slot + 4 * slots;
  const scale = wordEnd + 4 * rows;
  const polarity = scale + 4 * rows;
  const sifWeight = polarity + 4 * rows;
  const words = sifWeight + 4 * rows;
  const vectors = words + Math.ceil(wordBytes / 4) * 4;
  return { slot, wordEnd, scale, polarity, sifWeight, words, vectors, end: vectors + rows * dims };
}

/** Hash slots for `rows` words: the smallest power of two ≥ 2 × rows (a load factor ≤ 0.5 keeps probes short). */
export function gloveTableSlots(rows: number): number {
  let slots = 1;
  while (slots < 2 * rows) slots *= 2;
  return slots;
}

/**
 * The 32-bit hash that places a word in the table: the hashed embedders' FNV-1a over UTF-16 code units
 * with murmur3's finaliser (feature-hash.ts; its output is pinned by their tests). Hashing code units,
 * not UTF-8 bytes, lets a lookup hash the JS string as it is. Part of the file format: the writer and
 * the reader must agree on it exactly.
 */
export function gloveWordHash(word: string): number {
  return featureHash(word);
}

/**
 * The blocks file beside the table: the sha256 of every GLOVE_TABLE_BLOCK_BYTES block of the table
 * (the last one shorter). Its own sha256 is recorded in the code, so each block read is checked.
 *
 *   0   "SVGLBLK1"            magic
 *   8   u32 blockBytes
 *   12  u32 tableBytes
 *   16  sha256[ceil(tableBytes / blockBytes)], 32 bytes each
 *
 * 16 KiB blocks: a lookup touches ~8 of them, and a part boundary (4 MiB) never cuts one.
 */
export const GLOVE_TABLE_BLOCKS_MAGIC = "SVGLBLK1";
export const GLOVE_TABLE_BLOCK_BYTES = 16 * 1024;
export const GLOVE_TABLE_BLOCKS_HEADER_BYTES = 16;
