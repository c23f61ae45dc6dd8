import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/load-dataset.js";
import { DataError } from "../../src/errors.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

const uci = (f: string) => join(DATASETS, "uci-sentiment-labelled-sentences", f);

describe("loading the shipped datasets", () => {
  it("reads every UCI line, splitting on the last tab, and drops exact duplicates", async () => {
    const amazon = await loadDataset(uci("amazon_cells_labelled.txt"));
    expect(amazon.stats.rows).toBe(1000);
    expect(amazon.stats.duplicatesRemoved).toBe(10);
    expect(amazon.items).toHaveLength(990);
    expect(amazon.labels).toEqual(["negative", "positive"]);
    const yelp = await loadDataset(uci("yelp_labelled.txt"));
    expect(yelp.stats.rows).toBe(1000);
    expect(yelp.stats.duplicatesRemoved).toBe(4);
    // Unbalanced quotes must not swallow rows: each line is one row.
    expect(yelp.items.filter((i) => i.text.includes('"')).length).toBeGreaterThan(0);
    expect(yelp.items.every((i) => !i.text.includes("\n") && !i.text.includes("\t"))).toBe(true);
  });

  it("dedupes across files", async () => {
    const both = await loadDataset([uci("amazon_cells_labelled.txt"), uci("yelp_labelled.txt")]);
    expect(both.stats.rows).toBe(2000);
    expect(both.items.length).toBe(2000 - both.stats.duplicatesRemoved);
  });

  it("reads SST-2 TSV with its header and counts conflicting duplicates", async () => {
    const dev = await loadDataset(join(DATASETS, "sst2", "dev.tsv"));
    expect(dev.items).toHaveLength(872);
    expect(dev.items.filter((i) => i.label === "positive")).toHaveLength(444);
    const train = await loadDataset(join(DATASETS, "sst2", "train_full.tsv"));
    expect(train.stats.rows).toBe(67349);
    expect(train.items).toHaveLength(66978);
    expect(train.stats.conflictingDuplicates).toBe(5);
  });

  it("maps fine-food star ratings, dropping and counting 3 stars", async () => {
    const ff = await loadDataset(join(DATASETS, "fine-food-reviews", "fine_food_reviews_1k.csv"), { labels: "stars" });
    expect(ff.stats.rows).toBe(1000);
    expect(ff.stats.neutralDropped).toBe(75);
    // 925 non-neutral rows; the repeats among them are removed.
    expect(ff.items.length + ff.stats.duplicatesRemoved).toBe(925);
    expect(new Set(ff.items.map((i) => i.text)).size).toBe(ff.items.length);
    const without = await loadDataset(join(DATASETS, "fine-food-reviews", "fine_food_reviews_1k.csv"), { labels: "stars", dedupe: false });
    expect(without.items).toHaveLength(925);
  });

  it("reads the seed's JSON with string labels and its precomputed vectors", async () => {
    const reviews = await loadDataset(join(DATASETS, "seed", "review.json"));
    expect(reviews.items.map((i) => i.label)).toEqual(expect.arrayContaining(["positive", "negative"]));
    expect(reviews.items.filter((i) => i.label === "positive")).toHaveLength(5);
    const emb = await loadDataset(join(DATASETS, "seed", "embeddings.json"));
    expect(emb.items.every((i) => i.vector?.length === 10)).toBe(true);
  });

  it("still reads labels when they are optional and present", async () => {
    const d = await loadDataset(uci("amazon_cells_labelled.txt"), { requireLabels: false });
    expect(d.items.every((i) => i.label === "positive" || i.label === "negative")).toBe(true);
  });

  it("reads an unlabelled CSV with a BOM and CRLF when labels are not required", async () => {
    const movies = await loadDataset(join(DATASETS, "seed", "movies.csv"), { requireLabels: false, textField: "Description" });
    expect(movies.items).toHaveLength(20);
    expect(movies.items.every((i) => i.label === undefined && !i.text.endsWith("\r"))).toBe(true);
  });

  it("gives the same fingerprint for the same data and a different one otherwise", async () => {
    const a = await loadDataset(uci("amazon_cells_labelled.txt"));
    const b = await loadDataset(uci("amazon_cells_labelled.txt"));
    const c = await loadDataset(uci("yelp_labelled.txt"));
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
  });
});

