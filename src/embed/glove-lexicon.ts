import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EmbeddingError } from "../errors.js";
import { fileSystemError } from "../util/fs-error.js";
import { defaultGloveTableDir } from "./glove-table.js";

/**
 * The lexicon columns of `local:glove-lex-v2`, one value per row of the v1 word table (glove-table.ts),
 * kept in a small file beside it so that v1 keeps its table byte for byte and v2 ships only 0.4 MB more:
 *
 *   polarity[row]  the v1 polarity column re-spread from AFINN-165 and VADER together: AFINN words keep
 *                  valence/5, words only VADER rates take their mean rating/4, every other word the
 *                  ridge regression's estimate from its vector (scripts/build-glove-lexicon.ts)
 *   vader[row]     VADER's mean rating/4 for the words VADER rates, 0 for the others (VADER rates no
 *                  word 0, so 0 means "unrated")
 *   extra          VADER's rating/4 for the words VADER rates that the table lacks (mostly inflections
 *                  and informal words: "lol", "hugz"); they feed only the VADER features
 *
 * Layout (little-endian): "SVGLLEX1", u32 rows, u32 extra, u32 extraWordBytes, f32 polarity[rows],
 * f32 vader[rows], f32 extraVader[extra], then the extra words in UTF-8, each ended by "\n".
 * It is read whole (455,737 bytes) and checked against its recorded sha256 the first time v2 embeds.
 */
export const GLOVE_LEXICON_FILE = "glove-lex-v2.lexicon";
export const GLOVE_LEXICON_MAGIC = "SVGLLEX1";
export const GLOVE_LEXICON_HEADER_BYTES = 20;
/** sha256 of the shipped lexicon file (datasets/README.md); a different file gives different vectors. */
export const GLOVE_LEXICON_SHA256 = "045f2f4c7ef88f7ee6753c1ad90c305edc54a613196b83c21ab81d36280a56f6";

export interface GloveLexicon {
  readonly polarity: Float32Array;
  readonly vader: Float32Array;
  /** VADER rating/4 of words the table lacks. */
  readonly extraVader: ReadonlyMap<string, number>;
}

/** The file's bytes (scripts/build-glove-lexicon.ts writes them). */
export function encodeGloveLexicon(polarity: ArrayLike<number>, vader: ArrayLike<number>, extraVader: ReadonlyMap<string, number>): Buffer {
  const rows = polarity.length;
  if (vader.length !== rows) throw new Error(`encodeGloveLexicon: ${rows} polarities but ${vader.length} VADER values`);
  // The reader trusts every value whose file matches the recorded sha256, so the range is enforced here (NaN fails too).
  const check = (what: string, x: number): void => {
    if (!(x >= -1 && x <= 1)) throw new Error(`encodeGloveLexicon: ${what} is ${x}, outside [−1, 1]`);
  };
  for (let r = 0; r < rows; r++) {
    check(`polarity[${r}]`, polarity[r]);
    check(`vader[${r}]`, vader[r]);
  }
  for (const [w, v] of extraVader) check(`the VADER value of "${w}"`, v);
  const extra = [...extraVader];
  if (extra.some(([w]) => w.includes("\n") || w === "")) throw new Error("encodeGloveLexicon: an extra word is empty or holds a newline");
  const words = Buffer.from(extra.map(([w]) => `${w}\n`).join(""), "utf8");
  const bytes = Buffer.alloc(GLOVE_LEXICON_HEADER_BYTES + 8 * rows + 4 * extra.length + words.length);
  bytes.write(GLOVE_LEXICON_MAGIC, 0, "latin1");
  bytes.writeUInt32LE(rows, 8);
  bytes.writeUInt32LE(extra.length, 12);
  bytes.writeUInt32LE(words.length, 16);
  let at = GLOVE_LEXICON_HEADER_BYTES;
  for (let r = 0; r < rows; r++, at += 4) bytes.writeFloatLE(polarity[r], at);
  for (let r = 0; r < rows; r++, at += 4) bytes.writeFloatLE(vader[r], at);
  for (const [, v] of extra) {
    bytes.writeFloatLE(v, at);
    at += 4;
  }
  words.copy(bytes, at);
  return bytes;
}

const loaded = new Map<string, GloveLexicon>();

/**
 * Reads the lexicon file in `dir` (once per process) for a table of `rows` rows. Throws an
 * EmbeddingError naming the file when it is missing, is not the recorded file, or does not fit the table.
 */
export function loadGloveLexicon(rows: number, dir = defaultGloveTableDir(), expectedSha256 = GLOVE_LEXICON_SHA256): GloveLexicon {
  const path = join(dir, GLOVE_LEXICON_FILE);
  const cached = loaded.get(path);
  if (cached) return cached;
  if (!existsSync(path)) {
    throw new EmbeddingError("GLOVE_TABLE_MISSING", `The offline embedder's lexicon file ${path} is missing.`, {
      hint: "Reinstall sentivec (it ships in its datasets/glove-lex folder), or use --embedder local:glove-lex-v1.",
    });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw fileSystemError(error, { action: "read the offline embedder's lexicon file", path, hint: "Reinstall sentivec, or use --embedder local:glove-lex-v1" });
  }
  const corrupt = (what: string): EmbeddingError =>
    new EmbeddingError("GLOVE_TABLE_CHECKSUM", `The offline embedder's lexicon file ${path} ${what}; it is not the file this version of sentivec was built with.`, {
      hint: "Reinstall sentivec; if you rebuilt it, update GLOVE_LEXICON_SHA256 and bump the embedder version.",
    });
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== expectedSha256) throw corrupt(`has sha256 ${sha.slice(0, 12)}…, not ${expectedSha256.slice(0, 12)}…`);
  if (bytes.length < GLOVE_LEXICON_HEADER_BYTES || bytes.toString("latin1", 0, 8) !== GLOVE_LEXICON_MAGIC) throw corrupt("has the wrong magic bytes");
  const fileRows = bytes.readUInt32LE(8);
  const extra = bytes.readUInt32LE(12);
  const wordBytes = bytes.readUInt32LE(16);
  const valuesEnd = GLOVE_LEXICON_HEADER_BYTES + 8 * rows + 4 * extra;
  if (fileRows !== rows || bytes.length !== valuesEnd + wordBytes) throw corrupt(`holds ${fileRows} rows in ${bytes.length} bytes, for a word table of ${rows} rows`);
  // Copied out of the file's buffer into their own (aligned) memory, one memcpy each. The values are not
  // checked one by one here: the sha256 above proves they are the bytes encodeGloveLexicon wrote, and it
  // refuses any value outside [−1, 1]; a per-value pass cost a predict 3–8 ms of its 0.15 s start-up.
  const values = (start: number, n: number): Float32Array =>
    new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + 4 * n));
  const words = bytes.toString("utf8", valuesEnd, valuesEnd + wordBytes).split("\n");
  if (words.pop() !== "" || words.length !== extra) throw corrupt(`lists ${words.length} extra words, not ${extra}`);
  const extraValues = values(GLOVE_LEXICON_HEADER_BYTES + 8 * rows, extra);
  const extraVader = new Map<string, number>();
  for (let i = 0; i < extra; i++) extraVader.set(words[i], extraValues[i]);
  const lexicon = {
    polarity: values(GLOVE_LEXICON_HEADER_BYTES, rows),
    vader: values(GLOVE_LEXICON_HEADER_BYTES + 4 * rows, rows),
    extraVader,
  };
  loaded.set(path, lexicon);
  return lexicon;
}
