import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockDir } from "../../../src/util/dir-lock.js";
import { expectOneLineError } from "../../support/expect-cli-error.js";
import { runCliAsync } from "../../support/run-cli-async.js";
import { AMAZON, YELP, jsonOf as json, useStoreCli } from "../../support/store-cli-setup.js";
import { useTempDir } from "../../support/temp-dir.js";

/**
 * The CLI on a lance: store: the same commands and results as on the in-memory store, with the rows in
 * a LanceDB table. The OpenAI test server counts embedding requests, so "trains without embedding" is
 * measured, not assumed.
 */
const { server: testServer, cli } = useStoreCli("testkey-lance-cli-0123456789abcdef");
const FOREST = ["--trees", "30"];
const tmp = useTempDir("sentivec-lance-cli-");

describe("train --store lance:DIR (UCI Amazon + Yelp)", () => {
  it("gives the same report as the in-memory store and as the files (same seed), with 0 embedding requests", async () => {
    const lance = `lance:${join(tmp.dir, "lance-store")}`;
    const memory = join(tmp.dir, "memory-store");
    const server = testServer();
    const remote = ["--embedder", "openai:text-embedding-3-small", "--dimensions", "48", "--base-url", server.url, "--no-cache"];
    const added = json(await cli(["store", "add", AMAZON, YELP, "--store", lance, ...remote, "--json"]));
    expect(added).toMatchObject({ store: lance, added: 1986, updated: 0, size: 1986, unlabeled: 0 });
    json(await cli(["store", "add", AMAZON, YELP, "--store", memory, ...remote, "--json"]));
    const afterAdd = server.log.length;

    const fromLance = json(await cli(["train", "--store", lance, "-o", join(tmp.dir, "m-lance"), "--seed", "11", ...FOREST, "--json"]));
    expect(server.log.length).toBe(afterAdd); // not one request: the Lance table's vectors were used
    const fromMemory = json(await cli(["train", "--store", memory, "-o", join(tmp.dir, "m-memory"), "--seed", "11", ...FOREST, "--json"]));
    const fromFiles = json(await cli(["train", AMAZON, YELP, "-o", join(tmp.dir, "m-files"), "--seed", "11", ...FOREST, ...remote, "--json"]));
    expect(fromLance.report).toEqual(fromMemory.report);
    expect(fromLance.report).toEqual(fromFiles.report);
    expect(fromLance.embedder).toEqual(fromFiles.embedder);
    expect(fromLance.dataset).toMatchObject({ files: [lance], rows: 1986, ignoredUnlabeled: 0 });

    // Re-adding the same files updates every row in place of duplicating it.
    expect(json(await cli(["store", "add", YELP, "--store", lance, ...remote, "--json"]))).toMatchObject({ added: 0, updated: 996, size: 1986 });
  }, 300000);
});

