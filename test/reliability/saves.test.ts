// The reliability catalogue for saves (issue 10, items 1, 2, 6, 9, 13): kills, full and read-only disks,
// concurrent writers, unwritable --out paths, closed pipes and hand-edited manifests, each through the
// built CLI, asserting the exit code, the one-line message and what is on disk afterwards.
//
// Kills and injected errors use the test-only hooks of src/util/fault-hooks.ts (SENTIVEC_TEST_KILL_AT,
// SENTIVEC_TEST_FAIL_AT, SENTIVEC_TEST_PAUSE_AT). The real full / read-only disk cases mount a small
// tmpfs (root only); where mounting is not permitted they are reported as skipped.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { SentimentModel } from "../../src/model/sentiment-model.js";
import { VectorStore } from "../../src/store/vector-store.js";
import { canonicalJson, manifestChecksum } from "../../src/util/canonical-json.js";
import { storeManifestChecksum } from "../../src/store/store-files.js";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { runCli } from "../support/run-cli.js";
import { waitFor } from "../support/run-child.js";
import { DATASETS, ROOT, useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir("sentivec-saves-");
const UCI = join(DATASETS, "uci-sentiment-labelled-sentences");
const A = join(UCI, "amazon_cells_labelled.txt");
const Y = join(UCI, "yelp_labelled.txt");
const MAIN = join(ROOT, "dist", "cli", "main.js");
const TRAIN = ["train", A, "--trees", "10", "--quiet"];

/** The built CLI with a signal, for runs that are killed on purpose. */
function run(args: string[], env: Record<string, string> = {}): { code: number; signal: string | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 180_000, input: "" });
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The same, not waiting: for concurrent runs. */
function start(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  // Never leave a child behind: one stuck (say, paused by a hook nobody releases) is killed.
  const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

let base: string;
let baseManifest: string;

/** A fresh copy of the base bundle (trained once), so each case starts from a known good model. */
function goodBundle(name: string): string {
  const dir = join(tmp.dir, name);
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

async function expectBaseBundle(dir: string): Promise<void> {
  expect(fs.readFileSync(join(dir, "model.json"), "utf8")).toBe(baseManifest);
  const model = await SentimentModel.load(dir);
  expect(model.labels).toEqual(["negative", "positive"]);
  expect((await model.predict(["great phone, works perfectly"]))[0].label).toBe("positive");
}

function tempFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.includes(".tmp-"));
}

function mountTmpfs(dir: string, size: string): boolean {
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "ignore" });
  } catch {
    // not mounted
  }
}

