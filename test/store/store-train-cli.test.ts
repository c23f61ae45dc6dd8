import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { AMAZON, YELP, jsonOf as json, useStoreCli } from "../support/store-cli-setup.js";
import { useTempDir } from "../support/temp-dir.js";

/**
 * train / evaluate / cv --store: a store filled once by `store add` is trained on with its own vectors.
 * The OpenAI test server counts the embedding requests, so "nothing is embedded twice" is measured,
 * not assumed.
 */
const { server: testServer, cli } = useStoreCli("testkey-store-train-0123456789abcdef");
const OPENAI = ["--embedder", "openai:text-embedding-3-small", "--dimensions", "48"];
const FOREST = ["--trees", "40"];
const tmp = useTempDir("sentivec-store-train-");

describe("train --store (UCI Amazon + Yelp)", () => {
  it("gives the same report as train on the files with the same seed, and sends 0 embedding requests", async () => {
    const store = join(tmp.dir, "openai-store");
    const server = testServer();
    const remote = [...OPENAI, "--base-url", server.url, "--no-cache"];
    const added = json(await cli(["store", "add", AMAZON, YELP, "--store", store, ...remote, "--json"]));
    expect(added).toMatchObject({ added: 1986, unlabeled: 0 });
    const afterAdd = server.log.length;
    expect(afterAdd).toBeGreaterThan(0);

    const r = await cli(["train", "--store", store, "-o", join(tmp.dir, "m-store"), "--seed", "11", ...FOREST, "--json"]);
    const fromStore = json(r);
    expect(server.log.length).toBe(afterAdd); // not one request: the store's vectors were used
    const fromFiles = json(await cli(["train", AMAZON, YELP, "-o", join(tmp.dir, "m-files"), "--seed", "11", ...FOREST, ...remote, "--json"]));
    expect(server.log.length).toBeGreaterThan(afterAdd);
    expect(fromStore.report).toEqual(fromFiles.report);
    expect(fromStore.report.n).toBe(397);
    expect(fromStore.embedder).toEqual(fromFiles.embedder);
    expect(fromStore.embedder.id).toBe(added.embedderId);
    expect(fromStore.dataset).toMatchObject({ files: [store], rows: 1986, ignoredUnlabeled: 0 });
    const bundle = JSON.parse(readFileSync(join(tmp.dir, "m-store", "model.json"), "utf8"));
    expect(bundle.embedder).toEqual(fromFiles.embedder);

    // The text report says where the rows came from; still no request.
    const before = server.log.length;
    const text = await cli(["train", "--store", store, "-o", join(tmp.dir, "m-store2"), ...FOREST]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toMatch(/Read 1986 labelled rows from the store .*openai-store \(openai:text-embedding-3-small@48~[0-9a-f]{8}, 48 dims\)\./);
    expect(server.log.length).toBe(before);
  }, 300000);
});

describe("train / evaluate / cv --store with unlabelled rows and filters (offline embedder)", () => {
  // These stores are built with local:hash-v2 (not the default, local:glove-lex-v2), as their names say.
  const HASH = ["--embedder", "local:hash-v2"];
  const store = join(tmp.dir, "hash-store");
  const model = join(tmp.dir, "m-hash");

  it("store add keeps a file without a label column unlabelled; train ignores those rows and says how many", async () => {
    const unlabelled = tmp.file("unlabelled.csv", "text\nThe battery died after a day\nWhat a lovely little phone\nThe soup was cold\n");
    const a = json(await cli(["store", "add", AMAZON, "--store", store, ...HASH, "--json"]));
    expect(a).toMatchObject({ added: 990, unlabeled: 0 });
    const u = await cli(["store", "add", unlabelled, "--store", store]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).toMatch(/3 of 3 rows have no label; they are stored unlabelled/);
    const y = json(await cli(["store", "add", YELP, "--no-labels", "--store", store, "--json"]));
    expect(y).toMatchObject({ added: 996, unlabeled: 996 });
    expect(json(await cli(["store", "info", "--store", store, "--json"]))).toMatchObject({ rows: 1989, unlabeled: 999, labels: { negative: 497, positive: 493 } });

    const t = await cli(["train", "--store", store, "-o", model, ...FOREST]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/Read 990 labelled rows from the store .*hash-store \(local:hash-v2@512, 512 dims\); ignored 999 unlabelled rows\./);
    expect(t.stdout).toMatch(/Saved .*m-hash \(embedder local:hash-v2@512/);
    const j = json(await cli(["train", "--store", store, "-o", join(tmp.dir, "m-hash2"), ...FOREST, "--json"]));
    expect(j.dataset).toMatchObject({ rows: 990, ignoredUnlabeled: 999 });
    expect(j.training.trainRows + j.training.testRows).toBe(990);
  }, 300000);

  it("--filter picks the rows to train, evaluate and cross-validate on", async () => {
    const yelpStore = join(tmp.dir, "both-store");
    json(await cli(["store", "add", AMAZON, YELP, "--store", yelpStore, ...HASH, "--json"]));
    const t = json(await cli(["train", "--store", yelpStore, "--filter", "source=yelp_labelled.txt", "-o", join(tmp.dir, "m-yelp"), ...FOREST, "--json"]));
    expect(t.training.trainRows + t.training.testRows).toBe(996);

    // evaluate --store: the Amazon-trained model scored on the Yelp rows, embedding nothing.
    const e = json(await cli(["evaluate", "--store", yelpStore, "--filter", "source=yelp_labelled.txt", "--model", model, "--json"]));
    expect(e).toMatchObject({ store: yelpStore, filter: ["source=yelp_labelled.txt"], ignoredUnlabeled: 0, embedder: { id: "local:hash-v2@512" } });
    expect(e.report.n).toBe(996);
    expect(e.report.accuracy).toBeGreaterThan(0.55);
    const text = await cli(["evaluate", "--store", yelpStore, "--filter", "source=yelp_labelled.txt", "--model", model]);
    expect(text.stdout).toMatch(/Evaluation of .*m-hash on the store .*both-store --filter source=yelp_labelled\.txt/);

    const cv = json(await cli(["cv", "--store", yelpStore, "--filter", "label=negative,positive", "-k", "3", ...FOREST, "--json"]));
    expect(cv).toMatchObject({ store: yelpStore, embedder: "local:hash-v2@512", folds: 3, ignoredUnlabeled: 0 });
    expect(cv.pooled.n).toBe(1986);
    const cvFiles = json(await cli(["cv", AMAZON, YELP, "-k", "3", ...FOREST, ...HASH, "--json"]));
    expect(cv.pooled).toEqual(cvFiles.pooled);
  }, 300000);

  it("a model trained on a store filled with --stars records the scheme: evaluate reads a star file without --stars again", async () => {
    const food = join("datasets", "fine-food-reviews", "fine_food_reviews_1k.csv");
    const stars = join(tmp.dir, "stars-store");
    expect((await cli(["store", "add", food, "--stars", "--store", stars, ...HASH, "-q"])).code).toBe(0);
    const m = join(tmp.dir, "m-stars");
    const t = await cli(["train", "--store", stars, "-o", m, ...FOREST, "--json"]);
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(m, "model.json"), "utf8")).labelScheme).toBe("stars");
    const e = await cli(["evaluate", "--model", m, food, ...HASH, "--json"]);
    expect(e.code, e.stderr).toBe(0);
    // Read as --stars reads it (3-star reviews left out), with the same scores.
    expect(json(e).report).toEqual(json(await cli(["evaluate", "--model", m, food, "--stars", ...HASH, "--json"])).report);

    // Rows read two ways: the model's scheme is unknown, so evaluate asks for the flag (as for older models).
    expect((await cli(["store", "add", AMAZON, "--store", stars, ...HASH, "-q"])).code).toBe(0);
    const mixed = join(tmp.dir, "m-mixed");
    expect((await cli(["train", "--store", stars, "-o", mixed, ...FOREST, "-q"])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(mixed, "model.json"), "utf8")).labelScheme).toBeUndefined();
    expectOneLineError(await cli(["evaluate", "--model", mixed, food, ...HASH]), /star rating.*--stars/);
  }, 300000);

  it("refuses mistakes with one line each", async () => {
    const missing = join(tmp.dir, "no-such-store");
    expectOneLineError(await cli(["train", "-o", join(tmp.dir, "x")]), /Nothing to train on: give dataset files, or --store DIR/);
    expectOneLineError(await cli(["train", AMAZON, "--store", store, "-o", join(tmp.dir, "x")]), /Give dataset files or --store .*, not both \(got 1 file\)/);
    expectOneLineError(await cli(["train", AMAZON, "--filter", "label=positive", "-o", join(tmp.dir, "x")]), /--filter selects rows of a store, and no --store was given/);
    expectOneLineError(await cli(["train", "--store", store, "--embedder", "local:hash-v1", "-o", join(tmp.dir, "x")]), /--embedder does not apply with --store/);
    expectOneLineError(await cli(["cv", "--store", store, "--no-dedupe"]), /--no-dedupe does not apply with --store/);
    expectOneLineError(await cli(["train", "--store", store, "--labels", "any", "-o", join(tmp.dir, "x")]), /--labels does not apply with --store/);
    expectOneLineError(await cli(["train", "--store", store, "--vectors-from", "openai:x@3", "-o", join(tmp.dir, "x")]), /--vectors-from does not apply with --store/);
    expectOneLineError(await cli(["train", "--store", missing, "-o", join(tmp.dir, "x")]), /no-such-store.*No saved vector store here/);
    expectOneLineError(await cli(["train", "--store", store, "--filter", "colour=red", "-o", join(tmp.dir, "x")]), /--filter "colour": no row in this store has that field/);
    expectOneLineError(await cli(["train", "--store", store, "--filter", "source=unlabelled.csv", "-o", join(tmp.dir, "x")]), /The store .* has no labelled rows matching --filter source=unlabelled\.csv \(1989 rows; ignored 3 unlabelled rows\): nothing to train on\./);
    expectOneLineError(await cli(["evaluate", "--store", store, "-o", join(tmp.dir, "x")]), /required option '-m, --model <dir>'/);
    // A model from another embedder: refused before anything is predicted.
    const other = json(await cli(["train", AMAZON, "--embedder", "local:hash-v1", "-o", join(tmp.dir, "m-v1"), ...FOREST, "--json"]));
    expect(other.embedder.id).toBe("local:hash-v1@512");
    expectOneLineError(await cli(["evaluate", "--store", store, "--model", join(tmp.dir, "m-v1")]), /The model .*m-v1 was trained on local:hash-v1@512 vectors \(512 dims\), but the store .*hash-store holds local:hash-v2@512 vectors \(512 dims\); nothing was predicted/);
  }, 300000);
});
