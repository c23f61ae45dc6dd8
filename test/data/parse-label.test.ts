import { describe, expect, it } from "vitest";
import { DataError, OptionsError } from "../../src/errors.js";
import { LIBRARY_LABEL_WORDING, isLabelScheme, parseLabel, parseLabelMap } from "../../src/data/parse-label.js";
import { CLI_LABEL_WORDING, bareStars, labelSchemeFrom } from "../../src/cli/label-options.js";

const at = { file: "f.csv", line: 2, field: "score" };

describe("label schemes", () => {
  it("stars: two classes, 3 dropped; stars3: 3 is neutral; stars5: one class per star", () => {
    expect([1, 2, 3, 4, 5].map((n) => parseLabel(String(n), "stars", at))).toEqual(["negative", "negative", null, "positive", "positive"]);
    expect([1, 2, 3, 4, 5].map((n) => parseLabel(n, "stars3", at))).toEqual(["negative", "negative", "neutral", "positive", "positive"]);
    expect([1, 2, 3, 4, 5].map((n) => parseLabel(` ${n} `, "stars5", at))).toEqual(["1", "2", "3", "4", "5"]);
    expect(() => parseLabel("6", "stars5", at)).toThrow(/Unknown star rating "6"/);
    expect(() => parseLabel("4.5", "stars3", at)).toThrow(DataError);
  });

  it("any keeps each value as written (trimmed); an empty label is refused", () => {
    expect(parseLabel(" Neutral ", "any", at)).toBe("Neutral");
    expect(parseLabel(7, "any", at)).toBe("7");
    expect(() => parseLabel("  ", "any", at)).toThrow(/f\.csv:2 \(field "score"\): The label is empty/);
  });

  it("a map maps values, drops values mapped to nothing, and names the map for unknown values", () => {
    const m = parseLabelMap("1,2=negative; 3=; 4,5=positive");
    expect(m.map).toEqual({ 1: "negative", 2: "negative", 3: null, 4: "positive", 5: "positive" });
    expect(parseLabel("2", m, at)).toBe("negative");
    expect(parseLabel("3", m, at)).toBeNull();
    expect(() => parseLabel("9", m, at)).toThrow(/Label value "9" is not in the label map \("1", "2", "3", "4", "5"\)/);
  });

  it("refuses malformed maps with what to write", () => {
    expect(() => parseLabelMap("")).toThrow(/is empty/);
    expect(() => parseLabelMap("1=a;2")).toThrow(/"2" has no "="/);
    expect(() => parseLabelMap("1=a;1=b")).toThrow(/value "1" is mapped twice/);
    expect(() => parseLabelMap("1,=a;2=b")).toThrow(/empty value/);
    expect(() => parseLabelMap("1,2=a")).toThrow(/only one class \(a\)/);
    expect(() => parseLabelMap("1=a=b;2=c")).toThrow(/more than one "="/);
    expect(() => parseLabelMap("x")).toThrow(OptionsError);
  });

  it("a star rating under the binary scheme suggests the star schemes, in the caller's words", () => {
    expect(() => parseLabel("5", "binary", at)).toThrow('It looks like a star rating: use labels: "stars" for two classes, labels: "stars3" for three or labels: "stars5" for five.');
    expect(() => parseLabel("5", "binary", at, CLI_LABEL_WORDING)).toThrow("It looks like a star rating: use --stars for two classes, --stars 3 for three or --stars 5 for five.");
    expect(() => parseLabel("neutral", "binary", at, CLI_LABEL_WORDING)).toThrow(/For other labels use --labels any \(each value its own class\) or --label-map "1,2=negative;3=neutral;4,5=positive"/);
    expect(LIBRARY_LABEL_WORDING.any).toBe('labels: "any"');
  });

  it("recognises schemes read back from a bundle", () => {
    for (const s of ["binary", "stars", "stars3", "stars5", "any", { map: { a: "x", b: null } }]) expect(isLabelScheme(s)).toBe(true);
    for (const s of ["stars4", null, { map: { a: 1 } }, { map: null }]) expect(isLabelScheme(s)).toBe(false);
  });
});

describe("CLI label options", () => {
  it("a bare --stars never swallows the file after it; a number after it is a class count", () => {
    expect(bareStars(["--stars", "data.csv"])).toEqual(["--stars=2", "data.csv"]);
    expect(bareStars(["--stars"])).toEqual(["--stars=2"]);
    expect(bareStars(["--stars", "3", "data.csv"])).toEqual(["--stars", "3", "data.csv"]);
    expect(bareStars(["--stars", "4"])).toEqual(["--stars", "4"]);
    expect(bareStars(["--", "--stars", "x"])).toEqual(["--", "--stars", "x"]);
  });

  it("reads the scheme from one option, and refuses two", () => {
    expect(labelSchemeFrom({})).toBeUndefined();
    expect(labelSchemeFrom({ labels: true })).toBeUndefined(); // store add's --no-labels default
    expect(labelSchemeFrom({ stars: "2" })).toBe("stars");
    expect(labelSchemeFrom({ stars: "3" })).toBe("stars3");
    expect(labelSchemeFrom({ stars: "5" })).toBe("stars5");
    expect(labelSchemeFrom({ labels: "any" })).toBe("any");
    expect(() => labelSchemeFrom({ stars: "3", labels: "any" })).toThrow("--stars 3 and --labels any both say how to read labels; give one.");
  });
});
