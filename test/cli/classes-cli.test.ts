import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { runCli } from "../support/run-cli.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir();
const food = join(DATASETS, "fine-food-reviews", "fine_food_reviews_1k.csv");
const three = join(tmp.dir, "three");
const binaryStars = join(tmp.dir, "binary-stars");
let trained: { labels: string[]; labelScheme: unknown; classifier: { kind: string }; report: { rocAuc: number; rocAucWeighted: number; baselines: { name: string }[]; labels: string[] } };

beforeAll(() => {
  const r = runCli(["train", food, "--stars", "3", "--classifier", "logistic", "--out", three, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  trained = JSON.parse(r.stdout);
  // A bare --stars right before the file: the file is not taken as the option's value.
  const b = runCli(["train", "--stars", food, "--out", binaryStars, "--trees", "20", "--quiet"]);
  expect(b.stderr).toBe("");
  expect(b.code).toBe(0);
});

describe("more than two classes on the command line", () => {
  it("--stars 3 trains a three-class logistic regression and records the scheme and the classifier", () => {
    expect(trained.labels).toEqual(["negative", "neutral", "positive"]);
    expect(trained.labelScheme).toBe("stars3");
    expect(trained.classifier).toEqual({ kind: "logistic" });
    const manifest = JSON.parse(readFileSync(join(three, "model.json"), "utf8"));
    expect(manifest).toMatchObject({ formatVersion: 3, labelScheme: "stars3", classifier: { kind: "logistic" }, forest: { engine: "logistic" } });
    // One-vs-rest AUC, both averages; baselines: majority and kNN (no logistic baseline beside a logistic model).
    expect(trained.report.rocAuc).toBeGreaterThan(0.6);
    expect(trained.report.rocAucWeighted).toBeGreaterThan(0.6);
    expect(trained.report.baselines.map((b) => b.name)).toEqual(['majority class (always "positive")', "kNN (k=15, cosine)"]);
  });

  it("predict --json gives every class's probability", () => {
    const r = runCli(["predict", "-m", three, "--json", "Stale and tasteless, I threw it away.", "Delicious, my kids love it!"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { label: string; probabilities: Record<string, number> }[];
    for (const p of out) {
      expect(Object.keys(p.probabilities)).toEqual(["negative", "neutral", "positive"]);
      expect(Object.values(p.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    }
    expect(out[1].label).toBe("positive");
  });

  it("evaluate reads a star-rated file as the model was trained, without --stars again", () => {
    const r = runCli(["evaluate", food, "-m", three, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.report.labels).toEqual(["negative", "neutral", "positive"]);
    const b = runCli(["evaluate", food, "-m", binaryStars]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/Baseline majority class \(always "positive"\)/);
    // The 3-star rows were dropped, as in training.
    expect(b.stderr).toMatch(/Loaded 706 of 1000 rows .* 75 neutral \(3-star\)/);
  });

  it("cv handles five classes and prints the majority baseline", () => {
    const r = runCli(["cv", food, "--stars", "5", "--classifier", "logistic", "--logistic-c", "0.1", "--folds", "3", "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ROC-AUC ovr\s+0\.\d+\s+macro/);
    expect(r.stdout).toMatch(/Baseline majority class \(always "5"\)/);
  });

  it("--labels any keeps each label as written; --label-map maps and drops", () => {
    const csv = tmp.file("moods.csv", "text,label\n" + ["great stuff", "fine I guess", "awful", "love it", "it is ok", "hate it", "superb", "meh", "terrible", "wonderful", "average", "bad"].map((t, i) => `${t},${["pos", "mid", "neg"][i % 3]}`).join("\n") + "\n");
    const r = runCli(["train", csv, "--labels", "any", "--classifier", "logistic", "--logistic-c", "1", "--test-size", "0", "--out", join(tmp.dir, "moods"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).labels).toEqual(["mid", "neg", "pos"]);
    const m = runCli(["train", csv, "--label-map", "pos=good;neg=bad;mid=", "--test-size", "0", "--trees", "5", "--out", join(tmp.dir, "mapped"), "--json"]);
    expect(m.code, m.stderr).toBe(0);
    expect(JSON.parse(m.stdout).labels).toEqual(["bad", "good"]);
    expect(JSON.parse(m.stdout).dataset.stats.neutralDropped).toBe(4);
  });
});

describe("label and classifier option errors: one line each", () => {
  it("a star-rated file read as binary names the CLI options", () => {
    expectOneLineError(runCli(["train", food, "--out", join(tmp.dir, "x")]), /It looks like a star rating: use --stars for two classes, --stars 3 for three or --stars 5 for five\.$/);
  });
  it("--stars takes 2, 3 or 5", () => {
    expectOneLineError(runCli(["train", food, "--stars", "4", "--out", join(tmp.dir, "x")]), /--stars takes 2, 3 or 5 classes/);
  });
  it("two label options at once", () => {
    expectOneLineError(runCli(["train", food, "--stars", "--labels", "any", "--out", join(tmp.dir, "x")]), /--stars and --labels any both say how to read labels; give one\./);
  });
  it("a malformed --label-map", () => {
    expectOneLineError(runCli(["train", food, "--label-map", "1,2=negative;3", "--out", join(tmp.dir, "x")]), /"3" has no "="; write it as/);
  });
  it("a value missing from --label-map names the file, row and field", () => {
    expectOneLineError(runCli(["train", food, "--label-map", "1,2=negative;4=positive", "--out", join(tmp.dir, "x")]), /fine_food_reviews_1k\.csv:\d+ \(field "Score"\): Label value "\d" is not in the label map/);
  });
  it("--logistic-c must be positive, and only goes with --classifier logistic", () => {
    expectOneLineError(runCli(["train", food, "--stars", "--classifier", "logistic", "--logistic-c", "0", "--out", join(tmp.dir, "x")]), /--logistic-c must be a positive number/);
    expectOneLineError(runCli(["train", food, "--stars", "--logistic-c", "1", "--out", join(tmp.dir, "x")]), /--logistic-c applies to --classifier logistic, not forest\./);
  });
  it("an unknown --classifier", () => {
    expectOneLineError(runCli(["train", food, "--stars", "--classifier", "svm", "--out", join(tmp.dir, "x")]), /--classifier.*svm.*invalid/);
  });
});