describe("formats and labels", () => {
  const tmp = useTempDir();

  it("accepts every binary label spelling", async () => {
    const rows = ["1", "0", "true", "false", "True", "False", "pos", "neg", "positive", "NEGATIVE"];
    const f = tmp.file("labels.jsonl", rows.map((l, i) => JSON.stringify({ text: `t${i}`, label: l })).join("\n"));
    const d = await loadDataset(f);
    expect(d.items.map((i) => i.label)).toEqual(["positive", "negative", "positive", "negative", "positive", "negative", "positive", "negative", "positive", "negative"]);
  });

  it("accepts JSON booleans and numbers as labels", async () => {
    const f = tmp.file("bools.json", JSON.stringify([{ text: "a", label: true }, { text: "b", label: 0 }]));
    expect((await loadDataset(f)).items.map((i) => i.label)).toEqual(["positive", "negative"]);
  });

  it("counts and reports skipped bad rows when asked", async () => {
    const f = tmp.file("skip.tsv", "sentence\tlabel\ngood\t1\nbad row without label\nfine\tmaybe\nok\t0\n");
    const d = await loadDataset(f, { skipBadRows: true });
    expect(d.items.map((i) => i.text)).toEqual(["good", "ok"]);
    expect(d.stats.badRowsSkipped).toBe(2);
    expect(d.stats.badRows.map((b) => b.line)).toEqual([3, 4]);
    expect(d.stats.badRows[1].reason).toContain('"maybe"');
  });

  it("keeps quoted CSV fields with commas and newlines, and reports the right line after them", async () => {
    const f = tmp.file("multi.csv", 'text,label\n"a, b\nstill a",1\nplain,nope\n');
    await expect(loadDataset(f)).rejects.toThrow(/multi\.csv:4.*"nope"/);
  });
});

