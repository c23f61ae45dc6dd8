import { describe, expect, it } from "vitest";
import { decodeText, firstInvalidUtf8, parseTextEncoding } from "../../src/data/decode-text.js";
import { DataError } from "../../src/errors.js";

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));
const thrown = (f: () => unknown): DataError => {
  try {
    f();
  } catch (e) {
    return e as DataError;
  }
  throw new Error("did not throw");
};

describe("decodeText", () => {
  it("reads UTF-8, with or without a BOM (the BOM is removed)", () => {
    expect(decodeText(bytes("text,label\nCafé,1\n"), "a.csv")).toBe("text,label\nCafé,1\n");
    expect(decodeText(bytes([0xef, 0xbb, 0xbf], "text\n"), "a.csv")).toBe("text\n");
  });

  it("follows a UTF-16 byte-order mark, little- and big-endian", () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("text,label\nCafé,1\n", "utf16le")]);
    expect(decodeText(le, "a.csv")).toBe("text,label\nCafé,1\n");
    const be = Buffer.from(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("text,label\nnaïve,0\n", "utf16le")]));
    be.swap16(); // FF FE → FE FF, and every code unit big-endian
    expect(decodeText(be, "a.csv")).toBe("text,label\nnaïve,0\n");
  });

  it("stops at invalid UTF-8 with line, column and a Latin-1 hint, echoing only the readable text before it", () => {
    const e = thrown(() => decodeText(bytes("text,label\ngood,1\nCaf", [0xe9], " au lait,1\n"), "latin.csv"));
    expect(e).toBeInstanceOf(DataError);
    expect(e.code).toBe("DATA_ENCODING");
    expect(e.where).toEqual({ file: "latin.csv", line: 3 });
    expect(e.message).toBe('latin.csv:3: The file is not valid UTF-8: byte 0xE9 at column 4, after "Caf". It looks like Latin-1 (Windows-1252): pass --encoding latin1, or convert it to UTF-8.');
  });

  it("counts the column in characters, not bytes", () => {
    const e = thrown(() => decodeText(bytes("ééé", [0xff]), "x.txt"));
    expect(e.message).toMatch(/byte 0xFF at column 4, after "ééé"/);
  });

  it("decodes Latin-1 as Windows-1252 when asked (é, and € / curly quotes at 0x80-0x9F)", () => {
    expect(decodeText(bytes("Caf", [0xe9, 0x20, 0x80, 0x20, 0x93], "ok", [0x94]), "a.csv", "latin1")).toBe("Café € “ok”");
  });

  it("refuses binary files without echoing their bytes, naming known kinds", () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 0), Buffer.from([0xff, 0x1b, 0x07])]);
    const e = thrown(() => decodeText(zip, "book.xlsx.csv"));
    expect(e.code).toBe("DATA_BINARY");
    expect(e.message).toBe("book.xlsx.csv: The file looks binary (a zip archive, e.g. an .xlsx spreadsheet), not text: it has NUL bytes. Export the sheet as CSV (UTF-8) and load that.");
    const noise = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256));
    expect(thrown(() => decodeText(noise, "n.csv")).code).toBe("DATA_BINARY");
  });

  it("names UTF-16 without a byte-order mark instead of reading NUL junk", () => {
    const e = thrown(() => decodeText(Buffer.from("text,label\ngood,1\n", "utf16le"), "u.csv"));
    expect(e.message).toBe("u.csv: The file looks like UTF-16LE text without a byte-order mark. Pass --encoding utf16le, or convert it to UTF-8.");
    expect(decodeText(Buffer.from("text,label\n", "utf16le"), "u.csv", "utf16le")).toBe("text,label\n");
  });

  it("refuses UTF-32, an odd-length UTF-16 body and a BOM that contradicts --encoding", () => {
    expect(thrown(() => decodeText(Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]), "a.csv")).message).toMatch(/UTF-32LE text .* does not read/);
    expect(thrown(() => decodeText(Buffer.from([0xff, 0xfe, 0x41, 0, 0x42]), "a.csv")).message).toMatch(/odd number of bytes \(3\), so it is not UTF-16LE/);
    expect(thrown(() => decodeText(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), "a.csv", "latin1")).message).toMatch(/starts with a UTF-8 byte-order mark but --encoding latin1/);
  });

  it("keeps a few control characters in genuine text (hostile but not binary)", () => {
    expect(decodeText(bytes("text\n\u001b[31mred\u0007\n"), "a.csv")).toBe("text\n\u001b[31mred\u0007\n");
  });

  it("refuses an encoding name it does not know (a library caller's typo must not mean UTF-8)", () => {
    expect(() => decodeText(bytes("a"), "a.csv", "ebcdic" as never)).toThrow(/Unknown encoding "ebcdic"\. Use one of: auto, utf8, latin1, utf16le, utf16be/);
  });

  it("says 'the input' for stdin and suggests iconv there (predict has no --encoding)", () => {
    expect(thrown(() => decodeText(bytes("ok\nbad ", [0xe9], "t\n"), "stdin")).message).toMatch(/^stdin:2: The input is not valid UTF-8.*iconv -f WINDOWS-1252/);
  });
});

describe("firstInvalidUtf8", () => {
  it("finds overlong forms, surrogates, truncated sequences and stray continuation bytes", () => {
    expect(firstInvalidUtf8(bytes("abc"))).toBe(3);
    expect(firstInvalidUtf8(bytes("a", [0xc0, 0xaf]))).toBe(1); // overlong "/"
    expect(firstInvalidUtf8(bytes("ab", [0xed, 0xa0, 0x80]))).toBe(2); // UTF-16 surrogate
    expect(firstInvalidUtf8(bytes("é", [0xe2, 0x82]))).toBe(2); // truncated €
    expect(firstInvalidUtf8(bytes("x", [0x80]))).toBe(1);
    expect(firstInvalidUtf8(bytes([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
    expect(firstInvalidUtf8(bytes("€😀"))).toBe(7);
  });
});

describe("parseTextEncoding", () => {
  it("reads the names people write", () => {
    expect(parseTextEncoding("UTF-8")).toBe("utf8");
    expect(parseTextEncoding("ISO-8859-1")).toBe("latin1");
    expect(parseTextEncoding("windows-1252")).toBe("latin1");
    expect(parseTextEncoding("utf-16le")).toBe("utf16le");
    expect(parseTextEncoding("ebcdic")).toBeUndefined();
  });
});
