import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { runCli } from "../support/run-cli.js";
import { useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir("sentivec-ann-cli-");
const EMBEDDER = ["--embedder", "local:hash-v2@64"];

const reviews = tmp.file("reviews.csv", [
  "text,label",
  "The food was wonderful and the staff were lovely,positive",
  "Great value and a wonderful view,positive",
  "Lovely room and a wonderful breakfast,positive",
  "Terrible food and a rude waiter,negative",
  "The waiter was rude and the soup was cold,negative",
  "Awful service and cold food,negative",
  "Cold room and a rude receptionist,negative",
].join("\n"));
const more = tmp.file("more.csv", "text,label\nThe soup was wonderful,positive\n");

function freshStore(name: string): string {
  const dir = path.join(tmp.dir, name);
  const r = runCli(["store", "add", reviews, "--store", dir, ...EMBEDDER, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

const search = (dir: string, ...args: string[]) => runCli(["store", "search", "wonderful food", "--store", dir, "--json", ...args]);

describe("sentivec store index / store search --approx", () => {
  it("builds and saves the index; --approx gives the exact results on a small store, filters included", () => {
    const dir = freshStore("happy");
    const built = runCli(["store", "index", "--store", dir, "--connectivity", "16", "--ef-search", "32", "--json"]);
    expect(built.code, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ rows: 7, dimensions: 64, connectivity: 16, efConstruction: 128, efSearch: 32, quantization: "f16", indexFile: "ann-index.1.usearch" });
    expect(fs.existsSync(path.join(dir, "ann-index.json"))).toBe(true);

    const exact = search(dir, "--exact", "-k", "7");
    const approx = search(dir, "--approx", "-k", "7");
    expect(approx.code, approx.stderr).toBe(0);
    expect(JSON.parse(approx.stdout)).toEqual(JSON.parse(exact.stdout));

    const neg = search(dir, "--approx", "--ef", "4", "-k", "3", "--filter", "label=negative");
    expect(neg.code, neg.stderr).toBe(0);
    const hits = JSON.parse(neg.stdout) as { label: string }[];
    expect(hits).toHaveLength(3);
    expect(hits.every((h) => h.label === "negative")).toBe(true);

    const text = runCli(["store", "index", "--store", dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Indexed 7 rows of .* in \d+\.\d s: ann-index\.2\.usearch, [\d.]+ MB \(connectivity 32, ef-construction 128, ef-search 128, f16\)\.\n$/);
  });

  it("store info names the index and whether searches can use it: none, fresh, then stale after an add", () => {
    const dir = freshStore("info");
    const info = (...args: string[]) => runCli(["store", "info", "--store", dir, ...args]);
    expect(info().stdout).toMatch(/^Index {6}none \(exact search; sentivec store index builds one\)$/m);
    expect(JSON.parse(info("--json").stdout)).toMatchObject({ index: null, indexState: "missing" });

    expect(runCli(["store", "index", "--store", dir, "--connectivity", "16", "-q"]).code).toBe(0);
    expect(info().stdout).toMatch(/^Index {6}HNSW \(M 16, efConstruction 128, efSearch 128, f16\) over 7 rows, [\d.]+ MB, built \S+; used by search --approx, and by every search from 100000 rows$/m);
    expect(JSON.parse(info("--json").stdout)).toMatchObject({ indexState: "fresh", indexedRows: 7, indexStaleReason: null });

    expect(runCli(["store", "add", more, "--store", dir, ...EMBEDDER, "-q"]).code).toBe(0);
    expect(info().stdout).toMatch(/^Index {6}HNSW .* over 7 rows, .*; stale \(it was built from 7 rows, the store now has 8\), so searches scan exactly until sentivec store index rebuilds it$/m);
    expect(JSON.parse(info("--json").stdout)).toMatchObject({ indexState: "stale", indexStaleReason: "it was built from 7 rows, the store now has 8" });
  });

  it("after store add the index is stale: add says so, --approx refuses it, a plain search scans and says so once", () => {
    const dir = freshStore("stale");
    expect(runCli(["store", "index", "--store", dir, "-q"]).code).toBe(0);
    // Re-adding the same rows changes no vector: the index stays fresh.
    const same = runCli(["store", "add", reviews, "--store", dir, ...EMBEDDER, "--json"]);
    expect(JSON.parse(same.stdout)).toMatchObject({ updated: 7, index: "fresh" });

    const add = runCli(["store", "add", more, "--store", dir, ...EMBEDDER]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain(`The approximate index in ${dir} is now out of date: searches scan every row until you run \`sentivec store index --store ${dir}\` again.`);

    expectOneLineError(search(dir, "--approx"), /--approx: its approximate index is out of date \(it was built from 7 rows, the store now has 8\)\. To build it, run `sentivec store index --store .*`; or search with --exact\./);

    const auto = search(dir, "-k", "8");
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stderr).toBe(""); // 8 rows: far below the size where the index is used at all
    const forced = runCli(["store", "search", "wonderful food", "--store", dir, "--json", "-k", "8"], { env: { SENTIVEC_APPROX_MIN_ROWS: "1" } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^The approximate index is out of date \(it was built from 7 rows, the store now has 8\), so this search scans every row; run `sentivec store index --store .*` to rebuild it\.$/)]);
    expect(JSON.parse(forced.stdout)).toEqual(JSON.parse(search(dir, "--exact", "-k", "8").stdout));

    expect(runCli(["store", "index", "--store", dir, "-q"]).code).toBe(0);
    const rebuilt = runCli(["store", "search", "wonderful food", "--store", dir, "--json", "-k", "8"], { env: { SENTIVEC_APPROX_MIN_ROWS: "1" } });
    expect(rebuilt.stderr).toBe("");
    expect(JSON.parse(rebuilt.stdout)).toHaveLength(8);
  });

  it("store label writes metadata only: the index stays fresh and --approx --filter predicted=... uses it", () => {
    const dir = freshStore("labelled");
    const unlabelled = tmp.file("unlabelled.csv", "text\nA wonderful soup\nA rude and cold waiter\n");
    expect(runCli(["store", "add", unlabelled, "--store", dir, ...EMBEDDER, "-q"]).code).toBe(0);
    expect(runCli(["store", "index", "--store", dir, "-q"]).code).toBe(0);
    const model = path.join(tmp.dir, "label-model");
    const trained = runCli(["train", "--store", dir, "-o", model, "--trees", "10", "--test-size", "0", "--quiet"]);
    expect(trained.code, trained.stderr).toBe(0);
    const labelled = runCli(["store", "label", "--store", dir, "--model", model, "--json"]);
    expect(labelled.code, labelled.stderr).toBe(0);
    const r = search(dir, "--approx", "-k", "9", "--filter", "predicted=positive,negative");
    expect(r.code, r.stderr).toBe(0);
    const hits = JSON.parse(r.stdout) as { metadata: { predicted?: string } }[];
    expect(hits).toHaveLength(2);
    expect(hits.every((h) => h.metadata.predicted !== undefined)).toBe(true);
  });

  it("a missing, corrupt or truncated index is one clear error", () => {
    const dir = freshStore("broken");
    expectOneLineError(search(dir, "--approx"), /--approx: this store has no approximate index\. To build it, run `sentivec store index --store .*`; or search with --exact\./);
    expect(runCli(["store", "index", "--store", dir, "-q"]).code).toBe(0);
    const file = path.join(dir, "ann-index.1.usearch");
    const good = fs.readFileSync(file);
    const bad = Buffer.from(good);
    bad[bad.length - 3] ^= 0x5a;
    fs.writeFileSync(file, bad);
    expectOneLineError(search(dir, "--approx"), /ann-index\.1\.usearch: The approximate index does not match its checksum; it is corrupt\. Rebuild it with `sentivec store index`/);
    // --exact does not open the index at all.
    expect(search(dir, "--exact").code).toBe(0);
    fs.writeFileSync(file, good.subarray(0, 10));
    expectOneLineError(search(dir, "--approx"), /has 10 bytes, but ann-index\.json says \d+; it was cut short or replaced/);
    fs.rmSync(file);
    expectOneLineError(search(dir, "--approx"), /The index file ann-index\.1\.usearch named by ann-index\.json cannot be opened \(ENOENT\)/);
    fs.writeFileSync(path.join(dir, "ann-index.json"), "{ not json");
    expectOneLineError(search(dir, "--approx"), /ann-index\.json: The approximate index is not valid JSON; it is truncated or corrupt/);
  });

  it("a kill while saving the index leaves the last good one in use; the next save clears what it left", () => {
    const dir = freshStore("killed");
    expect(runCli(["store", "index", "--store", dir, "-q"]).code).toBe(0);
    const before = search(dir, "--approx", "-k", "7").stdout;
    for (const step of ["ann-index:rename", "ann-index-meta:rename"]) {
      const killed = runCli(["store", "index", "--store", dir, "-q"], { env: { SENTIVEC_TEST_KILL_AT: step } });
      expect(killed.code, step).not.toBe(0);
      const after = search(dir, "--approx", "-k", "7");
      expect(after.code, after.stderr).toBe(0);
      expect(after.stdout).toBe(before);
    }
    expect(fs.readdirSync(dir).some((f) => f.includes(".tmp-"))).toBe(true);
    expect(runCli(["store", "index", "--store", dir, "-q"]).code).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("ann-index")).sort()).toEqual(["ann-index.3.usearch", "ann-index.json"]);
  });

  it("bad options and a missing or empty store are one-line errors", () => {
    const dir = freshStore("options");
    expectOneLineError(search(dir, "--approx", "--exact"), /--approx and --exact contradict each other/);
    expectOneLineError(search(dir, "--exact", "--ef", "10"), /--ef applies to approximate search, and --exact scans every row/);
    expectOneLineError(search(dir, "--ef", "0"), /--ef/);
    expectOneLineError(runCli(["store", "index", "--store", dir, "--connectivity", "1"]), /--connectivity/);
    expectOneLineError(runCli(["store", "index", "--store", dir, "--ef-construction", "x"]), /--ef-construction/);
    expectOneLineError(runCli(["store", "index", "--store", dir, "--quantization", "i8"]), /--quantization must be f16 or f32/);
    expectOneLineError(runCli(["store", "index", "--store", path.join(tmp.dir, "nothing-here")]), /No saved vector store here \(manifest\.json is missing\)/);
    // A lance: store is indexed by LanceDB (test/store/behaviour/lance-cli.test.ts); a missing one is said so.
    expectOneLineError(runCli(["store", "index", "--store", `lance:${path.join(tmp.dir, "lance")}`]), /No Lance vector store here \(sentivec-lance\.json is missing\)/);
  });
});
