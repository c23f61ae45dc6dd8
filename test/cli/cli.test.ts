import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { runCli } from "../support/run-cli.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir();
const amazon = join(DATASETS, "uci-sentiment-labelled-sentences", "amazon_cells_labelled.txt");
const model = join(tmp.dir, "model");

beforeAll(() => {
  const r = runCli(["train", amazon, "--out", model, "--trees", "40", "--quiet"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
});

describe("sentivec train", () => {
  it("prints the evaluation and writes a bundle", () => {
    expect(existsSync(join(model, "model.json"))).toBe(true);
    expect(existsSync(join(model, "forest.1.bin"))).toBe(true);
  });

  it("--json prints one JSON document with the report", () => {
    const r = runCli(["train", amazon, "--out", join(tmp.dir, "m2"), "--trees", "20", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.embedder.id).toBe("local:glove-lex-v2@133");
    expect(out.report.accuracy).toBeGreaterThan(0.6);
    expect(out.dataset.stats.duplicatesRemoved).toBe(10);
    expect(out.report.confusion).toHaveLength(2);
  });

  it("prints a readable report", () => {
    const r = runCli(["train", amazon, "--out", join(tmp.dir, "m3"), "--trees", "20"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/precision\s+recall\s+f1\s+support/);
    expect(r.stdout).toMatch(/Confusion matrix/);
    expect(r.stderr).toMatch(/Loaded 990 of 1000 rows .* dropped 10 duplicate texts/);
  });
});

describe("sentivec predict", () => {
  it("prints one label and probability per text", () => {
    const r = runCli(["predict", "--model", model, "really amazing", "not worth the money"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^(positive|negative)\s+0\.\d{3}\s+really amazing$/);
    expect(lines[1]).toMatch(/^(positive|negative)\s+(0\.\d{3}|1\.000)\s+not worth the money$/);
  });

  it("--json prints valid JSON", () => {
    const r = runCli(["predict", "--model", model, "--json", "really amazing", "not worth the money"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ text: "really amazing", label: expect.any(String), probability: expect.any(Number) });
  });

  it("reads texts from stdin, one per line; with --json a blank line gets an explicit null, not a label", () => {
    const r = runCli(["predict", "--model", model, "--json"], { input: "great phone\n\nbroke in a week\n" });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.map((p: { text: string }) => p.text)).toEqual(["great phone", "", "broke in a week"]);
    expect(out[1]).toEqual({ text: "", label: null, probability: null, probabilities: null, reason: "blank text: nothing to classify" });
    expect(out[2].label).toEqual(expect.any(String));
  });

  it("refuses an embedder other than the bundle's", () => {
    const r = runCli(["predict", "--model", model, "--embedder", "local:hash-v2", "--dimensions", "256", "hello"]);
    expectOneLineError(r, /trained on local:glove-lex-v2@133 vectors .* would embed with local:hash-v2@256/);
  });

  it("a missing bundle is a one-line error", () => {
    expectOneLineError(runCli(["predict", "--model", join(tmp.dir, "none"), "x"]), /No model bundle here/);
  });
});

describe("sentivec evaluate and cv", () => {
  it("evaluate scores a saved model on another file", () => {
    const r = runCli(["evaluate", "--model", model, join(DATASETS, "sst2", "dev.tsv"), "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.report.n).toBe(872);
  });

  it("cv reports k folds", () => {
    const r = runCli(["cv", amazon, "--folds", "3", "--trees", "20", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.foldAccuracies).toHaveLength(3);
    expect(out.accuracy.mean).toBeGreaterThan(0.6);
  });
});

describe("CLI errors are one line with a non-zero exit", () => {
  it("unknown option", () => {
    expectOneLineError(runCli(["train", amazon, "--tress", "10"]), /unknown option '--tress' \(Did you mean --trees\?\)/);
  });

  it("missing dataset file", () => {
    expectOneLineError(runCli(["train", join(tmp.dir, "missing.csv"), "--out", join(tmp.dir, "x")]), /missing\.csv: File not found/);
  });

  it("bad label value names file, line and value", () => {
    const f = tmp.file("bad.tsv", "sentence\tlabel\ngood\t1\nbad\t7\n");
    expectOneLineError(runCli(["train", f, "--out", join(tmp.dir, "x")]), /bad\.tsv:3 \(field "label"\): Unknown label value "7"/);
  });

  it("a split that leaves a class empty", () => {
    const f = tmp.file("tiny.txt", "a\t1\nb\t1\nc\t1\nd\t1\ne\t0\n");
    expectOneLineError(runCli(["train", f, "--out", join(tmp.dir, "x")]), /Class "negative" has 1 example/);
  });

  it("invalid option value", () => {
    expectOneLineError(runCli(["train", amazon, "--test-size", "1.5"]), /--test-size must be a number from 0 \(inclusive\) to 1 \(exclusive\)/);
  });
});
