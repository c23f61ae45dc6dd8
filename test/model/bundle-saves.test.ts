// Model bundle saves (issue 10, items 1, 2, 9): atomic as a whole, one writer at a time, edits detected.
// The kill cases run through the CLI in test/reliability/saves.test.ts; here the library, in-process.
import * as fs from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/load-dataset.js";
import { BundleError, FileSystemError } from "../../src/errors.js";
import { readBundle } from "../../src/model/model-bundle.js";
import { SentimentModel } from "../../src/model/sentiment-model.js";
import { manifestChecksum } from "../../src/util/canonical-json.js";
import { lockDir } from "../../src/util/dir-lock.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir("sentivec-bundle-");
let small: SentimentModel;
let large: SentimentModel;

beforeAll(async () => {
  const data = await loadDataset(join(DATASETS, "uci-sentiment-labelled-sentences", "amazon_cells_labelled.txt"));
  small = (await SentimentModel.train(data, { forest: { nEstimators: 5 } })).model;
  large = (await SentimentModel.train(data, { forest: { nEstimators: 9 } })).model;
});
afterEach(() => {
  delete process.env.SENTIVEC_TEST_FAIL_AT;
});

async function goodBundle(name: string): Promise<{ dir: string; manifest: string }> {
  const dir = join(tmp.dir, name);
  await small.save(dir);
  return { dir, manifest: fs.readFileSync(join(dir, "model.json"), "utf8") };
}

describe("writeBundle", () => {
  it("writes forest.<generation>.bin and a model.json naming it; each save is a new generation, old ones removed", async () => {
    const { dir } = await goodBundle("generations");
    expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "forest.1.bin", "model.json"]);
    const m = await large.save(dir);
    expect(m).toMatchObject({ formatVersion: 3, generation: 2, forest: { file: "forest.2.bin" } });
    expect(m.checksum).toBe(manifestChecksum(m));
    expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "forest.2.bin", "model.json"]);
    // Saving a loaded model again recomputes generation and checksum rather than copying them.
    const reloaded = await SentimentModel.load(dir);
    expect((await reloaded.save(dir)).generation).toBe(3);
    expect((await readBundle(dir)).manifest.forest.params).toMatchObject({ nEstimators: 9 });
  });

  for (const step of ["forest:write", "forest:rename", "model.json:write", "model.json:rename"]) {
    it(`ENOSPC at ${step}: FileSystemError, the previous bundle intact, nothing left over`, async () => {
      const { dir, manifest } = await goodBundle(`fail-${step.replace(":", "-")}`);
      process.env.SENTIVEC_TEST_FAIL_AT = `${step}:ENOSPC`;
      const err = await large.save(dir).catch((e) => e);
      expect(err).toBeInstanceOf(FileSystemError);
      expect(err.message).toMatch(/Could not save the model bundle: no space left on the device \(ENOSPC\)/);
      delete process.env.SENTIVEC_TEST_FAIL_AT;
      expect(fs.readFileSync(join(dir, "model.json"), "utf8")).toBe(manifest);
      expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "forest.1.bin", "model.json"]);
      expect((await SentimentModel.load(dir)).manifest.forest.params).toMatchObject({ nEstimators: 5 });
    });
  }

  it("two saves at once in one process: the lock serialises them, the result is whole", async () => {
    const dir = join(tmp.dir, "concurrent");
    await Promise.all([small.save(dir), large.save(dir), small.save(dir)]);
    const { manifest } = await readBundle(dir);
    expect(manifest.generation).toBe(3);
    expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "forest.3.bin", "model.json"]);
  });

  it("waits for the folder's lock, and gives up clearly after lockTimeoutMs", async () => {
    const { dir, manifest } = await goodBundle("locked");
    const held = await lockDir(dir, { what: "model bundle" });
    try {
      let waited = false;
      const err = await large.save(dir, { lockTimeoutMs: 200, onWait: () => (waited = true) }).catch((e) => e);
      expect(waited).toBe(true);
      expect(err).toBeInstanceOf(FileSystemError);
      expect(err.code).toBe("LOCK_TIMEOUT");
    } finally {
      held.release();
    }
    expect(fs.readFileSync(join(dir, "model.json"), "utf8")).toBe(manifest);
  });

  it("a folder whose model.json another program wrote is refused, and the file kept", async () => {
    const dir = join(tmp.dir, "foreign");
    fs.mkdirSync(dir);
    fs.writeFileSync(join(dir, "model.json"), '{"architecture":"resnet"}');
    const err = await small.save(dir).catch((e) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect(err.message).toMatch(/foreign\/model\.json: This file is not part of a sentivec model bundle, and saving here would replace it/);
    expect(fs.readFileSync(join(dir, "model.json"), "utf8")).toBe('{"architecture":"resnet"}');
    expect(fs.readdirSync(dir).filter((n) => n.startsWith("forest"))).toEqual([]);
  });

  it("a path that is a file is refused, and left alone", async () => {
    const file = tmp.file("plain-file", "keep");
    await expect(small.save(file)).rejects.toThrow(/plain-file: This path is an existing file, but the model bundle is a folder/);
    expect(fs.readFileSync(file, "utf8")).toBe("keep");
  });
});

