import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { ROOT, useTempDir } from "../support/temp-dir.js";

/**
 * The notebooks in notebooks/ are executed headless by scripts/run-notebooks.ts (`npm run notebooks`):
 * a tslab kernel started in the project root, `jupyter nbconvert --execute` without --allow-errors.
 * These tests run that runner as a user would, prove it fails on a broken cell, check the committed
 * notebooks are clean, and check notebook 02 shows the same figures as `sentivec train`.
 *
 * Jupyter is a system package (Debian: jupyter-nbconvert, python3-ipykernel; .ci/run installs them).
 * When it is missing the execution tests FAIL with that message: a skipped notebook test would let a
 * broken notebook through CI.
 */
const RUNNER = join(ROOT, "scripts", "run-notebooks.ts");
const NOTEBOOKS = join(ROOT, "notebooks");
const UCI = join("datasets", "uci-sentiment-labelled-sentences");
const RUN_TIMEOUT = 900_000;

interface RunResult {
  code: number;
  output: string;
}

function runNotebooks(args: string[]): RunResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", RUNNER, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: RUN_TIMEOUT,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, output: `${r.stdout}\n${r.stderr}` };
}

function requireJupyter(): void {
  const r = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      "jupyter nbconvert is not installed, so the notebooks cannot be executed. Install it with " +
        "`apt-get install -y --no-install-recommends jupyter-nbconvert python3-ipykernel` (.ci/run does this on CI).",
    );
  }
}

