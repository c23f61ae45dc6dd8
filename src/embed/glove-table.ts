import { createHash } from "node:crypto";
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { endianness } from "node:os";
import { join } from "node:path";
import { EmbeddingError } from "../errors.js";
import { fileSystemError } from "../util/fs-error.js";
import { packageRoot } from "../util/package-root.js";
import { GLOVE_TABLE_FORMAT, GLOVE_TABLE_HEADER_BYTES, GLOVE_TABLE_MAGIC, gloveTableSections, gloveWordHash } from "./glove-table-layout.js";

/**
 * The word table behind `local:glove-lex-v1`: the 50,000 most frequent GloVe 6B words (plus every
 * AFINN-165 word GloVe knows), each with an int8 100-d vector and its scale, a polarity in [−1, 1]
 * and a SIF weight. Built by scripts/build-glove-table.ts in the layout of glove-table-layout.ts, and
 * shipped in datasets/glove-lex/ cut into parts (no file over 5 MiB in git).
 */
export const GLOVE_LEX_TABLE_FILES = ["glove-lex-v1.table.part0", "glove-lex-v1.table.part1"] as const;
/** sha256 of the joined parts. A different table gives different vectors, so it is checked at every load. */
export const GLOVE_LEX_TABLE_SHA256 = "a90992bab617c83aeb47a40993024d563e18520b518b4dc558a556576ad8b12c";

export interface GloveTable {
  readonly rows: number;
  readonly dims: number;
  /** Row of a word, or −1 when the table does not have it. */
  rowOf(word: string): number;
  /** The word of a row. */
  wordAt(row: number): string;
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
 * Reads, checks and caches the table in `dir` (once per process: one read of ~6 MB and its sha256,
 * ~10 ms; the arrays are views into that buffer). Throws an EmbeddingError naming the file when a part
 * is missing, or the folder when the bytes are not the expected table.
 */
export function loadGloveTable(dir = defaultGloveTableDir()): GloveTable {
  const cached = loaded.get(dir);
  if (cached) return cached;
  const bytes = readParts(dir);
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== GLOVE_LEX_TABLE_SHA256) {
    throw new EmbeddingError("GLOVE_TABLE_CHECKSUM", `The offline embedder's word table in ${dir} has sha256 ${sha.slice(0, 12)}…, not the ${GLOVE_LEX_TABLE_SHA256.slice(0, 12)}… this version of sentivec was built with.`, {
      hint: "Reinstall sentivec; if you rebuilt the table, update GLOVE_LEX_TABLE_SHA256 and bump the embedder version.",
    });
  }
  const table = viewGloveTable(bytes, dir);
  loaded.set(dir, table);
  return table;
}

/** The parts, joined into one buffer as they are read (no second copy). */
function readParts(dir: string): Buffer {
  const fds: number[] = [];
  try {
    const sizes: number[] = [];
    for (const name of GLOVE_LEX_TABLE_FILES) {
      const file = join(dir, name);
      if (!existsSync(file)) {
        throw new EmbeddingError("GLOVE_TABLE_MISSING", `The offline embedder's word table ${file} is missing.`, {
          hint: "Reinstall sentivec (the table ships in its datasets/glove-lex folder), or use --embedder local:hash-v2.",
        });
      }
      fds.push(openSync(file, "r"));
      sizes.push(fstatSync(fds[fds.length - 1]).size);
    }
    // allocUnsafe of more than 4 KiB never comes from Buffer's shared pool: the views below start aligned.
    const bytes = Buffer.allocUnsafe(sizes.reduce((a, b) => a + b, 0));
    let off = 0;
    fds.forEach((fd, k) => {
      for (let end = off + sizes[k]; off < end; ) {
        const n = readSync(fd, bytes, off, end - off, null);
        if (n === 0) throw new EmbeddingError("GLOVE_TABLE_CHECKSUM", `The offline embedder's word table ${join(dir, GLOVE_LEX_TABLE_FILES[k])} changed while it was read.`, { hint: "Try again; reinstall sentivec if it persists." });
        off += n;
      }
    });
    return bytes;
  } catch (error) {
    throw fileSystemError(error, { action: "read the offline embedder's word table", path: dir, hint: "Reinstall sentivec, or use --embedder local:hash-v2" });
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/** Typed-array views into the checked bytes; on a big-endian machine, little-endian copies instead. */
function viewGloveTable(bytes: Buffer, dir: string): GloveTable {
  const bad = (what: string): EmbeddingError => new EmbeddingError("GLOVE_TABLE_FORMAT", `The word table in ${dir} is malformed: ${what}.`, { hint: "Reinstall sentivec." });
  if (bytes.length < GLOVE_TABLE_HEADER_BYTES || bytes.toString("latin1", 0, 8) !== GLOVE_TABLE_MAGIC) throw bad("wrong magic bytes");
  if (bytes.readUInt32LE(8) !== GLOVE_TABLE_FORMAT) throw bad(`unknown format ${bytes.readUInt32LE(8)}`);
  const rows = bytes.readUInt32LE(12);
  const dims = bytes.readUInt32LE(16);
  const slots = bytes.readUInt32LE(20);
  const wordBytes = bytes.readUInt32LE(24);
  const at = gloveTableSections(rows, dims, slots, wordBytes);
  if (bytes.length !== at.end) throw bad(`${bytes.length} bytes, expected ${at.end}`);
  if (slots === 0 || (slots & (slots - 1)) !== 0 || slots < 2 * rows) throw bad(`${slots} hash slots for ${rows} rows`);

  const le = endianness() === "LE";
  const u32 = (offset: number, n: number): Uint32Array => (le ? new Uint32Array(bytes.buffer, bytes.byteOffset + offset, n) : Uint32Array.from({ length: n }, (_, i) => bytes.readUInt32LE(offset + 4 * i)));
  const f32 = (offset: number, n: number): Float32Array => (le ? new Float32Array(bytes.buffer, bytes.byteOffset + offset, n) : Float32Array.from({ length: n }, (_, i) => bytes.readFloatLE(offset + 4 * i)));
  const slot = u32(at.slot, slots);
  const wordEnd = u32(at.wordEnd, rows);
  const words = bytes.subarray(at.words, at.words + wordBytes);
  const mask = slots - 1;

  const start = (r: number): number => (r === 0 ? 0 : wordEnd[r - 1]);
  /** Compares a row's UTF-8 bytes with a JS string; ASCII (nearly every word) without decoding. */
  const isWord = (r: number, word: string): boolean => {
    const from = start(r);
    const n = wordEnd[r] - from;
    // UTF-8 never takes fewer bytes than UTF-16 takes code units.
    if (n < word.length) return false;
    if (n === word.length) {
      let i = 0;
      for (; i < n; i++) {
        const b = words[from + i];
        if (b >= 0x80) break;
        if (b !== word.charCodeAt(i)) return false;
      }
      if (i === n) return true;
    }
    return words.toString("utf8", from, wordEnd[r]) === word;
  };
  return {
    rows,
    dims,
    rowOf(word: string): number {
      for (let s = gloveWordHash(word) & mask; ; s = (s + 1) & mask) {
        const entry = slot[s];
        if (entry === 0) return -1;
        if (isWord(entry - 1, word)) return entry - 1;
      }
    },
    wordAt: (r: number): string => words.toString("utf8", start(r), wordEnd[r]),
    scale: f32(at.scale, rows),
    polarity: f32(at.polarity, rows),
    sifWeight: f32(at.sifWeight, rows),
    vectors: new Int8Array(bytes.buffer, bytes.byteOffset + at.vectors, rows * dims),
  };
}
