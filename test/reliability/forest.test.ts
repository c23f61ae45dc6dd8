import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { runCli } from "../support/run-cli.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

// The reliability catalogue, forest part (issue 10): bad forest options and forest faults through the built CLI.
const tmp = useTempDir("sentivec-rel-forest-");
const amazon = join(DATASETS, "uci-sentiment-labelled-sentences", "amazon_cells_labelled.txt");

function train(out: string, ...extra: string[]) {
  return runCli(["train", amazon, "--out", out, "--trees", "5", "--quiet", ...extra]);
}

function savedParams(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, "model.json"), "utf8")).forest.params;
}

describe("--max-features values", () => {
  it("abc: one line saying what to use, no model written", () => {
    const out = join(tmp.dir, "mf-abc");
    const r = train(out, "--max-features", "abc");
    expectOneLineError(r, /--max-features.*'abc' is invalid.*use --max-features sqrt, log2, all/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("0: one line saying a count must be at least 1, no model written", () => {
    const out = join(tmp.dir, "mf-zero");
    const r = train(out, "--max-features", "0");
    expectOneLineError(r, /'0' is invalid\. A count of features must be at least 1/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("1.5 (a fraction above 1) in cv: one line", () => {
    const r = runCli(["cv", amazon, "--folds", "2", "--trees", "5", "--max-features", "1.5"]);
    expectOneLineError(r, /'1\.5' is invalid\. A fraction of the features must be in \(0, 1\]/, 1);
    expect(r.stdout).toBe("");
  });

  it("1.0 means every feature, as in scikit-learn, and the bundle records it", () => {
    const out = join(tmp.dir, "mf-one-point-zero");
    const r = train(out, "--max-features", "1.0");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(savedParams(out).maxFeatures).toBe("all");
  });

  it("1 means one feature per split", () => {
    const out = join(tmp.dir, "mf-one");
    const r = train(out, "--max-features", "1");
    expect(r.code, r.stderr).toBe(0);
    expect(savedParams(out).maxFeatures).toBe(1);
  });

  it("--help says which is which", () => {
    const r = runCli(["train", "--help"]);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toMatch(/a whole number of features \(1 = one feature\)/);
    expect(help).toMatch(/a fraction written with a point \(0\.5 = half, 1\.0 = all\)/);
  });
});

describe("other forest options", () => {
  it("--trees 0: one line, no model written", () => {
    const out = join(tmp.dir, "trees-zero");
    const r = runCli(["train", amazon, "--out", out, "--trees", "0"]);
    expectOneLineError(r, /--trees must be a whole number ≥ 1/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("--trees 1e2 (not plain decimal digits): one line, no model written", () => {
    const out = join(tmp.dir, "trees-exp");
    const r = runCli(["train", amazon, "--out", out, "--trees", "1e2"]);
    expectOneLineError(r, /--trees must be a whole number ≥ 1/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("--jobs 0: one line, no model written", () => {
    const out = join(tmp.dir, "jobs-zero");
    const r = train(out, "--jobs", "0");
    expectOneLineError(r, /--jobs must be a whole number ≥ 1/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("--max-bins 1 and 65536: one line each, no model written", () => {
    for (const value of ["1", "65536"]) {
      const out = join(tmp.dir, `max-bins-${value}`);
      const r = train(out, "--max-bins", value);
      expectOneLineError(r, /--max-bins must be a whole number from 2 to 65535/, 1);
      expect(existsSync(out)).toBe(false);
    }
  });

  /** The params a model trained with `flag value` saves, and those of one trained without any flag (trained once, shared). */
  function paramsWithAndWithout(flag: string, value: string): [Record<string, unknown>, Record<string, unknown>] {
    const out = join(tmp.dir, `${flag.slice(2)}-${value}`);
    expect(train(out, flag, value).code).toBe(0);
    const plain = join(tmp.dir, "no-forest-flags");
    if (!existsSync(plain)) expect(train(plain).code).toBe(0);
    return [savedParams(out), savedParams(plain)];
  }

  it("--max-bins 4096: the bundle records it (and 256 when not given)", () => {
    const [wide, plain] = paramsWithAndWithout("--max-bins", "4096");
    expect(wide.maxBins).toBe(4096);
    expect(plain.maxBins).toBe(256);
  });

  it("--exact-from 0: the bundle records nothing (binned only), and 2000 when not given; --exact-from -1 is one line", () => {
    const [binned, plain] = paramsWithAndWithout("--exact-from", "0");
    expect(binned.exactFrom).toBeUndefined();
    expect(plain.exactFrom).toBe(2000);
    const bad = join(tmp.dir, "exact-from-bad");
    expectOneLineError(train(bad, "--exact-from", "-1"), /--exact-from must be a whole number ≥ 0/, 1);
    expect(existsSync(bad)).toBe(false);
  });

  it("--max-depth 2.5: one line", () => {
    const r = runCli(["cv", amazon, "--folds", "2", "--max-depth", "2.5"]);
    expectOneLineError(r, /--max-depth must be a whole number ≥ 1/, 1);
  });
});

describe("tree-building threads", () => {
  it("a thread that dies mid-fit: one line, exit 1, no model written (it used to hang)", () => {
    const out = join(tmp.dir, "worker-dies");
    const r = runCli(["train", amazon, "--out", out, "--trees", "8", "--jobs", "3"], { env: { SENTIVEC_TEST_TREE_WORKER_FAULT: "exit" } });
    expectOneLineError(r, /^sentivec: Training stopped: a tree-building thread exited with code 70 during the fit\. Train again; .*--jobs 1/, 1);
    expect(existsSync(out)).toBe(false);
  });

  it("threads that cannot start: trains on fewer threads, the same model as --jobs 1", () => {
    const one = join(tmp.dir, "jobs-one");
    const limited = join(tmp.dir, "threads-limited");
    expect(train(one, "--jobs", "1").code).toBe(0);
    const r = runCli(["train", amazon, "--out", limited, "--trees", "5", "--quiet", "--jobs", "3"], { env: { SENTIVEC_TEST_TREE_WORKER_FAULT: "nostart" } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(limited, "forest.1.bin")).equals(readFileSync(join(one, "forest.1.bin")))).toBe(true);
  });
});
