import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { runCli } from "../support/run-cli.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir();
const food = join(DATASETS, "fine-food-reviews", "fine_food_reviews_1k.csv");

describe("thresholds, calibration and balanced forests on the command line", () => {
  it("--threshold auto --calibrate sigmoid: recorded in the bundle, used by evaluate and predict, reported with Brier before and after", () => {
    const dir = join(tmp.dir, "auto");
    const r = runCli(["train", food, "--stars", "--trees", "30", "--threshold", "auto", "--calibrate", "sigmoid", "--out", dir, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const t = out.classifier.threshold;
    expect(t.source).toEqual({ auto: "balanced accuracy" });
    expect(t.value).toBeGreaterThan(0);
    expect(t.value).toBeLessThan(1);
    expect(out.classifier.calibration).toEqual({ method: "sigmoid", folds: 5 });
    expect(out.report.threshold).toBe(t.value);
    expect(out.report.uncalibrated.method).toBe("sigmoid");
    const manifest = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    expect(manifest.classifier.threshold.value).toBe(t.value);
    // predict applies the cut: the label follows p(positive) ≥ threshold, not 0.5.
    const p = runCli(["predict", "-m", dir, "--json", "ok I guess", "Terrible, stale and broken", "Love it"]);
    expect(p.code, p.stderr).toBe(0);
    for (const x of JSON.parse(p.stdout)) expect(x.label).toBe(x.probabilities.positive >= t.value ? "positive" : "negative");
    const e = runCli(["evaluate", food, "-m", dir]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toContain(`Decision threshold: "positive" when its probability ≥ ${t.value.toFixed(3)}`);
    expect(runCli(["train", food, "--stars", "--trees", "20", "--calibrate", "isotonic", "--out", join(tmp.dir, "iso")]).stdout).toMatch(/Brier score\s+0\.\d+\s+before isotonic calibration: 0\.\d+/);
  });

  it("--balanced-bootstrap and --class-weight balanced_subsample train", () => {
    const b = runCli(["cv", food, "--stars", "--trees", "20", "--folds", "3", "--balanced-bootstrap", "--json", "--quiet"]);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).pooled.perClass[0].recall).toBeGreaterThan(0.4);
    const s = runCli(["train", food, "--stars", "--trees", "20", "--class-weight", "balanced_subsample", "--out", join(tmp.dir, "sub"), "--quiet"]);
    expect(s.code, s.stderr).toBe(0);
  });

  it("--threshold by hand", () => {
    const r = runCli(["train", food, "--stars", "--trees", "20", "--threshold", "0.9", "--out", join(tmp.dir, "hand"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).classifier.threshold).toEqual({ value: 0.9, source: "given" });
  });
});

describe("decision option errors: one line each", () => {
  const out = ["--out", join(tmp.dir, "x")];
  it("a threshold outside (0, 1)", () => expectOneLineError(runCli(["train", food, "--stars", "--threshold", "1.5", ...out]), /--threshold must be auto or a probability between 0 and 1/));
  it("a threshold with more than two classes", () => expectOneLineError(runCli(["train", food, "--stars", "3", "--threshold", "auto", "--trees", "5", ...out]), /A decision threshold needs exactly two classes; these labels are 3 \(negative, neutral, positive\)\./));
  it("an unknown metric, a metric without auto, an F1 class that is not a label", () => {
    expectOneLineError(runCli(["train", food, "--stars", "--threshold", "auto", "--threshold-metric", "recall", ...out]), /--threshold-metric must be balanced-accuracy or f1:LABEL/);
    expectOneLineError(runCli(["train", food, "--stars", "--threshold-metric", "f1:negative", ...out]), /--threshold-metric applies to --threshold auto\./);
    expectOneLineError(runCli(["train", food, "--stars", "--threshold", "auto", "--threshold-metric", "f1:bad", "--trees", "5", ...out]), /The threshold's F1 class "bad" is not one of the labels \(negative, positive\)\./);
  });
  it("an unknown calibration method", () => expectOneLineError(runCli(["train", food, "--stars", "--calibrate", "platt", ...out]), /--calibrate.*platt.*invalid/));
  it("forest-only imbalance options with logistic regression, and balanced_subsample with a balanced bootstrap", () => {
    expectOneLineError(runCli(["train", food, "--stars", "--classifier", "logistic", "--balanced-bootstrap", ...out]), /--balanced-bootstrap applies to the forest, not --classifier logistic\./);
    expectOneLineError(runCli(["train", food, "--stars", "--balanced-bootstrap", "--class-weight", "balanced_subsample", "--trees", "5", ...out]), /balanced_subsample" weighs each tree's bootstrap sample, so it needs bootstrap: true/);
  });
});
