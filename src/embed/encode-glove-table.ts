import { createHash } from "node:crypto";
import {
  GLOVE_TABLE_BLOCKS_HEADER_BYTES,
  GLOVE_TABLE_BLOCKS_MAGIC,
  GLOVE_TABLE_BLOCK_BYTES,
  GLOVE_TABLE_FORMAT,
  GLOVE_TABLE_MAGIC,
  gloveTableSections,
  gloveTableSlots,
  gloveWordHash,
} from "./glove-table-layout.js";

/** The contents of a word table, row by row (rows in frequency order: a duplicate spelling keeps its first row). */
export interface GloveTableContents {
  dims: number;
  words: readonly string[];
  scale: ArrayLike<number>;
  polarity: ArrayLike<number>;
  sifWeight: ArrayLike<number>;
  /** rows × dims int8 values, row-major. */
  vectors: Int8Array;
}

/** The table's bytes in the layout of glove-table-layout.ts (scripts/build-glove-table.ts writes them). */
export function encodeGloveTable(t: GloveTableContents): Buffer {
  const rows = t.words.length;
  const { dims } = t;
  if (t.scale.length !== rows || t.polarity.length !== rows || t.sifWeight.length !== rows || t.vectors.length !== rows * dims) {
    throw new Error(`encodeGloveTable: columns disagree with ${rows} words of ${dims} dimensions`);
  }
  const encoded = t.words.map((w) => Buffer.from(w, "utf8"));
  const wordBytes = encoded.reduce((n, b) => n + b.length, 0);
  const slots = gloveTableSlots(rows);
  const at = gloveTableSections(rows, dims, slots, wordBytes);
  const buf = Buffer.alloc(at.end);
  buf.write(GLOVE_TABLE_MAGIC, 0, "latin1");
  buf.writeUInt32LE(GLOVE_TABLE_FORMAT, 8);
  buf.writeUInt32LE(rows, 12);
  buf.writeUInt32LE(dims, 16);
  buf.writeUInt32LE(slots, 20);
  buf.writeUInt32LE(wordBytes, 24);

  const seen = new Set<string>();
  for (let r = 0; r < rows; r++) {
    const w = t.words[r];
    if (seen.has(w)) continue;
    seen.add(w);
    let s = gloveWordHash(w) & (slots - 1);
    while (buf.readUInt32LE(at.slot + 4 * s) !== 0) s = (s + 1) & (slots - 1);
    buf.writeUInt32LE(r + 1, at.slot + 4 * s);
  }
  let end = 0;
  for (let r = 0; r < rows; r++) {
    encoded[r].copy(buf, at.words + end);
    end += encoded[r].length;
    buf.writeUInt32LE(end, at.wordEnd + 4 * r);
    buf.writeFloatLE(t.scale[r], at.scale + 4 * r);
    buf.writeFloatLE(t.polarity[r], at.polarity + 4 * r);
    buf.writeFloatLE(t.sifWeight[r], at.sifWeight + 4 * r);
  }
  Buffer.from(t.vectors.buffer, t.vectors.byteOffset, t.vectors.byteLength).copy(buf, at.vectors);
  return buf;
}

/** The blocks file of a table: the sha256 of each of its blocks (see glove-table-layout.ts). */
export function encodeGloveTableBlocks(table: Uint8Array, blockBytes = GLOVE_TABLE_BLOCK_BYTES): Buffer {
  const blocks = Math.ceil(table.length / blockBytes);
  const buf = Buffer.alloc(GLOVE_TABLE_BLOCKS_HEADER_BYTES + 32 * blocks);
  buf.write(GLOVE_TABLE_BLOCKS_MAGIC, 0, "latin1");
  buf.writeUInt32LE(blockBytes, 8);
  buf.writeUInt32LE(table.length, 12);
  for (let b = 0; b < blocks; b++) {
    createHash("sha256").update(table.subarray(b * blockBytes, (b + 1) * blockBytes)).digest().copy(buf, GLOVE_TABLE_BLOCKS_HEADER_BYTES + 32 * b);
  }
  return buf;
}
