import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { endianness } from "node:os";
import { join } from "node:path";
import { EmbeddingError } from "../errors.js";
import { fileSystemError } from "../util/fs-error.js";
import { packageRoot } from "../util/package-root.js";
import {
  GLOVE_TABLE_BLOCKS_HEADER_BYTES,
  GLOVE_TABLE_BLOCKS_MAGIC,
  GLOVE_TABLE_FORMAT,
  GLOVE_TABLE_HEADER_BYTES,
  GLOVE_TABLE_MAGIC,
  gloveTableSections,
  gloveWordHash,
} from "./glove-table-layout.js";

/**
 * The word table behind `local:glove-lex-v1` and `-v2` (v2 adds the lexicon columns of glove-lexicon.ts): the 50,000 most frequent GloVe 6B words (plus every
 * AFINN-165 word GloVe knows), each with an int8 100-d vector and its scale, a polarity in [−1, 1]
 * and a SIF weight. Built by scripts/build-glove-table.ts in the layout of glove-table-layout.ts, and
 * shipped in datasets/glove-lex/ cut into parts (no file over 5 MiB in git), with a blocks file
 * holding the sha256 of each 16 KiB block.
 */
export const GLOVE_LEX_TABLE_FILES = ["glove-lex-v1.table.part0", "glove-lex-v1.table.part1"] as const;
export const GLOVE_LEX_TABLE_BLOCKS_FILE = "glove-lex-v1.table.blocks";
/** sha256 of the joined parts: the table's identity (datasets/README.md). Its blocks file is what a load checks. */
export const GLOVE_LEX_TABLE_SHA256 = "a90992bab617c83aeb47a40993024d563e18520b518b4dc558a556576ad8b12c";
/** sha256 of the blocks file. A different table gives different vectors, so every block read is checked through it. */
export const GLOVE_LEX_TABLE_BLOCKS_SHA256 = "4fa351511acc7c9787626aeb446fea91de2dd1b482024304dd18f87ecba63e8d";

/**
 * A loaded word table. Its arrays are views into a buffer that is filled, block by checked block,
 * as lookups need it: a row returned by rowOf() is loaded in full; other rows read as zeros until
 * they are looked up.
 */
export interface GloveTable {
  readonly rows: number;
  readonly dims: number;
  /** Row of a word, or −1 when the table does not have it. The row's data is loaded and checked. */
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
 * Opens the table in `dir` (once per process): checks its blocks file against the recorded sha256 and
 * the parts' sizes, and reads the header. Rows are read when first looked up (a one-text predict:
 * ~0.3 MB, ~1 ms). Throws an EmbeddingError naming the file when a file is missing or its bytes are
 * not the expected table, here or at the lookup that reads the bad block.
 */
export function loadGloveTable(dir = defaultGloveTableDir()): GloveTable {
  const cached = loaded.get(dir);
  if (cached) return cached;
  const table = openGloveTable(dir);
  loaded.set(dir, table);
  return table;
}

const missing = (file: string): EmbeddingError =>
  new EmbeddingError("GLOVE_TABLE_MISSING", `The offline embedder's word table ${file} is missing.`, {
    hint: "Reinstall sentivec (the table ships in its datasets/glove-lex folder), or use --embedder local:hash-v2.",
  });
const corrupt = (file: string, what: string): EmbeddingError =>
  new EmbeddingError("GLOVE_TABLE_CHECKSUM", `The offline embedder's word table ${file} ${what}; it is not the table this version of sentivec was built with.`, {
    hint: "Reinstall sentivec; if you rebuilt the table, update GLOVE_LEX_TABLE_BLOCKS_SHA256 and bump the embedder version.",
  });
const readFailed = (error: unknown, path: string): unknown =>
  fileSystemError(error, { action: "read the offline embedder's word table", path, hint: "Reinstall sentivec, or use --embedder local:hash-v2" });

