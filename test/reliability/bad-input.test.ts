import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { runCli } from "../support/run-cli.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

// The reliability catalogue, data part (issue 10 items 7, 8, 10, 11, 12, 13): malformed and odd files, bad
// option values and hostile text through the built CLI. Each case checks the exit code, the one error line
// (with file:line and field where there is one) and, for commands that write, what is on disk afterwards.
const tmp = useTempDir("sentivec-rel-data-");
const amazon = join(DATASETS, "uci-sentiment-labelled-sentences", "amazon_cells_labelled.txt");
const model = join(tmp.dir, "model");
const ESC = "\u001b";

/** A small valid CSV body: enough rows of each class for a split and a few folds. */
const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i % 2 ? "great phone and works well" : "broke after a day"} ${i},${i % 2}`).join("\n") + "\n";

function train(file: string, out: string, ...extra: string[]) {
  return runCli(["train", file, "--out", out, "--trees", "5", "--quiet", ...extra]);
}

/** stderr must not carry raw bytes from a bad file: no NUL, no U+FFFD, no raw escape, and stay short. */
function expectCleanStderr(stderr: string): void {
  expect(stderr).not.toMatch(/[\u0000\ufffd\u001b]/);
  expect(stderr.length).toBeLessThan(400);
}

beforeAll(() => {
  const r = runCli(["train", amazon, "--out", model, "--trees", "10", "--test-size", "0", "--quiet"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
});

describe("text encodings (item 7)", () => {
  const latin1 = Buffer.concat([Buffer.from("text,label\ngood phone,1\nCaf"), Buffer.from([0xe9]), Buffer.from(" was awful,0\n" + rows(20))]);

  it("a Latin-1 file stops at its first bad byte with file:line and the --encoding hint; no model written", () => {
    const out = join(tmp.dir, "m-latin1");
    const r = train(tmp.file("latin1.csv", latin1), out);
    expectOneLineError(r, /latin1\.csv:3: The file is not valid UTF-8: byte 0xE9 at column 4, after "Caf"\. It looks like Latin-1 \(Windows-1252\): pass --encoding latin1/, 1);
    expectCleanStderr(r.stderr);
    expect(existsSync(out)).toBe(false);
  });

  it("--encoding latin1 reads it: the store holds \"Café\", not \"Caf�\"", () => {
    const store = join(tmp.dir, "st-latin1");
    const r = runCli(["store", "add", tmp.file("latin1b.csv", latin1), "--store", store, "--encoding", "latin1", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 22, size: 22 });
    const manifest = readFileSync(join(store, "manifest.json"), "utf8");
    expect(manifest).toContain("Café was awful");
    expect(manifest).not.toContain("\ufffd");
  });

  it("a UTF-16LE file with a byte-order mark is decoded, not read as NUL-laden columns", () => {
    const store = join(tmp.dir, "st-utf16");
    const file = tmp.file("utf16.csv", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("text,label\nnaïve and great,1\nawful,0\n", "utf16le")]));
    const r = runCli(["store", "add", file, "--store", store, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 2 });
    expect(readFileSync(join(store, "manifest.json"), "utf8")).toContain("naïve and great");
  });

  it("UTF-16 without a byte-order mark is named, with the option to read it; nothing written", () => {
    const store = join(tmp.dir, "st-utf16-nobom");
    const r = runCli(["store", "add", tmp.file("utf16-nobom.csv", Buffer.from("text,label\ngood,1\nbad,0\n", "utf16le")), "--store", store]);
    expectOneLineError(r, /utf16-nobom\.csv: The file looks like UTF-16LE text without a byte-order mark\. Pass --encoding utf16le/, 1);
    expectCleanStderr(r.stderr);
    expect(existsSync(store)).toBe(false);
  });

  it("a spreadsheet saved as .csv is called binary, without dumping its bytes", () => {
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31) % 256))]);
    const out = join(tmp.dir, "m-xlsx");
    const r = train(tmp.file("sheet.csv", xlsx), out);
    expectOneLineError(r, /sheet\.csv: The file looks binary \(a zip archive, e\.g\. an \.xlsx spreadsheet\), not text.*Export the sheet as CSV/, 1);
    expectCleanStderr(r.stderr);
    expect(existsSync(out)).toBe(false);
  });

  it("random binary bytes are called binary, without dumping them", () => {
    const noise = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256));
    const r = runCli(["cv", tmp.file("noise.tsv", noise), "--folds", "2"]);
    expectOneLineError(r, /noise\.tsv: The file looks binary, not text: it has NUL bytes/, 1);
    expectCleanStderr(r.stderr);
  });

  it("--encoding that contradicts the byte-order mark is refused", () => {
    const file = tmp.file("bom-utf8.csv", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("text,label\n" + rows(10))]));
    expectOneLineError(runCli(["cv", file, "--folds", "2", "--encoding", "latin1"]), /bom-utf8\.csv: The file starts with a UTF-8 byte-order mark but --encoding latin1 was given/, 1);
  });

  it("an unknown --encoding lists the ones there are", () => {
    expectOneLineError(runCli(["cv", amazon, "--encoding", "ebcdic"]), /'ebcdic' is invalid\. --encoding must be one of auto, utf8, latin1, utf16le, utf16be/, 1);
  });
});

describe("malformed files (items 8, 13)", () => {
  it("a duplicate column header names both columns; no model written", () => {
    const out = join(tmp.dir, "m-dup");
    const r = train(tmp.file("dup.csv", "text,text,label\n" + rows(20).replace(/,(\d)\n/g, ",other,$1\n")), out);
    expectOneLineError(r, /dup\.csv:1: The header names column "text" twice \(columns 1 and 2\).*Rename or remove one of them/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("a JSON record naming a key twice stops with file:line; no model written", () => {
    const out = join(tmp.dir, "m-dupkey");
    const r = train(tmp.file("dupkey.json", '[\n{"text": "good", "label": 1},\n{"text": "first", "label": 0, "text": "second"}\n]\n'), out);
    expectOneLineError(r, /dupkey\.json:3: A record names the key "text" twice; JSON readers keep only the last one/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("columns differing only in case are ambiguous too", () => {
    const r = runCli(["cv", tmp.file("case.tsv", "Text\ttext\tlabel\na\tb\t1\nc\td\t0\n")]);
    expectOneLineError(r, /case\.tsv: Columns 1 \("Text"\) and 2 \("text"\) both match the text column "text".*--text-field/, 1);
  });

  it("a header-only file says it has no data rows (not \"all 0 items are 'unlabelled'\"); no model written", () => {
    const out = join(tmp.dir, "m-hdr");
    const r = train(tmp.file("header-only.csv", "text,label\n"), out);
    expectOneLineError(r, /header-only\.csv: The file has a header row \("text", "label"\) but no data rows/, 1);
    expect(r.stderr).not.toMatch(/unlabelled/);
    expect(existsSync(out)).toBe(false);
  });

  it("a blank text names file:line and the field", () => {
    const r = train(tmp.file("blank.csv", "text,label\ngood,1\n   ,0\n" + rows(10)), join(tmp.dir, "m-blank"));
    expectOneLineError(r, /blank\.csv:3 \(field "text"\): The text is blank/, 1);
  });

  it("a ragged row names file:line and the columns expected", () => {
    const r = train(tmp.file("ragged.csv", "text,label\ngood,1\nbad,0,extra\n" + rows(10)), join(tmp.dir, "m-ragged"));
    expectOneLineError(r, /ragged\.csv:3: Malformed row: expected 2 fields \("text", "label"\) but found 3/, 1);
  });

  it("an unknown label with terminal escapes names file:line and field, escaped", () => {
    const r = train(tmp.file("label.csv", `text,label\ngood,1\nbad,${ESC}[2Jmaybe\n` + rows(10)), join(tmp.dir, "m-label"));
    expectOneLineError(r, /label\.csv:3 \(field "label"\): .*\\u001b\[2Jmaybe/, 1);
    expectCleanStderr(r.stderr);
  });

  it("store add --skip-bad-rows says how many rows it skipped, and stores the rest", () => {
    const store = join(tmp.dir, "st-skip");
    const r = runCli(["store", "add", tmp.file("skip.csv", "text,label\ngood,1\nbad,0,extra\nfine,1\nworse,maybe\n"), "--store", store, "--skip-bad-rows"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Added 2 and updated 0 rows in .* \(2 rows, local:glove-lex-v2@133\); skipped 2 bad rows \(listed above\)\.$/m);
    expect(r.stderr).toMatch(/skip\.csv:3: Malformed row/);
    expect(r.stderr).toMatch(/skip\.csv:5 \(field "label"\)/);
    expect(JSON.parse(readFileSync(join(store, "manifest.json"), "utf8")).ids).toHaveLength(2);
  });

  it("a bad file leaves an existing store exactly as it was", () => {
    const store = join(tmp.dir, "st-keep");
    expect(runCli(["store", "add", tmp.file("keep.csv", "text,label\ngood,1\nbad,0\n"), "--store", store, "-q"]).code).toBe(0);
    const before = readFileSync(join(store, "manifest.json"));
    const r = runCli(["store", "add", tmp.file("keep-dup.csv", "text,label,label\na,1,0\n"), "--store", store]);
    expectOneLineError(r, /keep-dup\.csv:1: The header names column "label" twice \(columns 2 and 3\)/, 1);
    expect(readFileSync(join(store, "manifest.json")).equals(before)).toBe(true);
  });

  it("when --skip-bad-rows skips every row, says so; no store written", () => {
    const store = join(tmp.dir, "st-allbad");
    const r = runCli(["store", "add", tmp.file("allbad.csv", "text,label\ngood,maybe\nbad,perhaps\n"), "--store", store, "--skip-bad-rows"]);
    expectOneLineError(r, /allbad\.csv: No rows are left to use: of 2 rows read, 2 skipped as bad/, 1);
    expect(existsSync(store)).toBe(false);
  });
});

describe("blank texts never get a label (item 10)", () => {
  it("predict '' stops with one line naming the argument; nothing on stdout", () => {
    const r = runCli(["predict", "--model", model, "great", ""]);
    expectOneLineError(r, /^sentivec: argument 2: The text is empty; there is nothing to classify/, 1);
    expect(r.stdout).toBe("");
  });

  it("a whitespace-only stdin line names stdin:line", () => {
    const r = runCli(["predict", "--model", model], { input: "great phone\n   \nbroke\n" });
    expectOneLineError(r, /^sentivec: stdin:2: The text is blank/, 1);
    expect(r.stdout).toBe("");
  });

  it("--json answers a blank text with an explicit null and a reason, and the others as usual", () => {
    const r = runCli(["predict", "--model", model, "--json", " ", "great phone"]);
    expect(r.code, r.stderr).toBe(0);
    const [blank, ok] = JSON.parse(r.stdout);
    expect(blank).toEqual({ text: " ", label: null, probability: null, probabilities: null, reason: "blank text: nothing to classify" });
    expect(ok).toMatchObject({ text: "great phone", label: expect.any(String), probability: expect.any(Number) });
  });

  it("store search '' says the query is empty (not the embedder output)", () => {
    const store = join(tmp.dir, "st-search");
    expect(runCli(["store", "add", amazon, "--store", store, "-q"]).code).toBe(0);
    const r = runCli(["store", "search", "--store", store, ""]);
    expectOneLineError(r, /^sentivec: The query text is empty: there is nothing to search for/, 1);
    expect(r.stderr).not.toMatch(/embedder output/);
  });

  it("invalid UTF-8 on predict's stdin names stdin:line instead of classifying \"Caf�\"", () => {
    const r = runCli(["predict", "--model", model], { input: Buffer.concat([Buffer.from("great\nCaf"), Buffer.from([0xe9]), Buffer.from("\n")]) });
    expectOneLineError(r, /^sentivec: stdin:2: The input is not valid UTF-8: byte 0xE9 at column 4.*iconv/, 1);
    expect(r.stdout).toBe("");
  });
});

describe("option values (item 11)", () => {
  it("--test-size '' is refused, not read as 0; no model written", () => {
    const out = join(tmp.dir, "m-ts-empty");
    const r = train(amazon, out, "--test-size", "");
    expectOneLineError(r, /option '--test-size <fraction>' argument '' is invalid\. --test-size must be a number from 0 \(inclusive\) to 1 \(exclusive\)/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("--seed '' is refused, not read as 0; no model written", () => {
    const out = join(tmp.dir, "m-seed-empty");
    const r = train(amazon, out, "--seed", "");
    expectOneLineError(r, /option '--seed <n>' argument '' is invalid\. --seed must be a whole number from 0 to 4294967295/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("--seed in hex or exponent notation is refused (Number() would read 0x10 as 16)", () => {
    expectOneLineError(runCli(["cv", amazon, "--seed", "0x10"]), /argument '0x10' is invalid\. --seed must be a whole number/, 1);
    expectOneLineError(runCli(["cv", amazon, "--seed", "1e3"]), /argument '1e3' is invalid/, 1);
  });

  it("--test-size -0.5 and NaN are refused", () => {
    expectOneLineError(train(amazon, join(tmp.dir, "m-ts-neg"), "--test-size", "-0.5"), /argument '-0\.5' is invalid\. --test-size must be/, 1);
    expectOneLineError(train(amazon, join(tmp.dir, "m-ts-nan"), "--test-size", "NaN"), /argument 'NaN' is invalid/, 1);
    expect(existsSync(join(tmp.dir, "m-ts-neg"))).toBe(false);
  });

  it("--folds 0 and --folds 1 both say at least 2", () => {
    expectOneLineError(runCli(["cv", amazon, "--folds", "0"]), /argument '0' is invalid\. --folds must be a whole number ≥ 2\./, 1);
    expectOneLineError(runCli(["cv", amazon, "--folds", "1"]), /argument '1' is invalid\. --folds must be a whole number ≥ 2\./, 1);
  });

  it("store search -k '' and --dimensions 1.5 are refused", () => {
    expectOneLineError(runCli(["store", "search", "--store", join(tmp.dir, "none"), "-k", "", "x"]), /argument '' is invalid\. -k must be a whole number ≥ 1/, 1);
    expectOneLineError(runCli(["cv", amazon, "--dimensions", "1.5"]), /argument '1\.5' is invalid\. --dimensions must be a whole number ≥ 1/, 1);
  });
});

describe("filters and hostile text (items 12, 13)", () => {
  const hostile = join(tmp.dir, "st-hostile");

  beforeAll(() => {
    const file = tmp.file("hostile.csv", `text,label\n"${ESC}[31mgreat${ESC}[0m phone ${ESC}]0;pwned\u0007",1\n"awful \u202eevil",0\n`);
    const r = runCli(["store", "add", file, "--store", hostile, "-q"]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("a filter on a field no row has names the fields there are", () => {
    const r = runCli(["store", "search", "--store", hostile, "great", "--filter", "sorce=hostile.csv"]);
    expectOneLineError(r, /--filter "sorce": no row in this store has that field\. Fields: label, line, source, text; labels: negative, positive\./, 1);
  });

  it("search output escapes terminal escapes and bidi overrides from stored texts", () => {
    const r = runCli(["store", "search", "--store", hostile, "great phone", "-k", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(r.stdout).toContain("\\x1b[31mgreat\\x1b[0m phone \\x1b]0;pwned\\x07");
    expect(r.stdout).toContain("awful \\u202eevil");
  });

  it("predict escapes control characters in plain output; --json keeps the text exact", () => {
    const text = `${ESC}[2J${ESC}[31mgreat phone`;
    const plain = runCli(["predict", "--model", model, text]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain(ESC);
    expect(plain.stdout).toMatch(/\\x1b\[2J\\x1b\[31mgreat phone\n$/);
    const json = runCli(["predict", "--model", model, "--json", text]);
    expect(JSON.parse(json.stdout)[0].text).toBe(text);
  });

  it("zero-width characters and escapes inside words do not change the prediction (hash-v2)", () => {
    const r = runCli(["predict", "--model", model, "--json", "great phone", "gr\u200beat ph\u200done", `${ESC}[1mgreat${ESC}[0m phone`]);
    expect(r.code, r.stderr).toBe(0);
    const [clean, zw, ansi] = JSON.parse(r.stdout);
    expect(zw.probabilities).toEqual(clean.probabilities);
    expect(ansi.probabilities).toEqual(clean.probabilities);
  });
});