describe("bad input gets a clear error naming the place", () => {
  const tmp = useTempDir();
  const fails = async (path: string, options: Parameters<typeof loadDataset>[1], pattern: RegExp, code: string) => {
    const err = await loadDataset(path, options).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe(code);
    expect((err as Error).message).toMatch(pattern);
  };

  it("missing file", async () => {
    await fails(join(tmp.dir, "nope.csv"), {}, /nope\.csv: File not found\. Check the path/, "DATA_MISSING_FILE");
  });

  it("empty file", async () => {
    await fails(tmp.file("empty.csv", ""), {}, /empty\.csv: The file is empty/, "DATA_EMPTY");
    await fails(tmp.file("empty.txt", "\n\n"), {}, /empty\.txt: The file is empty/, "DATA_EMPTY");
    await fails(tmp.file("empty.json", "[]"), {}, /empty\.json: The JSON array is empty/, "DATA_EMPTY");
  });

  it("missing text column lists the columns found", async () => {
    await fails(tmp.file("notext.csv", "body,label\nhi,1\n"), {}, /notext\.csv: No text column.*Columns found: "body", "label"/, "DATA_MISSING_COLUMN");
  });

  it("missing label column lists the columns found", async () => {
    await fails(tmp.file("nolabel.csv", "text,stars\nhi,1\n"), { labelField: "polarity" }, /No label column "polarity"\. Columns found: "text", "stars"/, "DATA_MISSING_COLUMN");
  });

  it("unknown label value names the row and the value", async () => {
    await fails(tmp.file("badlabel.tsv", "sentence\tlabel\nnice\t1\nmeh\tneutral\n"), {}, /badlabel\.tsv:3 \(field "label"\): Unknown label value "neutral"\. Accepted: 1\/0/, "DATA_UNKNOWN_LABEL");
  });

  it("a star rating given as a binary label suggests --stars", async () => {
    await fails(tmp.file("stars.csv", "text,score\na,5\n"), {}, /looks like a star rating/, "DATA_UNKNOWN_LABEL");
  });

  it("blank text", async () => {
    await fails(tmp.file("blank.txt", "good\t1\n   \t0\n"), {}, /blank\.txt:2 \(field "text"\): The text is blank/, "DATA_BLANK_TEXT");
  });

  it("ragged TSV row", async () => {
    await fails(tmp.file("ragged.tsv", "sentence\tlabel\nok\t1\ntoo\tmany\t0\n"), {}, /ragged\.tsv:3: Malformed row: expected 2 fields .* but found 3/, "DATA_BAD_ROW");
  });

  it("headerless line without a tab", async () => {
    await fails(tmp.file("notab.txt", "fine\t1\nno tab here 0\n"), {}, /notab\.txt:2: Malformed row: no tab/, "DATA_BAD_ROW");
  });

  it("NaN or Infinity in precomputed vectors", async () => {
    await fails(tmp.file("nan.jsonl", '{"text":"a","label":1,"embedding":[0.1,0.2]}\n{"text":"b","label":0,"embedding":"[0.1, NaN]"}\n'), {}, /nan\.jsonl:2 \(field "embedding"\): Bad vector: value 1 is NaN/, "DATA_BAD_VECTOR");
    await fails(tmp.file("inf.csv", 'text,label,embedding\na,1,"[1, Infinity]"\n'), {}, /inf\.csv:2 \(field "embedding"\): Bad vector: value 1 is Infinity/, "DATA_BAD_VECTOR");
    await fails(tmp.file("null.json", JSON.stringify([{ text: "a", label: 1, embedding: [0.5, null] }])), {}, /null\.json record 1 \(field "embedding"\): Bad vector: value 1 is null/, "DATA_BAD_VECTOR");
  });

  it("vectors of differing length", async () => {
    const f = tmp.file("ragged-vec.json", JSON.stringify([
      { text: "a", label: 1, embedding: [1, 2, 3] },
      { text: "b", label: 0, embedding: [1, 2] },
    ]));
    await fails(f, {}, /ragged-vec\.json record 2: The vector has 2 values but the first row's .* has 3/, "DATA_VECTOR_LENGTH");
  });

  it("invalid JSON line", async () => {
    await fails(tmp.file("broken.jsonl", '{"text":"a","label":1}\n{"text": oops}\n'), {}, /broken\.jsonl:2: Malformed row: invalid JSON/, "DATA_BAD_ROW");
  });

  it("unknown extension", async () => {
    await fails(tmp.file("data.xlsx", "x"), {}, /Cannot tell the format from the extension ".xlsx"/, "DATA_FORMAT");
  });
});

describe("encodings, duplicate headers and empty files (issue 10 items 7, 8, 13)", () => {
  const tmp = useTempDir();
  const latin1 = Buffer.concat([Buffer.from("text,label\nCaf"), Buffer.from([0xe9]), Buffer.from(" was great,1\nawful,0\n")]);

  it("a Latin-1 file stops at the bad byte with file:line instead of reading \"Caf�\"", async () => {
    const file = tmp.file("latin1.csv", latin1);
    await expect(loadDataset(file)).rejects.toThrow(/latin1\.csv:2: The file is not valid UTF-8: byte 0xE9 at column 4.*--encoding latin1/);
  });

  it("reads the same file as Latin-1 when told to", async () => {
    const d = await loadDataset(tmp.file("latin1b.csv", latin1), { encoding: "latin1" });
    expect(d.items.map((i) => i.text)).toEqual(["Café was great", "awful"]);
  });

  it("reads UTF-16 files with a byte-order mark", async () => {
    const body = "text,label\nnaïve but great,1\nawful,0\n";
    const le = tmp.file("u16le.csv", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, "utf16le")]));
    const d = await loadDataset(le);
    expect(d.items.map((i) => i.text)).toEqual(["naïve but great", "awful"]);
  });

  it("a duplicate column names both positions instead of reading the last one", async () => {
    const file = tmp.file("dup.csv", "text,text,label\nfirst,second,1\nthird,fourth,0\n");
    const err = await loadDataset(file).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe('' + file + ':1: The header names column "text" twice (columns 1 and 2), so it is ambiguous which one to read. Rename or remove one of them.');
  });

  it("columns differing only in case are ambiguous for a default field", async () => {
    const file = tmp.file("case.tsv", "Text\ttext\tlabel\na\tb\t1\nc\td\t0\n");
    await expect(loadDataset(file)).rejects.toThrow(/Columns 1 \("Text"\) and 2 \("text"\) both match the text column "text"/);
    const exact = await loadDataset(file, { textField: "text" });
    expect(exact.items.map((i) => i.text)).toEqual(["b", "d"]);
  });

  it("a header-only file says it has no data rows", async () => {
    await expect(loadDataset(tmp.file("hdr.csv", "text,label\n"))).rejects.toThrow(/hdr\.csv: The file has a header row \("text", "label"\) but no data rows/);
  });

  it("when every row is skipped as bad, says so instead of returning nothing", async () => {
    const file = tmp.file("allbad.csv", "text,label\ngood,maybe\nbad,perhaps\n");
    await expect(loadDataset(file, { skipBadRows: true })).rejects.toThrow(/No rows are left to use: of 2 rows read, 2 skipped as bad/);
  });

  it("a text of only invisible characters is blank", async () => {
    const file = tmp.file("zw.csv", "text,label\n\u200b\u200b,1\nok,0\n");
    await expect(loadDataset(file)).rejects.toThrow(/zw\.csv:2 \(field "text"\): The text is blank/);
  });

  it("a skipped row's reason leaves out the moot 'pass --skip-bad-rows' hint", async () => {
    const d = await loadDataset(tmp.file("skip.csv", "text,label\ngood,1\nbad,0,extra\nfine,0\n"), { skipBadRows: true });
    expect(d.stats.badRows[0].reason).toBe('Malformed row: expected 2 fields ("text", "label") but found 3.');
  });
});

describe("duplicate JSON keys (the JSON twin of item 8)", () => {
  const tmp = useTempDir();

  it("a JSON array record with a key twice stops with file:line instead of reading the last one", async () => {
    const file = tmp.file("dup.json", '[\n  {"text": "good", "label": 1},\n  {"text": "first", "label": 0, "text": "second"}\n]\n');
    await expect(loadDataset(file)).rejects.toThrow(/dup\.json:3: A record names the key "text" twice; JSON readers keep only the last one/);
  });

  it("a JSON Lines record with a key twice is a bad row (skippable)", async () => {
    const file = tmp.file("dup.jsonl", '{"text": "good", "label": 1}\n{"label": 0, "label": 1, "text": "x"}\n{"text": "bad", "label": 0}\n');
    await expect(loadDataset(file)).rejects.toThrow(/dup\.jsonl:2: Malformed row: the key "label" appears twice/);
    const d = await loadDataset(file, { skipBadRows: true });
    expect(d.items.map((i) => i.text)).toEqual(["good", "bad"]);
  });
});