function openGloveTable(dir: string): GloveTable {
  const blocksPath = join(dir, GLOVE_LEX_TABLE_BLOCKS_FILE);
  const paths = GLOVE_LEX_TABLE_FILES.map((name) => join(dir, name));
  for (const path of [...paths, blocksPath]) if (!existsSync(path)) throw missing(path);
  let blocksFile: Buffer;
  let sizes: number[];
  try {
    blocksFile = readFileSync(blocksPath);
    sizes = paths.map((path) => statSync(path).size);
  } catch (error) {
    throw readFailed(error, dir);
  }
  const sha = createHash("sha256").update(blocksFile).digest("hex");
  if (sha !== GLOVE_LEX_TABLE_BLOCKS_SHA256) throw corrupt(blocksPath, `has sha256 ${sha.slice(0, 12)}…, not ${GLOVE_LEX_TABLE_BLOCKS_SHA256.slice(0, 12)}…`);
  if (blocksFile.toString("latin1", 0, 8) !== GLOVE_TABLE_BLOCKS_MAGIC) throw corrupt(blocksPath, "has the wrong magic bytes");
  const blockBytes = blocksFile.readUInt32LE(8);
  const tableBytes = blocksFile.readUInt32LE(12);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== tableBytes) throw corrupt(dir, `parts hold ${total} bytes, not ${tableBytes}`);
  // A block never spans two parts, so each is one read.
  for (let k = 0; k < sizes.length - 1; k++) if (sizes[k] % blockBytes !== 0) throw corrupt(paths[k], `is ${sizes[k]} bytes, not a whole number of blocks`);
  const blocks = new BlockReader(paths, sizes, blockBytes, blocksFile.subarray(GLOVE_TABLE_BLOCKS_HEADER_BYTES));
  blocks.ensure(0, GLOVE_TABLE_HEADER_BYTES);
  return viewGloveTable(blocks, dir);
}

/**
 * The table's bytes, read and checked one block at a time into a buffer of the table's full size
 * (zero-filled until read; the views below are over it). Files stay open until every block is in.
 */
class BlockReader {
  readonly bytes: Buffer;
  private readonly have: Uint8Array;
  private missingBlocks: number;
  private readonly fds: (number | undefined)[];
  private readonly partStart: number[] = [];

  constructor(
    private readonly paths: readonly string[],
    private readonly sizes: readonly number[],
    private readonly blockBytes: number,
    private readonly digests: Buffer,
  ) {
    const total = sizes.reduce((a, b) => a + b, 0);
    // Zero-filled and more than 4 KiB: its own allocation, so the typed-array views start aligned.
    this.bytes = Buffer.alloc(total);
    const blocks = Math.ceil(total / blockBytes);
    if (digests.length !== 32 * blocks) throw corrupt(paths[0], `has ${digests.length / 32} block checksums for ${blocks} blocks`);
    this.have = new Uint8Array(blocks);
    this.missingBlocks = blocks;
    this.fds = paths.map(() => undefined);
    let start = 0;
    for (const size of sizes) {
      this.partStart.push(start);
      start += size;
    }
  }

  /** Makes bytes [start, end) readable. */
  ensure(start: number, end: number): void {
    const first = Math.floor(start / this.blockBytes);
    const last = Math.floor((end - 1) / this.blockBytes);
    for (let b = first; b <= last; b++) if (this.have[b] === 0) this.load(b);
  }

  private load(b: number): void {
    const start = b * this.blockBytes;
    const end = Math.min(start + this.blockBytes, this.bytes.length);
    let k = this.partStart.length - 1;
    while (this.partStart[k] > start) k--;
    const path = this.paths[k];
    const block = this.bytes.subarray(start, end);
    try {
      const fd = (this.fds[k] ??= openSync(path, "r"));
      for (let done = 0; done < block.length; ) {
        const n = readSync(fd, block, done, block.length - done, start - this.partStart[k] + done);
        if (n === 0) throw corrupt(path, "ended early (it changed while sentivec was reading it)");
        done += n;
      }
    } catch (error) {
      throw readFailed(error, path);
    }
    if (!createHash("sha256").update(block).digest().equals(this.digests.subarray(32 * b, 32 * b + 32))) {
      block.fill(0);
      throw corrupt(path, `is damaged: bytes ${start - this.partStart[k]}–${end - this.partStart[k] - 1} do not match their recorded sha256`);
    }
    this.have[b] = 1;
    if (--this.missingBlocks === 0) this.closeFiles();
  }