beforeAll(() => {
  base = join(tmp.dir, "base");
  const r = run([...TRAIN, "--out", base]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  baseManifest = fs.readFileSync(join(base, "model.json"), "utf8");
});

describe("a killed model save leaves the last good bundle loadable", () => {
  // Before the switch (the model.json rename) the old bundle is what loads; after it, the new one.
  for (const step of ["lock:acquired", "forest:write", "forest:rename", "forest:renamed", "model.json:write", "model.json:rename"]) {
    it(`killed at ${step}: the previous bundle loads unchanged`, async () => {
      const m = goodBundle(`kill-${step.replace(":", "-")}`);
      const r = run([...TRAIN, "--trees", "12", "--out", m], { SENTIVEC_TEST_KILL_AT: step });
      expect(r.signal).toBe("SIGKILL");
      await expectBaseBundle(m);
    });
  }

  it("killed just after the switch: the new bundle loads, whole", async () => {
    const m = goodBundle("kill-switched");
    const r = run([...TRAIN, "--trees", "12", "--out", m], { SENTIVEC_TEST_KILL_AT: "bundle:switched" });
    expect(r.signal).toBe("SIGKILL");
    const model = await SentimentModel.load(m);
    expect(model.manifest.generation).toBe(2);
    expect(model.manifest.forest.params).toMatchObject({ nEstimators: 12 });
  });

  it("the next save removes what a killed save left (temp files, an orphaned forest)", async () => {
    const m = goodBundle("kill-cleanup");
    expect(run([...TRAIN, "--out", m], { SENTIVEC_TEST_KILL_AT: "model.json:rename" }).signal).toBe("SIGKILL");
    expect(tempFiles(m)).toHaveLength(1);
    expect(fs.existsSync(join(m, "forest.2.bin"))).toBe(true);
    const r = run([...TRAIN, "--out", m]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(m).sort()).toEqual([".sentivec.lock", "forest.3.bin", "model.json"]);
    expect((await SentimentModel.load(m)).manifest.generation).toBe(3);
  });
});

describe("a full or read-only disk while saving a model: one line, previous bundle kept", () => {
  for (const [step, code, pattern] of [
    ["forest:write", "ENOSPC", /Could not save the model bundle: no space left on the device \(ENOSPC\) at .*forest\.2\.bin\. Free some space .* The bundle that was there before, if any, is unchanged\.$/],
    ["model.json:write", "ENOSPC", /Could not save the model bundle: no space left on the device \(ENOSPC\) at .*model\.json\./],
    ["forest:write", "EROFS", /Could not save the model bundle: the file system is read-only \(EROFS\)/],
    ["model.json:rename", "EIO", /Could not save the model bundle: an input\/output error .*\(EIO\)/],
  ] as const) {
    it(`${code} at ${step}`, async () => {
      const m = goodBundle(`fail-${step.replace(":", "-")}-${code}`);
      const r = run([...TRAIN, "--trees", "12", "--out", m], { SENTIVEC_TEST_FAIL_AT: `${step}:${code}` });
      expectOneLineError(r, pattern, 1);
      await expectBaseBundle(m);
      expect(tempFiles(m)).toEqual([]);
      expect(fs.readdirSync(m).sort()).toEqual([".sentivec.lock", "forest.1.bin", "model.json"]);
    });
  }

  it("a real full disk (a 160 KiB tmpfs)", async (ctx) => {
    const mnt = join(tmp.dir, "tmpfs-full");
    if (!mountTmpfs(mnt, "160k")) return ctx.skip("mounting a tmpfs is not permitted here (needs root)");
    try {
      fs.cpSync(base, join(mnt, "m"), { recursive: true });
      const r = run(["train", A, "--trees", "300", "--quiet", "--out", join(mnt, "m")]);
      expectOneLineError(r, /m: Could not save the model bundle: no space left on the device \(ENOSPC\)/, 1);
      await expectBaseBundle(join(mnt, "m"));
      expect(tempFiles(join(mnt, "m"))).toEqual([]);
    } finally {
      unmount(mnt);
    }
  });

  it("a real read-only file system: refused before training", async (ctx) => {
    const mnt = join(tmp.dir, "tmpfs-ro");
    if (!mountTmpfs(mnt, "1m")) return ctx.skip("mounting a tmpfs is not permitted here (needs root)");
    try {
      fs.cpSync(base, join(mnt, "m"), { recursive: true });
      execFileSync("mount", ["-o", "remount,ro", mnt]);
      const r = run([...TRAIN, "--out", join(mnt, "m")]);
      expectOneLineError(r, /m: Could not write the model bundle: the file system is read-only \(EROFS\)/, 1);
      expect(r.stderr).not.toMatch(/Loaded/); // nothing was trained first
      await expectBaseBundle(join(mnt, "m"));
    } finally {
      unmount(mnt);
    }
  });
});

describe("output paths a user can get wrong: one line, before the work", () => {
  it("train --out naming an existing file", () => {
    const file = tmp.file("a-file.txt", "keep me");
    const r = runCli([...TRAIN, "--out", file]);
    expectOneLineError(r, /a-file\.txt: --out names an existing file, but the model bundle is a folder\. Give --out a folder path/, 1);
    expect(r.stderr).not.toMatch(/Loaded/);
    expect(fs.readFileSync(file, "utf8")).toBe("keep me");
  });

  it("train --out a folder whose model.json another program wrote: refused before training, file kept", () => {
    const dir = join(tmp.dir, "someone-elses");
    fs.mkdirSync(dir);
    const theirs = JSON.stringify({ name: "their model", weights: [1, 2, 3] });
    fs.writeFileSync(join(dir, "model.json"), theirs);
    const r = runCli([...TRAIN, "--out", dir]);
    expectOneLineError(r, /someone-elses\/model\.json: This file is not part of a sentivec model bundle, and saving here would replace it\. Choose another folder/, 1);
    expect(r.stderr).not.toMatch(/Loaded/);
    expect(fs.readFileSync(join(dir, "model.json"), "utf8")).toBe(theirs);
    expect(fs.readdirSync(dir)).toEqual(["model.json"]);
  });

  it("train --out under a file", () => {
    const file = tmp.file("parent-file.txt", "x");
    const r = runCli([...TRAIN, "--out", join(file, "m")]);
    expectOneLineError(r, /Could not write the model bundle: part of the path is a file, not a folder \(ENOTDIR\)/, 1);
  });

  it("store add --store naming a file", () => {
    const file = tmp.file("store-file", "x");
    const r = runCli(["store", "add", A, "--store", file]);
    expectOneLineError(r, /store-file: --store names an existing file, but the vector store is a folder/, 1);
    expect(fs.readFileSync(file, "utf8")).toBe("x");
  });

  it("embed --out naming a folder", () => {
    const r = runCli(["embed", A, "--out", tmp.dir]);
    expectOneLineError(r, /--out names a folder, but the vectors file is a file\. Give --out a file path/, 1);
  });

  it("embed --out under a file: nothing is written", () => {
    const file = tmp.file("not-a-dir", "x");
    const r = runCli(["embed", A, "--out", join(file, "v.jsonl")]);
    expectOneLineError(r, /v\.jsonl: Could not write the vectors file: part of the path is a file, not a folder \(ENOTDIR\)/, 1);
    expect(fs.readFileSync(file, "utf8")).toBe("x");
  });

  it("embed --out to a device that is full (/dev/full)", (ctx) => {
    if (!fs.existsSync("/dev/full")) return ctx.skip("no /dev/full on this system");
    const r = runCli(["embed", A, "--out", "/dev/full"]);
    expectOneLineError(r, /\/dev\/full: Could not write the vectors: no space left on the device \(ENOSPC\)/, 1);
  });

  it("embed --out with the disk full mid-file keeps the previous file whole", () => {
    const out = tmp.file("vectors.jsonl", '{"previous":true}\n');
    const r = runCli(["embed", A, "--out", out], { env: { SENTIVEC_TEST_FAIL_AT: "out:write:ENOSPC" } });
    expectOneLineError(r, /vectors\.jsonl: Could not write the vectors: no space left on the device \(ENOSPC\)/, 1);
    expect(fs.readFileSync(out, "utf8")).toBe('{"previous":true}\n');
    expect(tempFiles(tmp.dir)).toEqual([]);
  });

  it("cache export --out under a file", () => {
    const file = tmp.file("export-parent", "x");
    const r = runCli(["cache", "export", "--cache", join(tmp.dir, "none.sqlite"), "--out", join(file, "e.jsonl")]);
    expectOneLineError(r, /e\.jsonl: Could not write the export: part of the path is a file, not a folder \(ENOTDIR\)/, 1);
  });

  it("cache export --out to a full device", (ctx) => {
    if (!fs.existsSync("/dev/full")) return ctx.skip("no /dev/full on this system");
    const r = runCli(["cache", "export", "--cache", seededCache(), "--out", "/dev/full"]);
    expectOneLineError(r, /\/dev\/full: Could not write the export: no space left on the device \(ENOSPC\)\. .*The cache is unchanged\./, 1);
  });
});

let cacheFile: string | undefined;
/** A cache with 3000 vectors: enough output to overflow a pipe. */
function seededCache(): string {
  if (cacheFile) return cacheFile;
  cacheFile = join(tmp.dir, "cache.sqlite");
  const c = new EmbeddingCache(cacheFile);
  c.putMany("test:e@64", Array.from({ length: 3000 }, (_, i) => ({ sha: i.toString(16).padStart(64, "0"), vector: new Float32Array(64).fill(i) })));
  c.close();
  return cacheFile;
}

describe("a closed stdout (| head) ends quietly", () => {
  function piped(command: string): { code: number; stderr: string } {
    const r = spawnSync("bash", ["-c", `set -o pipefail; ${command} | head -c 20 > /dev/null`], { encoding: "utf8", timeout: 120_000 });
    return { code: r.status ?? -1, stderr: r.stderr };
  }

  it("predict --json | head", () => {
    const texts = tmp.file("texts.txt", Array.from({ length: 4000 }, (_, i) => `text number ${i} is great`).join("\n"));
    const r = piped(`node ${MAIN} predict --model ${base} --json < ${texts}`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("cache export | head", () => {
    const r = piped(`node ${MAIN} cache export --cache ${seededCache()}`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("one writer at a time", () => {
  it("two train --out m at once: both finish, m loads, nothing left over", async () => {
    const m = join(tmp.dir, "concurrent-train");
    const [a, b] = await Promise.all([start([...TRAIN, "--out", m]), start([...TRAIN, "--trees", "11", "--out", m])]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const model = await SentimentModel.load(m);
    expect(model.manifest.generation).toBe(2);
    expect(fs.readdirSync(m).sort()).toEqual([".sentivec.lock", "forest.2.bin", "model.json"]);
  });

  it("two store add at once on one store: all rows of both", async () => {
    const st = join(tmp.dir, "concurrent-store");
    const [a, b] = await Promise.all([start(["store", "add", "--store", st, A, "--quiet"]), start(["store", "add", "--store", st, Y, "--quiet"])]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const info = JSON.parse(runCli(["store", "info", "--store", st, "--json"]).stdout);
    expect(info.rows).toBe(990 + 996);
    expect(info.generation).toBe(2);
  });

  it("a writer that holds the lock too long: the other fails clearly, nothing changed", async () => {
    const m = goodBundle("lock-busy");
    const flag = join(tmp.dir, "holding.flag");
    const holder = start([...TRAIN, "--trees", "12", "--out", m], { SENTIVEC_TEST_PAUSE_AT: `lock:acquired:${flag}` });
    try {
      await waitFor(() => fs.existsSync(flag), 60_000, "the first writer to hold the lock");
      const r = runCli([...TRAIN, "--out", m], { env: { SENTIVEC_LOCK_TIMEOUT: "1" } });
      expectOneLineError(r, /: Another sentivec process is writing this model bundle, and it was still at it after 1 s\. Run this again when it has finished .*nothing was changed\.$/, 1);
      expect(r.stderr).toMatch(/^Waiting for another sentivec process that is saving to /m);
      await expectBaseBundle(m);
    } finally {
      fs.rmSync(flag, { force: true });
    }
    expect((await holder).code).toBe(0);
    expect((await SentimentModel.load(m)).manifest.generation).toBe(2);
  });

  it("a writer killed while holding the lock does not block the next one", async () => {
    const st = join(tmp.dir, "killed-holder");
    expect(runCli(["store", "add", "--store", st, A, "--quiet"]).code).toBe(0);
    const killed = run(["store", "add", "--store", st, Y, "--quiet"], { SENTIVEC_TEST_KILL_AT: "manifest:rename" });
    expect(killed.signal).toBe("SIGKILL");
    expect(tempFiles(st)).toHaveLength(1); // the killed save's manifest.json.tmp-*
    expect(JSON.parse(runCli(["store", "info", "--store", st, "--json"]).stdout).rows).toBe(990);
    const r = runCli(["store", "add", "--store", st, Y, "--quiet"], { env: { SENTIVEC_LOCK_TIMEOUT: "5" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Waiting/);
    expect(tempFiles(st)).toEqual([]); // cleaned up under the lock
    expect(JSON.parse(runCli(["store", "info", "--store", st, "--json"]).stdout).rows).toBe(1986);
  });

  it("store add with the disk full: one line, the store keeps its rows", () => {
    const st = join(tmp.dir, "store-enospc");
    expect(runCli(["store", "add", "--store", st, A, "--quiet"]).code).toBe(0);
    const r = runCli(["store", "add", "--store", st, Y, "--quiet"], { env: { SENTIVEC_TEST_FAIL_AT: "vectors:write:ENOSPC" } });
    expectOneLineError(r, /store-enospc: Could not save the vector store: no space left on the device \(ENOSPC\) at .*vectors\.2\.f32\. .*The previous save, if any, is intact\.$/, 1);
    expect(VectorStore.loadSync(st).size).toBe(990);
    expect(tempFiles(st)).toEqual([]);
  });
});

describe("a reader racing a save reads the new save, whole", () => {
  // The reader is paused between reading the manifest and reading the file it names; meanwhile a save
  // switches to a new generation and deletes that file. The reader must notice and read the new one.
  it("predict while train --out replaces the model", async () => {
    const m = goodBundle("race-bundle");
    const flag = join(tmp.dir, "race-bundle.flag");
    const reader = start(["predict", "--model", m, "great phone, works perfectly"], { SENTIVEC_TEST_PAUSE_AT: `bundle:manifest-read:${flag}` });
    await waitFor(() => fs.existsSync(flag), 60_000, "the reader to read model.json");
    const w = runCli([...TRAIN, "--trees", "12", "--out", m]);
    expect(w.code, w.stderr).toBe(0);
    expect(fs.existsSync(join(m, "forest.1.bin"))).toBe(false);
    fs.rmSync(flag);
    const r = await reader;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^positive\s+\d\.\d{3}\s+great phone/);
  });

  it("store search while store add saves a new generation", async () => {
    const st = join(tmp.dir, "race-store");
    expect(runCli(["store", "add", "--store", st, A, "--quiet"]).code).toBe(0);
    const flag = join(tmp.dir, "race-store.flag");
    const reader = start(["store", "search", "great phone", "--store", st, "--json"], { SENTIVEC_TEST_PAUSE_AT: `store:manifest-read:${flag}` });
    await waitFor(() => fs.existsSync(flag), 60_000, "the reader to read manifest.json");
    expect(runCli(["store", "add", "--store", st, Y, "--quiet"]).code).toBe(0);
    expect(fs.existsSync(join(st, "vectors.1.f32"))).toBe(false);
    fs.rmSync(flag);
    const r = await reader;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(5);
  });
});

describe("edited manifests are caught on load", () => {
  function editBundle(name: string, edit: (m: Record<string, unknown>) => void, resign = false): string {
    const m = goodBundle(name);
    const manifest = JSON.parse(baseManifest);
    edit(manifest);
    if (resign) manifest.checksum = manifestChecksum(manifest);
    fs.writeFileSync(join(m, "model.json"), JSON.stringify(manifest, null, 2));
    return m;
  }

  it("labels swapped in model.json", () => {
    const m = editBundle("swapped", (x) => (x.labels = ["positive", "negative"]));
    const r = runCli(["predict", "--model", m, "great phone"]);
    expectOneLineError(r, /model\.json: The manifest was changed after it was saved: its content no longer matches its checksum.*Undo the edit or train the model again\.$/, 1);
    expect(r.stdout).toBe("");
  });

  it("a label listed twice in model.json (even with a matching checksum)", () => {
    const m = editBundle("duplicated", (x) => (x.labels = ["positive", "positive"]), true);
    const r = runCli(["predict", "--model", m, "great phone"]);
    expectOneLineError(r, /model\.json: The manifest is incomplete or malformed: label "positive" is listed twice in "labels"/, 1);
  });

  it("the embedder id edited in model.json", () => {
    const m = editBundle("embedder", (x) => ((x.embedder as { id: string }).id = "local:hash-v1@256"));
    expectOneLineError(runCli(["evaluate", "--model", m, A]), /model\.json: The manifest was changed after it was saved/, 1);
  });

  it("reformatting model.json (keys reordered, indentation) is not an edit", async () => {
    const m = goodBundle("reformatted");
    fs.writeFileSync(join(m, "model.json"), canonicalJson(JSON.parse(baseManifest)));
    expect(runCli(["predict", "--model", m, "great phone"]).code).toBe(0);
  });

  it("labels swapped in a store's manifest", () => {
    const st = join(tmp.dir, "edited-store");
    expect(runCli(["store", "add", "--store", st, A, "--quiet"]).code).toBe(0);
    const file = join(st, "manifest.json");
    const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
    manifest.labels = manifest.labels.map((l: string) => (l === "positive" ? "negative" : "positive"));
    fs.writeFileSync(file, JSON.stringify(manifest));
    const r = runCli(["store", "search", "great phone", "--store", st]);
    expectOneLineError(r, /manifest\.json: The store manifest was changed after it was saved: .*labels.*Undo the edit/, 1);
    // Re-signed, the same store loads again: the checksum is what caught it.
    manifest.checksum = storeManifestChecksum(manifest);
    fs.writeFileSync(file, JSON.stringify(manifest));
    expect(runCli(["store", "info", "--store", st, "--json"]).code).toBe(0);
  });
});
