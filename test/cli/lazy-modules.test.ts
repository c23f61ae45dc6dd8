import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { DATASETS, ROOT, useTempDir } from "../support/temp-dir.js";

/**
 * CLI start-up: heavy dependencies load only on the paths that use them, and an offline predict loads
 * one bundled file of sentivec's code (issue 13: it spent most of its 0.41 s loading modules, its own
 * ~150 and the OpenAI SDK's 155). The timing goal itself is in bench/cli-start; this checks the
 * causes, which a loaded machine cannot blur.
 */
const HEAVY = ["openai", "better-sqlite3", "js-tiktoken", "papaparse", "ml-random-forest", "cli-progress", "@lancedb", "apache-arrow", "hnswlib-node", "usearch", "playwright-core"];

const tmp = useTempDir();
const model = join(tmp.dir, "model");
const amazon = join(DATASETS, "uci-sentiment-labelled-sentences", "amazon_cells_labelled.txt");

/** Runs the built CLI with the module-log hook; returns the exit code and every module it loaded. */
function modulesLoadedBy(args: string[], input = ""): { code: number; stderr: string; modules: string[] } {
  const log = join(tmp.dir, `modules-${Math.random().toString(36).slice(2)}.log`);
  const r = spawnSync(process.execPath, ["--import", join(ROOT, "test", "support", "module-log", "hook.mjs"), join(ROOT, "dist", "cli", "main.js"), ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, SENTIVEC_MODULE_LOG: log },
  });
  const modules = readFileSync(log, "utf8").split("\n").filter(Boolean);
  rmSync(log);
  return { code: r.status ?? -1, stderr: r.stderr, modules };
}

function heavyIn(modules: string[]): string[] {
  return HEAVY.filter((pkg) => modules.some((m) => m.includes(`/node_modules/${pkg}/`)));
}

beforeAll(() => {
  const r = runCli(["train", amazon, "--out", model, "--trees", "5", "--quiet"]);
  expect(r.code, r.stderr).toBe(0);
});

describe("heavy modules load only where they are used", () => {
  it("an offline predict loads none of them", () => {
    const r = modulesLoadedBy(["predict", "-m", model, "great phone"]);
    expect(r.code, r.stderr).toBe(0);
    expect(heavyIn(r.modules)).toEqual([]);
    // sentivec's own code: the few-line entry and the predict bundle (scripts/bundle-cli.mjs), nothing
    // else (this also shows the log is complete: both are in it).
    const own = r.modules.filter((m) => m.includes("/dist/")).map((m) => m.slice(m.indexOf("/dist/") + 1));
    expect([...new Set(own)].sort()).toEqual(["dist/cli/main.js", "dist/cli/predict-cli.js"]);
  });

  it("predict from stdin and --help load none of them either", () => {
    expect(heavyIn(modulesLoadedBy(["predict", "-m", model], "great\nawful\n").modules)).toEqual([]);
    expect(heavyIn(modulesLoadedBy(["predict", "--help"]).modules)).toEqual([]);
  });

  it("the log sees heavy modules when a path does use them (papaparse for a CSV, SQLite for the bundle's folder lock)", () => {
    const csv = tmp.file("reviews.csv", "text,label\ngood,positive\nbad,negative\nfine,positive\nawful,negative\n");
    const evaluated = modulesLoadedBy(["evaluate", "-m", model, csv, "--quiet"]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(heavyIn(evaluated.modules)).toEqual(["papaparse"]);
    const trained = modulesLoadedBy(["train", csv, "--out", join(tmp.dir, "m-csv"), "--trees", "2", "--test-size", "0", "--quiet"]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(heavyIn(trained.modules)).toEqual(["better-sqlite3", "papaparse"]);
  });

  it("usearch loads to build or search an approximate index, not for an exact store search", () => {
    const st = join(tmp.dir, "store");
    const csv = tmp.file("store.csv", "text,label\ngood,positive\nbad,negative\nfine,positive\nawful,negative\n");
    expect(runCli(["store", "add", csv, "--store", st, "--embedder", "local:hash-v2@64", "-q"]).code).toBe(0);
    const indexed = modulesLoadedBy(["store", "index", "--store", st, "-q"]);
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(heavyIn(indexed.modules)).toContain("usearch");
    const exact = modulesLoadedBy(["store", "search", "good", "--store", st]);
    expect(exact.code, exact.stderr).toBe(0);
    expect(heavyIn(exact.modules)).not.toContain("usearch");
    const approx = modulesLoadedBy(["store", "search", "good", "--store", st, "--approx"]);
    expect(approx.code, approx.stderr).toBe(0);
    expect(heavyIn(approx.modules)).toContain("usearch");
  });
});