  private closeFiles(): void {
    for (const [k, fd] of this.fds.entries()) {
      if (fd !== undefined) closeSync(fd);
      this.fds[k] = undefined;
    }
  }
}

/** Typed-array views into the table's buffer; on a big-endian machine, rows are byte-swapped as they load. */
function viewGloveTable(blocks: BlockReader, dir: string): GloveTable {
  const { bytes } = blocks;
  const bad = (what: string): EmbeddingError => new EmbeddingError("GLOVE_TABLE_FORMAT", `The word table in ${dir} is malformed: ${what}.`, { hint: "Reinstall sentivec." });
  if (bytes.toString("latin1", 0, 8) !== GLOVE_TABLE_MAGIC) throw bad("wrong magic bytes");
  if (bytes.readUInt32LE(8) !== GLOVE_TABLE_FORMAT) throw bad(`unknown format ${bytes.readUInt32LE(8)}`);
  const rows = bytes.readUInt32LE(12);
  const dims = bytes.readUInt32LE(16);
  const slots = bytes.readUInt32LE(20);
  const wordBytes = bytes.readUInt32LE(24);
  const at = gloveTableSections(rows, dims, slots, wordBytes);
  if (bytes.length !== at.end) throw bad(`${bytes.length} bytes, expected ${at.end}`);
  if (slots === 0 || (slots & (slots - 1)) !== 0 || slots < 2 * rows) throw bad(`${slots} hash slots for ${rows} rows`);
  if (endianness() !== "LE") throw bad("this machine is big-endian; the table's typed-array layout needs a little-endian one");

  const slot = new Uint32Array(bytes.buffer, bytes.byteOffset + at.slot, slots);
  const wordEnd = new Uint32Array(bytes.buffer, bytes.byteOffset + at.wordEnd, rows);
  const words = bytes.subarray(at.words, at.words + wordBytes);
  const scale = new Float32Array(bytes.buffer, bytes.byteOffset + at.scale, rows);
  const polarity = new Float32Array(bytes.buffer, bytes.byteOffset + at.polarity, rows);
  const sifWeight = new Float32Array(bytes.buffer, bytes.byteOffset + at.sifWeight, rows);
  const vectors = new Int8Array(bytes.buffer, bytes.byteOffset + at.vectors, rows * dims);
  const mask = slots - 1;

  /** Where row r's word lies in `words`, loaded. */
  const wordRange = (r: number): [number, number] => {
    blocks.ensure(at.wordEnd + 4 * Math.max(0, r - 1), at.wordEnd + 4 * r + 4);
    const from = r === 0 ? 0 : wordEnd[r - 1];
    const to = wordEnd[r];
    if (to > from) blocks.ensure(at.words + from, at.words + to);
    return [from, to];
  };
  /** Compares a row's UTF-8 bytes with a JS string; ASCII (nearly every word) without decoding. */
  const isWord = (r: number, word: string): boolean => {
    const [from, to] = wordRange(r);
    const n = to - from;
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
    return words.toString("utf8", from, to) === word;
  };
  const loadRow = (r: number): void => {
    blocks.ensure(at.scale + 4 * r, at.scale + 4 * r + 4);
    blocks.ensure(at.polarity + 4 * r, at.polarity + 4 * r + 4);
    blocks.ensure(at.sifWeight + 4 * r, at.sifWeight + 4 * r + 4);
    blocks.ensure(at.vectors + r * dims, at.vectors + (r + 1) * dims);
  };
  return {
    rows,
    dims,
    rowOf(word: string): number {
      for (let s = gloveWordHash(word) & mask; ; s = (s + 1) & mask) {
        blocks.ensure(at.slot + 4 * s, at.slot + 4 * s + 4);
        const entry = slot[s];
        if (entry === 0) return -1;
        if (entry > rows) throw bad(`hash slot ${s} names row ${entry - 1} of ${rows}`);
        if (isWord(entry - 1, word)) {
          loadRow(entry - 1);
          return entry - 1;
        }
      }
    },
    wordAt(r: number): string {
      const [from, to] = wordRange(r);
      return words.toString("utf8", from, to);
    },
    scale,
    polarity,
    sifWeight,
    vectors,
  };
}
