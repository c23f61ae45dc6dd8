import { isUtf8 } from "node:buffer";
import { DataError, OptionsError } from "../errors.js";

/**
 * Text encodings a dataset can be read in. "auto" (the default) follows a byte-order mark (UTF-8,
 * UTF-16LE, UTF-16BE) and otherwise requires valid UTF-8. "latin1" decodes as Windows-1252, the superset
 * of ISO-8859-1 that "Latin-1" files almost always are (curly quotes and € at 0x80–0x9F), as browsers do.
 */
export const TEXT_ENCODINGS = ["auto", "utf8", "latin1", "utf16le", "utf16be"] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

const ALIASES: Record<string, TextEncoding> = {
  auto: "auto",
  utf8: "utf8", "utf-8": "utf8",
  latin1: "latin1", "latin-1": "latin1", "iso-8859-1": "latin1", "iso8859-1": "latin1", cp1252: "latin1", "windows-1252": "latin1",
  utf16le: "utf16le", "utf-16le": "utf16le", utf16be: "utf16be", "utf-16be": "utf16be",
};

/** Reads an encoding name as users write it ("UTF-8", "latin1", "windows-1252"...); undefined if unknown. */
export function parseTextEncoding(name: string): TextEncoding | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

const BOMS: { encoding: TextEncoding; bytes: number[]; label: string }[] = [
  // UTF-32LE starts with the UTF-16LE mark: test it first.
  { encoding: "auto", bytes: [0xff, 0xfe, 0x00, 0x00], label: "UTF-32LE" },
  { encoding: "auto", bytes: [0x00, 0x00, 0xfe, 0xff], label: "UTF-32BE" },
  { encoding: "utf8", bytes: [0xef, 0xbb, 0xbf], label: "UTF-8" },
  { encoding: "utf16le", bytes: [0xff, 0xfe], label: "UTF-16LE" },
  { encoding: "utf16be", bytes: [0xfe, 0xff], label: "UTF-16BE" },
];

const WHATWG: Record<Exclude<TextEncoding, "auto" | "latin1">, string> = { utf8: "utf-8", utf16le: "utf-16le", utf16be: "utf-16be" };
const NAMES: Record<Exclude<TextEncoding, "auto">, string> = { utf8: "UTF-8", latin1: "Latin-1 (Windows-1252)", utf16le: "UTF-16LE", utf16be: "UTF-16BE" };

/**
 * Decodes a file's bytes to text, never silently: invalid UTF-8 stops with the file:line and column of
 * the first bad byte (and a hint when it looks like Latin-1), a binary file is called binary (its bytes
 * are not echoed), and UTF-16 without a byte-order mark is recognised and named. `source` is the file
 * name (or "stdin") used in messages. The BOM is removed.
 */
export function decodeText(bytes: Uint8Array, source: string, encoding: TextEncoding = "auto"): string {
  if (!(TEXT_ENCODINGS as readonly string[]).includes(encoding)) {
    throw new OptionsError("DATA_ENCODING_NAME", `Unknown encoding ${JSON.stringify(encoding)}.`, { hint: `Use one of: ${TEXT_ENCODINGS.join(", ")}.` });
  }
  const bom = BOMS.find((b) => b.bytes.every((x, i) => bytes[i] === x));
  if (bom && bom.encoding === "auto") {
    throw new DataError("DATA_ENCODING", `${subject(source)} is ${bom.label} text (by its byte-order mark), which sentivec does not read.`, {
      where: { file: source },
      hint: "Convert it to UTF-8, e.g. iconv -f UTF-32 -t UTF-8.",
    });
  }
  if (encoding !== "auto" && bom && bom.encoding !== encoding) {
    throw new DataError("DATA_ENCODING", `${subject(source)} starts with a ${bom.label} byte-order mark but --encoding ${encoding} was given.`, {
      where: { file: source },
      hint: "Drop --encoding (the mark is followed) or name the file's real encoding.",
    });
  }
  const chosen = encoding === "auto" ? ((bom?.encoding as Exclude<TextEncoding, "auto"> | undefined) ?? "utf8") : encoding;
  const body = bom ? bytes.subarray(bom.bytes.length) : bytes;
  if (chosen === "utf8" || chosen === "latin1") {
    checkNotBinary(body, source);
    if (chosen === "utf8") checkUtf8(body, source);
  } else if (body.length % 2 !== 0) {
    throw new DataError("DATA_ENCODING", `${subject(source)} has an odd number of bytes (${body.length}), so it is not ${NAMES[chosen]}.`, {
      where: { file: source },
      hint: bom ? "The file is truncated or not really UTF-16; convert it to UTF-8." : "Check the --encoding value; most files are UTF-8 (the default).",
    });
  }
  const text = decodeAs(body, chosen);
  if ((chosen === "utf16le" || chosen === "utf16be") && text.includes("\u0000")) {
    throw new DataError("DATA_BINARY", `${subject(source)} does not decode as ${NAMES[chosen]} text: it has NUL characters.`, {
      where: { file: source },
      hint: "Check the --encoding value, or give a text file.",
    });
  }
  return text;
}

/** "The file", or "The input" for stdin. */
function subject(source: string): string {
  return source === "stdin" ? "The input" : "The file";
}

function decodeAs(bytes: Uint8Array, encoding: Exclude<TextEncoding, "auto">): string {
  if (encoding === "latin1") return decodeWindows1252(bytes);
  // ignoreBOM: the caller already removed the mark; a second one is content.
  return new TextDecoder(WHATWG[encoding], { ignoreBOM: true }).decode(bytes);
}

