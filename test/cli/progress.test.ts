import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { DATASETS, ROOT, useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir();
const amazon = join(DATASETS, "uci-sentiment-labelled-sentences", "amazon_cells_labelled.txt");

/** Runs the built CLI under `script` (util-linux), so stderr is a pseudo-terminal as in a user's shell. */
function runCliOnTty(args: string[]): string {
  const command = [process.execPath, join(ROOT, "dist", "cli", "main.js"), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const r = spawnSync("script", ["-q", "-e", "-c", command, "/dev/null"], { encoding: "utf8", timeout: 120_000, env: { ...process.env, COLUMNS: "150" } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe("progress without a terminal (logs, pipes, CI)", () => {
  it("train: one line per stage, no bar and no per-tree lines; --test-size 0 says there was no test split", () => {
    const r = runCli(["train", amazon, "--out", join(tmp.dir, "m0"), "--trees", "7", "--test-size", "0"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Training the forest \(7 trees\)\.\.\.$/m);
    expect(r.stderr).not.toMatch(/\r|\x1b|trees \||ETA|\d+\/7/);
    expect(r.stderr).not.toMatch(/Evaluating/);
    expect(r.stdout).toMatch(/^No test split \(--test-size 0\)/);
    expect(r.stdout).toMatch(/sentivec cv FILES/);

    // A logistic regression is not called a forest.
    const lr = runCli(["train", amazon, "--out", join(tmp.dir, "m-lr"), "--classifier", "logistic", "--test-size", "0"]);
    expect(lr.code, lr.stderr).toBe(0);
    expect(lr.stderr).toMatch(/^Training the classifier\.\.\.$/m);
    expect(lr.stderr).not.toMatch(/forest/);
    expect(r.stdout).toMatch(/sentivec evaluate -m MODEL FILES/);
    expect(r.stdout).not.toMatch(/^\s*$\n^\s*$/m);
  });

  it("cv: names the fold each forest belongs to as it starts, then its score", () => {
    const r = runCli(["cv", amazon, "--folds", "2", "--trees", "5"]);
    expect(r.code).toBe(0);
    const lines = r.stderr.split("\n").filter((l) => /fold/i.test(l));
    expect(lines).toEqual([
      "Fold 1/2: Training the forest (5 trees)...",
      expect.stringMatching(/^fold 1\/2: accuracy 0\.\d{4}/),
      "Fold 2/2: Training the forest (5 trees)...",
      expect.stringMatching(/^fold 2\/2: accuracy 0\.\d{4}/),
    ]);
    expect(r.stderr).not.toMatch(/\r|\x1b/);
  });

  it("--quiet prints nothing on stderr", () => {
    const r = runCli(["cv", amazon, "--folds", "2", "--trees", "5", "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });
});

describe.runIf(spawnSync("script", ["--version"]).status === 0)("progress on a terminal (under script -q)", () => {
  it("train draws the forest's bar: trees done of total, elapsed, ETA, ending at the total", () => {
    const out = runCliOnTty(["train", amazon, "--out", join(tmp.dir, "m1"), "--trees", "12"]);
    expect(out).toMatch(/Training the forest \[[^\]]*\] \d+\/12 trees \| \d+s elapsed \| ETA (\d+s|--)/);
    expect(out).toMatch(/\] 12\/12 trees/);
    expect(out).toMatch(/Evaluating on the test split\.\.\./);
  });

  it("cv's bar names the fold that is running", () => {
    const out = runCliOnTty(["cv", amazon, "--folds", "2", "--trees", "6"]);
    expect(out).toMatch(/Fold 1\/2: Training the forest \[[^\]]*\] 6\/6 trees/);
    expect(out).toMatch(/Fold 2\/2: Training the forest \[[^\]]*\] 6\/6 trees/);
  });
});
