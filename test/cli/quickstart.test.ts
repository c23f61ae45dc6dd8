import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { QUICKSTART_SENTENCES } from "../../src/cli/quickstart-command.js";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { runCli } from "../support/run-cli.js";
import { DATASETS, useTempDir } from "../support/temp-dir.js";

const tmp = useTempDir("sentivec-quickstart-");

/**
 * A datasets folder shaped like the repository's, with the full UCI files and the first 3,000 SST-2
 * training phrases (the real run uses all 67k; that is what `npm start` times, not this test).
 */
function smallDatasets(): string {
  const dir = join(tmp.dir, "datasets");
  const uci = join(dir, "uci-sentiment-labelled-sentences");
  const sst2 = join(dir, "sst2");
  mkdirSync(uci, { recursive: true });
  mkdirSync(sst2, { recursive: true });
  for (const f of ["amazon_cells_labelled.txt", "yelp_labelled.txt"]) copyFileSync(join(DATASETS, "uci-sentiment-labelled-sentences", f), join(uci, f));
  const train = readFileSync(join(DATASETS, "sst2", "train_full.tsv"), "utf8").split("\n").slice(0, 3001).join("\n") + "\n";
  writeFileSync(join(sst2, "train_full.tsv"), train);
  copyFileSync(join(DATASETS, "sst2", "dev.tsv"), join(sst2, "dev.tsv"));
  return dir;
}

describe("sentivec quickstart (npm start)", () => {
  it("trains the default embedder on UCI + SST-2, reports the test split and SST-2 dev, saves and predicts through the bundle", () => {
    const datasets = smallDatasets();
    const out = join(tmp.dir, "model");
    const r = runCli(["quickstart", "--datasets", datasets, "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.embedder.id).toBe("local:glove-lex-v2@133");
    // 2,000 UCI lines + 3,000 SST-2 phrases, less duplicates.
    expect(j.stats.kept).toBeGreaterThan(4900);
    expect(j.report.n).toBeGreaterThan(900);
    expect(j.report.accuracy).toBeGreaterThan(0.7);
    expect(j.sst2Dev.n).toBe(872);
    expect(j.sst2Dev.accuracy).toBeGreaterThan(0.65);
    expect(j.predictions.map((p: { text: string }) => p.text)).toEqual(QUICKSTART_SENTENCES);
    expect(j.predictions[0].label).toBe("positive"); // "really amazing"
    expect(j.predictions[1].label).toBe("negative"); // "not worth the money"
    expect(existsSync(join(out, "model.json"))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(manifest.dataset.files.map((f: string) => f.split(/[\\/]/).pop())).toEqual(["amazon_cells_labelled.txt", "yelp_labelled.txt", "train_full.tsv"]);
  }, 240_000);

  it("a datasets folder without the SST-2 files is a one-line error naming the file", () => {
    const dir = join(tmp.dir, "no-sst2");
    mkdirSync(join(dir, "uci-sentiment-labelled-sentences"), { recursive: true });
    for (const f of ["amazon_cells_labelled.txt", "yelp_labelled.txt"]) copyFileSync(join(DATASETS, "uci-sentiment-labelled-sentences", f), join(dir, "uci-sentiment-labelled-sentences", f));
    const r = runCli(["quickstart", "--datasets", dir, "--out", join(tmp.dir, "never")]);
    expectOneLineError(r, /train_full\.tsv/);
    expect(existsSync(join(tmp.dir, "never"))).toBe(false);
  });
});