describe("store add / info / search / label / evaluate on a lance: store (offline embedder)", () => {
  const HASH = ["--embedder", "local:hash-v2"];
  const lanceDir = join(tmp.dir, "hash-lance");
  const lance = `lance:${lanceDir}`;
  const memory = join(tmp.dir, "hash-memory");
  const model = join(tmp.dir, "m-hash");

  it("searches, filters and labels as the in-memory store does", async () => {
    json(await cli(["store", "add", AMAZON, "--store", lance, ...HASH, "--json"]));
    json(await cli(["store", "add", YELP, "--no-labels", "--store", lance, "--json"]));
    json(await cli(["store", "add", AMAZON, "--store", memory, ...HASH, "--json"]));
    json(await cli(["store", "add", YELP, "--no-labels", "--store", memory, "--json"]));
    const info = json(await cli(["store", "info", "--store", lance, "--json"]));
    expect(info).toMatchObject({ backend: "lance", embedderId: "local:hash-v2@512", rows: 1986, unlabeled: 996, labels: { negative: 497, positive: 493 }, index: null });
    expect(info.diskBytes).toBeGreaterThan(1986 * 512 * 4);
    const text = await cli(["store", "info", "--store", lance]);
    expect(text.stdout).toMatch(/Index +none \(exact search/);

    for (const filter of [[], ["--filter", "label=negative"], ["--filter", "source=yelp_labelled.txt"]]) {
      const l = json(await cli(["store", "search", "the battery died", "--store", lance, "-k", "7", ...filter, "--json"]));
      const m = json(await cli(["store", "search", "the battery died", "--store", memory, "-k", "7", ...filter, "--json"]));
      expect(l.map((h: { id: string }) => h.id), filter.join(" ")).toEqual(m.map((h: { id: string }) => h.id));
      l.forEach((h: { score: number }, i: number) => expect(h.score).toBeCloseTo(m[i].score, 5));
    }

    json(await cli(["train", "--store", lance, "-o", model, ...FOREST, "--json"]));
    const labelled = json(await cli(["store", "label", "--store", lance, "--model", model, "--json"]));
    expect(labelled).toMatchObject({ labelled: 996, size: 1986 });
    const negatives = json(await cli(["store", "search", "great food", "--store", lance, "--filter", "predicted=negative", "-k", "5", "--json"]));
    expect(negatives).toHaveLength(5);
    for (const h of negatives) {
      expect(h.metadata.predicted).toBe("negative");
      expect(h.metadata.source).toBe("yelp_labelled.txt");
      expect(h.metadata.p_negative).toBeGreaterThan(0);
    }
    const again = json(await cli(["store", "label", "--store", lance, "--model", model, "--filter", "source=yelp_labelled.txt", "--json"]));
    expect(again.labelled).toBe(996);
    const evaluated = json(await cli(["evaluate", "--model", model, "--store", lance, "--json"]));
    expect(evaluated).toMatchObject({ store: lance, ignoredUnlabeled: 996 });
    expect(evaluated.report.n).toBe(990);
  }, 300000);

  it("a second writer waits for the store's lock, then adds to what the first one wrote", async () => {
    const extra = tmp.file("extra.csv", "text,label\nThe screen cracked on day one,negative\nBest pizza in town,positive\n");
    const lock = await lockDir(lanceDir, { what: "vector store" });
    let adder: ReturnType<typeof cli>;
    try {
      adder = cli(["store", "add", extra, "--store", lance, "--json"]);
      await new Promise((r) => setTimeout(r, 4000));
    } finally {
      lock.release();
    }
    const a = await adder;
    expect(a.stderr).toMatch(/Waiting for another sentivec process that is writing/);
    expect(json(a)).toMatchObject({ added: 2, size: 1988 });
  }, 120000);

  it("a kill before a write commits, or before a new store's manifest is in place, leaves the last good state", async () => {
    const st = join(tmp.dir, "killed-lance");
    const killAt = (step: string, args: string[]) => runCliAsync(args, { env: { SENTIVEC_TEST_KILL_AT: step } });
    // Killed while creating the store: no store is there yet, and the next add creates it.
    expect((await killAt("lance-manifest:rename", ["store", "add", AMAZON, "--store", `lance:${st}`, ...HASH])).code).not.toBe(0);
    expectOneLineError(await cli(["store", "info", "--store", `lance:${st}`]), /No Lance vector store here/);
    expect(json(await cli(["store", "add", AMAZON, "--store", `lance:${st}`, ...HASH, "--json"]))).toMatchObject({ added: 990, size: 990 });
    // Killed before the second file's rows are committed: the first file's rows are all there, and only they.
    expect((await killAt("lance:commit", ["store", "add", YELP, "--store", `lance:${st}`])).code).not.toBe(0);
    expect(json(await cli(["store", "info", "--store", `lance:${st}`, "--json"]))).toMatchObject({ rows: 990, labels: { negative: 497, positive: 493 } });
    expect(json(await cli(["store", "add", YELP, "--store", `lance:${st}`, "--json"]))).toMatchObject({ added: 996, size: 1986 });
  }, 120000);

  it("refuses mistakes with one line each", async () => {
    expectOneLineError(await cli(["store", "info", "--store", `lance:${join(tmp.dir, "nothing-here")}`]), /No Lance vector store here \(sentivec-lance\.json is missing\)/);
    expectOneLineError(await cli(["train", "--store", `lance:${join(tmp.dir, "nothing-here")}`, "-o", join(tmp.dir, "m-x")]), /No Lance vector store here/);
    expectOneLineError(await cli(["store", "search", "x", "--store", `lance:${memory}`]), /holds an in-memory vector store, not a Lance one.*without lance:/);
    expectOneLineError(await cli(["store", "search", "x", "--store", "lance:"]), /names no folder/);
    expectOneLineError(await cli(["store", "search", "x", "--store", lance, "--filter", "colour=red"]), /no row in this store has that field/);
    // A model from another embedder is refused with the message the in-memory store gives.
    const other = join(tmp.dir, "m-other");
    json(await cli(["train", AMAZON, "-o", other, "--embedder", "local:hash-v1", ...FOREST, "--json"]));
    expectOneLineError(await cli(["store", "label", "--store", lance, "--model", other]), /The model .* was trained on local:hash-v1@\d+ vectors .* but the store lance:.* holds local:hash-v2@512 vectors/);
    expectOneLineError(await cli(["evaluate", "--model", other, "--store", lance]), /trained on local:hash-v1/);
    // A damaged table: one line naming the folder, no Rust backtrace.
    const broken = join(tmp.dir, "broken-lance");
    json(await cli(["store", "add", AMAZON, "--store", `lance:${broken}`, ...HASH, "--json"]));
    rmSync(join(broken, "rows.lance", "_versions"), { recursive: true });
    const r = await cli(["store", "info", "--store", `lance:${broken}`]);
    expectOneLineError(r, /Could not open the Lance table: Table 'rows' was not found.*restore it from a backup or rebuild the store/);
    expect(r.stderr).not.toMatch(/\.rs:\d+/);
  }, 300000);

  it("store index builds LanceDB's index; searches use it and still find newer rows, --exact scans, --approx needs one", async () => {
    const small = await cli(["store", "index", "--store", lance]);
    expect(small.code, small.stderr).toBe(0);
    expect(small.stdout).toMatch(/No index built for lance:.*: it has 1988 rows, and below 50000 the exact scan is used\./);
    expectOneLineError(await cli(["store", "search", "battery", "--store", lance, "--approx"]), /--approx: this store has no vector index\..*sentivec store index --store lance:/);
    expectOneLineError(await cli(["store", "index", "--store", lance, "--connectivity", "8"]), /--connectivity sets the in-memory store's HNSW index; a lance: store gets LanceDB's IVF_PQ index/);
    expectOneLineError(await cli(["store", "search", "battery", "--store", lance, "--ef", "10"]), /--ef sets the in-memory store's HNSW search/);

    const built = json(await runCliAsync(["store", "index", "--store", lance, "--json"], { env: { SENTIVEC_LANCE_INDEX_MIN_ROWS: "1000" } }));
    expect(built).toMatchObject({ store: lance, built: true, rows: 1988, indexType: "IVF_PQ", partitions: 7, subVectors: 128 });
    expect(json(await cli(["store", "info", "--store", lance, "--json"]))).toMatchObject({ index: "IVF_PQ", indexedRows: 1988, unindexedRows: 0 });
    const filter = ["--filter", "source=amazon_cells_labelled.txt"];
    const exact = json(await cli(["store", "search", "the battery died", "--store", lance, "-k", "5", "--exact", ...filter, "--json"]));
    const inMemory = json(await cli(["store", "search", "the battery died", "--store", memory, "-k", "5", ...filter, "--json"]));
    expect(exact.map((h: { id: string }) => h.id)).toEqual(inMemory.map((h: { id: string }) => h.id));
    const approx = json(await cli(["store", "search", "the battery died", "--store", lance, "-k", "5", "--approx", ...filter, "--json"]));
    expect(approx).toHaveLength(5);
    for (const h of approx) {
      expect(h.metadata.source).toBe("amazon_cells_labelled.txt");
      expect(h.score).toBeLessThanOrEqual(exact[0].score + 1e-6);
    }

    // Rows added after the index are not in it, and are still found: LanceDB scans them exactly.
    const later = tmp.file("later.csv", "text,label\nThe hinge snapped off the lid,negative\n");
    json(await cli(["store", "add", later, "--store", lance, "--json"]));
    expect(json(await cli(["store", "info", "--store", lance, "--json"]))).toMatchObject({ rows: 1989, indexedRows: 1988, unindexedRows: 1 });
    const found = json(await cli(["store", "search", "The hinge snapped off the lid", "--store", lance, "-k", "1", "--approx", "--json"]));
    expect(found[0].metadata.text).toBe("The hinge snapped off the lid");
    expect(found[0].score).toBeCloseTo(1, 5);
    const text = await cli(["store", "info", "--store", lance]);
    expect(text.stdout).toMatch(/Index +IVF_PQ over 1988 rows, 1 newer rows searched exactly/);
  }, 300000);
});