/** A minimal nbformat-4 notebook for the sentivec kernel. */
function notebookJson(cells: { type: "code" | "markdown"; source: string; outputs?: unknown[]; count?: number | null }[]): string {
  return JSON.stringify({
    cells: cells.map((c, i) => c.type === "code"
      ? { cell_type: "code", id: `cell${i}`, metadata: {}, execution_count: c.count ?? null, outputs: c.outputs ?? [], source: c.source }
      : { cell_type: "markdown", id: `cell${i}`, metadata: {}, source: c.source }),
    metadata: { kernelspec: { name: "sentivec", display_name: "TypeScript (sentivec)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  }, null, 1);
}

interface ExecutedCell {
  cell_type: string;
  metadata: { tags?: string[] };
  outputs?: { output_type: string; name?: string; text?: string | string[] }[];
}

/** The stdout a tagged cell printed in an executed notebook. */
function taggedStdout(file: string, tag: string): string {
  const nb = JSON.parse(readFileSync(file, "utf8")) as { cells: ExecutedCell[] };
  const cell = nb.cells.find((c) => c.metadata.tags?.includes(tag));
  if (!cell) throw new Error(`${file} has no cell tagged "${tag}"`);
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === "stream" && o.name === "stdout")
    .map((o) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? "")))
    .join("");
}

const committed = existsSync(NOTEBOOKS) ? readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort() : [];

describe("committed notebooks", () => {
  const tmp = useTempDir("sentivec-notebook-check-");

  it("exist: the seed walkthrough and the train/evaluate notebook at least", () => {
    expect(committed).toEqual(expect.arrayContaining(["01-seed-walkthrough.ipynb", "02-train-evaluate.ipynb"]));
  });

  it("are clean: no outputs, no execution counts, no machine paths", () => {
    const r = runNotebooks(["--check"]);
    expect(r.output).toContain(`${committed.length} notebook(s) clean`);
    expect(r.code).toBe(0);
  });

  it("the check catches outputs, execution counts and absolute paths", () => {
    const dirty = tmp.file("dirty.ipynb", notebookJson([
      { type: "code", source: 'console.log("hi")', count: 3, outputs: [{ output_type: "stream", name: "stdout", text: "hi\n" }] },
      { type: "code", source: 'const data = "/home/alice/reviews.csv";' },
    ]));
    const r = runNotebooks(["--check", dirty]);
    expect(r.code).toBe(1);
    expect(r.output).toContain("NOT CLEAN");
    expect(r.output).toContain("cell 1 has 1 output(s)");
    expect(r.output).toContain("cell 1 has execution_count 3");
    expect(r.output).toMatch(/absolute path: .*\/home\/alice\/reviews\.csv/);
  });
});

describe("executing notebooks (npm run notebooks)", () => {
  const tmp = useTempDir("sentivec-notebook-run-");
  const executed = join(tmp.dir, "executed");

  beforeAll(() => {
    requireJupyter();
  });

  it("every committed notebook runs top to bottom without an error", { timeout: RUN_TIMEOUT }, () => {
    const r = runNotebooks(["--output-dir", executed]);
    expect(r.output).toContain(`${committed.length} of ${committed.length} notebook(s) passed`);
    expect(r.code).toBe(0);
    for (const f of committed) expect(existsSync(join(executed, f))).toBe(true);
    // Each executed copy is named, so a user can open it (by default they go to notebooks/.out/).
    for (const f of committed) expect(r.output).toContain(`: ${join(executed, f)}\n`);
    expect(r.output).toContain(`executed copies in ${executed}.`);
  });

  it("notebook 02 shows the accuracy and confusion matrix `sentivec train --seed 42` reports", { timeout: RUN_TIMEOUT }, () => {
    const file = join(executed, "02-train-evaluate.ipynb");
    if (!existsSync(file)) throw new Error("notebook 02 was not executed (see the previous test)");
    const figures = JSON.parse(taggedStdout(file, "figures")) as { n: number; accuracy: number; confusion: number[][]; rocAuc: number };

    expect(existsSync(join(ROOT, "dist", "cli", "main.js")), "dist/ is not built: run npm run build (npm test does it first)").toBe(true);
    const cli = runCli([
      "train", join(UCI, "amazon_cells_labelled.txt"), join(UCI, "yelp_labelled.txt"),
      // The notebook embeds with `new HashEmbedder()` (local:hash-v2@512), not the CLI's default.
      "--seed", "42", "--embedder", "local:hash-v2", "--out", join(tmp.dir, "cli-model"), "--json",
    ]);
    expect(cli.stderr).toBe("");
    expect(cli.code).toBe(0);
    const { report } = JSON.parse(cli.stdout) as { report: { n: number; accuracy: number; confusion: number[][]; rocAuc: number } };

    expect(figures.n).toBe(report.n);
    expect(figures.accuracy).toBe(report.accuracy);
    expect(figures.confusion).toEqual(report.confusion);
    expect(figures.rocAuc).toBe(report.rocAuc);
    // Sanity: a real model on 397 test rows, not a degenerate one.
    expect(report.n).toBeGreaterThan(300);
    expect(report.accuracy).toBeGreaterThan(0.7);
  });

  it("fails on a type error in a cell, naming the notebook and the cell", { timeout: RUN_TIMEOUT }, () => {
    const broken = tmp.file("broken-type.ipynb", notebookJson([
      { type: "markdown", source: "# A notebook with a type error" },
      { type: "code", source: "const ok = 1 + 1;\nconsole.log(ok);" },
      { type: "code", source: 'const n: number = "not a number";' },
      { type: "code", source: 'console.log("never reached");' },
    ]));
    const r = runNotebooks([broken]);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`FAILED ${broken}`);
    expect(r.output).toContain("cell 3 (code cell 2 of 3) failed");
    expect(r.output).toContain('const n: number = "not a number";');
    expect(r.output).toContain("Type 'string' is not assignable to type 'number'");
    expect(r.output).toContain("0 of 1 notebook(s) passed");
  });

  it("fails on a thrown error, and still runs and reports the other notebooks", { timeout: RUN_TIMEOUT }, () => {
    const fine = tmp.file("fine.ipynb", notebookJson([{ type: "code", source: 'import { VERSION } from "./dist/index.js";\nconsole.log(VERSION);' }]));
    const broken = tmp.file("broken-throw.ipynb", notebookJson([
      { type: "code", source: 'console.log("first");' },
      { type: "markdown", source: "Next, a cell that throws." },
      { type: "code", source: 'throw new Error("deliberate failure in cell 3");' },
    ]));
    const r = runNotebooks([broken, fine]);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`FAILED ${broken}`);
    expect(r.output).toContain("cell 3 (code cell 2 of 2) failed");
    expect(r.output).toContain("Error: deliberate failure in cell 3");
    expect(r.output).not.toContain(`FAILED ${fine}`);
    expect(r.output).toContain("1 of 2 notebook(s) passed");
  });

  it("fails when a cell kills the kernel", { timeout: RUN_TIMEOUT }, () => {
    const crash = tmp.file("crash.ipynb", notebookJson([
      { type: "code", source: "process.exit(3);" },
      { type: "code", source: 'console.log("after");' },
    ]));
    const r = runNotebooks([crash]);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`FAILED ${crash}`);
    expect(r.output).toContain("cell 1 (code cell 1 of 2) crashed the kernel");
  });
});