/**
 * Windows-1252 for 0x80–0x9F (€, curly quotes, dashes...), ISO-8859-1 elsewhere. Done by hand because
 * Node 20's TextDecoder("windows-1252") decodes plain ISO-8859-1 (0x80 → U+0080, not €). The five
 * bytes Windows-1252 leaves undefined keep their ISO-8859-1 meaning, as the WHATWG decoder does.
 */
const CP1252_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";

function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}

/** How much of the start is inspected to tell text from binary. */
const SNIFF_BYTES = 8192;

/**
 * Binary data (a zip, spreadsheet, gzip, SQLite file, image...) has NUL bytes or many control bytes;
 * text never has NUL. UTF-16 without a mark has NUL in every other byte for ASCII text: say so.
 */
function checkNotBinary(bytes: Uint8Array, source: string): void {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  let nul = 0, nulEven = 0, control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) {
      nul++;
      if (i % 2 === 0) nulEven++;
    } else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) {
      control++;
    }
  }
  // Hostile but genuine text may carry a few control characters; binary data has NULs or many of them.
  if (nul === 0 && (control < 8 || control <= n / 10)) return;
  if (n >= 4 && nul >= n / 4) {
    const nulOdd = nul - nulEven;
    const utf16 = nulOdd > 0.9 * nul ? "utf16le" : nulEven > 0.9 * nul ? "utf16be" : undefined;
    if (utf16) {
      throw new DataError("DATA_ENCODING", `${subject(source)} looks like ${NAMES[utf16]} text without a byte-order mark.`, {
        where: { file: source },
        hint: source === "stdin" ? "Convert it to UTF-8 first." : `Pass --encoding ${utf16}, or convert it to UTF-8.`,
      });
    }
  }
  const kind = knownBinaryKind(bytes);
  throw new DataError("DATA_BINARY", `${subject(source)} looks binary${kind ? ` (${kind})` : ""}, not text: ${nul > 0 ? `it has NUL bytes` : `it has ${control} control bytes in its first ${n}`}.`, {
    where: { file: source },
    hint: kind?.includes("spreadsheet")
      ? "Export the sheet as CSV (UTF-8) and load that."
      : "Give a CSV, TSV, .txt, JSON or JSONL text file (UTF-16 text without a byte-order mark: pass --encoding utf16le or utf16be).",
  });
}

function knownBinaryKind(b: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((x, i) => b[i] === x);
  if (starts(0x50, 0x4b, 0x03, 0x04)) return "a zip archive, e.g. an .xlsx spreadsheet";
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) return "an OLE file, e.g. an .xls spreadsheet";
  if (starts(0x1f, 0x8b)) return "gzip-compressed";
  if (starts(0x42, 0x5a, 0x68)) return "bzip2-compressed";
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a)) return "xz-compressed";
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return "zstd-compressed";
  if (starts(0x53, 0x51, 0x4c, 0x69, 0x74, 0x65)) return "an SQLite database";
  if (starts(0x25, 0x50, 0x44, 0x46)) return "a PDF";
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "a PNG image";
  if (starts(0xff, 0xd8, 0xff)) return "a JPEG image";
  if (starts(0x50, 0x41, 0x52, 0x31)) return "a Parquet file";
  return undefined;
}

/** Throws at the first byte that is not valid UTF-8, naming its line and column (1-based, in characters). */
function checkUtf8(bytes: Uint8Array, source: string): void {
  if (isUtf8(bytes)) return;
  const bad = firstInvalidUtf8(bytes);
  let line = 1, lineStart = 0;
  for (let i = 0; i < bad; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const prefix = Array.from(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(lineStart, bad)));
  const column = prefix.length + 1;
  const before = prefix.slice(-20).join("");
  const latin = looksLikeLatin1(bytes);
  throw new DataError("DATA_ENCODING", `${subject(source)} is not valid UTF-8: byte 0x${bytes[bad].toString(16).toUpperCase().padStart(2, "0")} at column ${column}, after ${JSON.stringify(before.replace(/^\s+/, ""))}.`, {
    where: { file: source, line },
    hint:
      source === "stdin"
        ? `Convert it to UTF-8 first${latin ? ", e.g. iconv -f WINDOWS-1252 -t UTF-8 (it looks like Latin-1)" : ""}.`
        : latin
          ? "It looks like Latin-1 (Windows-1252): pass --encoding latin1, or convert it to UTF-8."
          : "Convert it to UTF-8, or name its encoding with --encoding (latin1, utf16le, utf16be).",
  });
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const x = b[i];
    let need: number, min: number;
    if (x < 0x80) {
      i++;
      continue;
    } else if (x >= 0xc2 && x <= 0xdf) {
      need = 1; min = 0x80;
    } else if (x >= 0xe0 && x <= 0xef) {
      need = 2; min = 0x800;
    } else if (x >= 0xf0 && x <= 0xf4) {
      need = 3; min = 0x10000;
    } else {
      return i;
    }
    let cp = x & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = b[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return b.length;
}

/**
 * Invalid UTF-8 whose high bytes are mostly lone Latin-1 letters (é = 0xE9 followed by ASCII) rather
 * than broken multi-byte sequences: the usual Latin-1/Windows-1252 file.
 */
function looksLikeLatin1(b: Uint8Array): boolean {
  let high = 0, lone = 0;
  for (let i = 0; i < b.length && high < 1000; i++) {
    if (b[i] < 0x80) continue;
    high++;
    const next = b[i + 1];
    if (b[i] >= 0xa0 && (next === undefined || next < 0x80)) lone++;
  }
  return high > 0 && lone >= high / 2;
}
