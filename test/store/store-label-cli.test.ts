import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { VectorStore } from "../../src/store/vector-store.js";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { waitFor } from "../support/run-child.js";
import { runCli } from "../support/run-cli.js";
import { DATASETS, ROOT, useTempDir } from "../support/temp-dir.js";

/**
 * `store label`: a model trained on the labelled part of a store predicts the rest, writes `predicted`
 * and `p_<label>` into their metadata, and `store search --filter predicted=...` finds them. Also: the
 * store lock against a concurrent `store add`, and a kill during the save.
 */
const UCI = join(DATASETS, "uci-sentiment-labelled-sentences");
const AMAZON = join(UCI, "amazon_cells_labelled.txt");
const YELP = join(UCI, "yelp_labelled.txt");
const MAIN = join(ROOT, "dist", "cli", "main.js");
const tmp = useTempDir("sentivec-store-label-");
const base = join(tmp.dir, "base-store");
const model = join(tmp.dir, "model");

/** A fresh copy of the base store: Amazon labelled, Yelp unlabelled. */
function storeCopy(name: string): string {
  const dir = join(tmp.dir, name);
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

const json = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

function start(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
  return new Promise((resolve) => child.on("close", (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

beforeAll(() => {
  json(runCli(["store", "add", AMAZON, "--store", base, "--json"]));
  json(runCli(["store", "add", YELP, "--no-labels", "--store", base, "--json"]));
  json(runCli(["train", "--store", base, "-o", model, "--trees", "40", "--json"]));
}, 180000);

describe("sentivec store label", () => {
  it("predicts the unlabelled rows into their metadata; a filtered search then finds them", async () => {
    const st = storeCopy("labelled");
    const r = json(runCli(["store", "label", "--store", st, "--model", model, "--json"]));
    expect(r).toMatchObject({ labelled: 996, size: 1986, generation: 3 });
    expect(r.predicted.negative + r.predicted.positive).toBe(996);
    expect(r.predicted.negative).toBeGreaterThan(200);
    expect(r.predicted.positive).toBeGreaterThan(200);

    const store = await VectorStore.load(st);
    let agree = 0;
    const truth = new Map(fs.readFileSync(YELP, "utf8").split("\n").filter(Boolean).map((l) => [l.split("\t")[0], l.split("\t")[1].trim() === "1" ? "positive" : "negative"]));
    for (const id of store.allIds()) {
      const row = store.get(id)!;
      if (row.label !== undefined) {
        expect(row.metadata).not.toHaveProperty("predicted"); // labelled rows are left alone
        continue;
      }
      const m = row.metadata as Record<string, number | string>;
      expect(["negative", "positive"]).toContain(m.predicted);
      expect((m.p_negative as number) + (m.p_positive as number)).toBeCloseTo(1, 5);
      expect(m[`p_${m.predicted}`] as number).toBeGreaterThanOrEqual(0.5);
      if (truth.get(m.text as string) === m.predicted) agree++;
    }
    // Trained on Amazon, predicting Yelp: well above chance (the figure is measured, not tuned for).
    expect(agree / 996).toBeGreaterThan(0.6);

    const hits = json(runCli(["store", "search", "the food was cold and the waiter was rude", "-k", "5", "--store", st, "--filter", "predicted=negative", "--json"]));
    expect(hits).toHaveLength(5);
    for (const h of hits) {
      expect(h.label).toBeUndefined();
      expect(h.metadata).toMatchObject({ predicted: "negative", source: "yelp_labelled.txt" });
    }
    const text = runCli(["store", "label", "--store", st, "--model", model]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Labelled 996 of 1986 rows in .*labelled with .*model \(negative \d+, positive \d+\); saved generation 4\.$/m);
    expect(text.stderr).toMatch(/Search them: sentivec store search "TEXT" --store .* --filter predicted=negative/);
    // Relabelling gives the same predictions: the stored vectors are used as they are.
    const again = await VectorStore.load(st);
    for (const id of store.allIds().slice(0, 300)) expect(again.get(id)!.metadata).toEqual(store.get(id)!.metadata);
  }, 180000);

  it("--filter labels the matching rows, labelled ones too; nothing to label is said, not an error", async () => {
    const st = storeCopy("filtered");
    const r = json(runCli(["store", "label", "--store", st, "--model", model, "--filter", "source=amazon_cells_labelled.txt", "--json"]));
    expect(r).toMatchObject({ labelled: 990, generation: 3 });
    const store = await VectorStore.load(st);
    const amazon = store.allIds().map((id) => store.get(id)!).filter((row) => row.label !== undefined);
    const correct = amazon.filter((row) => row.metadata.predicted === row.label).length;
    expect(correct / amazon.length).toBeGreaterThan(0.85); // its own training rows, mostly
    const none = runCli(["store", "label", "--store", st, "--model", model, "--filter", "source=nothing.csv"]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/No rows match --filter source=nothing\.csv \(1986 rows in the store\); nothing was labelled\./);
    const labelled = storeCopy("all-labelled-src");
    fs.rmSync(labelled, { recursive: true });
    json(runCli(["store", "add", AMAZON, "--store", labelled, "--json"]));
    const every = runCli(["store", "label", "--store", labelled, "--model", model]);
    expect(every.stdout).toMatch(/Every row of .* has a label; nothing was labelled\./);
    expect(json(runCli(["store", "info", "--store", labelled, "--json"])).generation).toBe(1);
  }, 180000);

  it("refuses mistakes with one line each, and changes nothing", () => {
    const st = storeCopy("mistakes");
    const other = join(tmp.dir, "model-v1");
    json(runCli(["train", AMAZON, "--embedder", "local:hash-v1", "-o", other, "--trees", "10", "--json"]));
    expectOneLineError(runCli(["store", "label", "--store", st, "--model", other]), /The model .*model-v1 was trained on local:hash-v1@512 vectors \(512 dims\), but the store .*mistakes holds local:glove-lex-v2@133 vectors \(133 dims\); nothing was predicted\./);
    expectOneLineError(runCli(["store", "label", "--store", st]), /required option '-m, --model <dir>'/);
    expectOneLineError(runCli(["store", "label", "--store", join(tmp.dir, "nowhere"), "--model", model]), /nowhere.*No saved vector store here/);
    expectOneLineError(runCli(["store", "label", "--store", st, "--model", join(tmp.dir, "no-model")]), /No model bundle here/);
    expectOneLineError(runCli(["store", "label", "--store", st, "--model", model, "--filter", "colour=red"]), /--filter "colour": no row in this store has that field/);
    expectOneLineError(runCli(["store", "label", "--store", st, "--model", model, "--filter", "nonsense"]), /--filter "nonsense" is not field=value/);
    expect(json(runCli(["store", "info", "--store", st, "--json"])).generation).toBe(2);
  }, 180000);
});

describe("store label and other writers", () => {
  it("a store add that comes while label holds the lock waits, and neither change is lost", async () => {
    const st = storeCopy("concurrent");
    const extra = tmp.file("extra.csv", "text\nThe screen cracked on day one\nBest pizza in town\n");
    const flag = join(tmp.dir, "label-holds.flag");
    const labeller = start(["store", "label", "--store", st, "--model", model, "--json"], { SENTIVEC_TEST_PAUSE_AT: `lock:acquired:${flag}` });
    let adder: ReturnType<typeof start> | undefined;
    try {
      await waitFor(() => fs.existsSync(flag), 60_000, "store label to hold the lock");
      adder = start(["store", "add", extra, "--store", st, "--json"]);
      // The adder embeds, then waits for the lock: give it time to reach the wait before releasing.
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      fs.rmSync(flag, { force: true });
    }
    const [l, a] = await Promise.all([labeller, adder!]);
    expect([l.code, a.code], l.stderr + a.stderr).toEqual([0, 0]);
    expect(a.stderr).toMatch(/Waiting for another sentivec process that is writing/);
    expect(JSON.parse(l.stdout)).toMatchObject({ labelled: 996, generation: 3 });
    expect(JSON.parse(a.stdout)).toMatchObject({ added: 2, generation: 4, size: 1988 });
    const store = await VectorStore.load(st);
    const unlabelled = store.allIds().map((id) => store.get(id)!).filter((row) => row.label === undefined);
    expect(unlabelled).toHaveLength(998);
    // The labeller's predictions survived the adder's save; the added rows came after it.
    expect(unlabelled.filter((row) => row.metadata.predicted !== undefined)).toHaveLength(996);
  }, 180000);

  it("a kill during the save leaves the last good store; the next run labels it", () => {
    const st = storeCopy("killed");
    for (const step of ["vectors:write", "manifest:rename"]) {
      const r = spawnSyncMain(["store", "label", "--store", st, "--model", model], { SENTIVEC_TEST_KILL_AT: step });
      expect(r.signal).toBe("SIGKILL");
      const info = json(runCli(["store", "info", "--store", st, "--json"]));
      expect(info).toMatchObject({ generation: 2, rows: 1986 });
      expect(VectorStore.loadSync(st).metadataFields()).not.toContain("predicted");
    }
    const after = json(runCli(["store", "label", "--store", st, "--model", model, "--json"]));
    expect(after.labelled).toBe(996);
    expect(after.generation).toBeGreaterThan(2); // a killed save's generation number is not reused
    expect(VectorStore.loadSync(st).metadataFields()).toContain("predicted");
  }, 180000);
});

/** The built CLI, waited for, with the signal that ended it (for runs killed on purpose). */
function spawnSyncMain(args: string[], env: Record<string, string>): { signal: string | null } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 180_000, input: "" });
  return { signal: r.signal };
}