describe("readBundle checks the manifest", () => {
  async function edited(name: string, edit: (m: Record<string, any>) => void, resign = false): Promise<string> {
    const { dir, manifest } = await goodBundle(name);
    const m = JSON.parse(manifest);
    edit(m);
    if (resign) m.checksum = manifestChecksum(m);
    fs.writeFileSync(join(dir, "model.json"), JSON.stringify(m, null, 2));
    return dir;
  }

  for (const [what, edit] of [
    ["labels swapped", (m: Record<string, any>) => m.labels.reverse()],
    ["embedder dimensions", (m: Record<string, any>) => (m.embedder.dimensions = 256)],
    ["forest engine", (m: Record<string, any>) => (m.forest.engine = "ml-random-forest")],
    ["training settings", (m: Record<string, any>) => (m.training.seed = 7)],
  ] as const) {
    it(`${what}: BUNDLE_EDITED`, async () => {
      const err = await SentimentModel.load(await edited(what, edit)).catch((e) => e);
      expect(err).toBeInstanceOf(BundleError);
      expect(err.code).toBe("BUNDLE_EDITED");
      expect(err.message).toMatch(/model\.json: The manifest was changed after it was saved/);
    });
  }

  it("a duplicated label is refused even with a matching checksum", async () => {
    const dir = await edited("dup", (m) => (m.labels = ["negative", "negative"]), true);
    await expect(SentimentModel.load(dir)).rejects.toThrow(/label "negative" is listed twice in "labels"/);
  });

  it("a version-2 manifest without its checksum is refused", async () => {
    const dir = await edited("no-checksum", (m) => delete m.checksum);
    await expect(SentimentModel.load(dir)).rejects.toThrow(/The manifest is incomplete or malformed: the checksum is missing/);
  });

  it("a format-1 bundle (forest.bin, no checksum) still loads, and saving over it upgrades it", async () => {
    const { dir, manifest } = await goodBundle("v1");
    const m = JSON.parse(manifest);
    delete m.checksum;
    delete m.generation;
    m.formatVersion = 1;
    m.forest.file = "forest.bin";
    fs.renameSync(join(dir, "forest.1.bin"), join(dir, "forest.bin"));
    fs.writeFileSync(join(dir, "model.json"), JSON.stringify(m, null, 2));
    expect((await SentimentModel.load(dir)).labels).toEqual(["negative", "positive"]);
    const saved = await large.save(dir);
    expect(saved).toMatchObject({ formatVersion: 3, generation: 1, forest: { file: "forest.1.bin" } });
    expect(fs.readdirSync(dir).sort()).toEqual([".sentivec.lock", "forest.1.bin", "model.json"]);
  });
});
