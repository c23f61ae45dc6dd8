import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VectorStore } from "../../src/store/vector-store.js";
import { parseFilters } from "../../src/cli/store-command.js";

const driver = path.join(__dirname, "store-cli-driver.ts");
let dir: string;
let storeDir: string;
let dataset: string;

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", driver, ...args], { encoding: "utf8", timeout: 60000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), "sentivec-store-cli-"));
  storeDir = path.join(dir, "store");
  dataset = path.join(dir, "reviews.csv");
  fs.writeFileSync(dataset, [
    "text,label",
    "The food was wonderful and the staff were lovely,positive",
    "Great value and a wonderful view,positive",
    "Terrible food and a rude waiter,negative",
    "The waiter was rude and the soup was cold,negative",
    "Awful service and cold food,negative",
  ].join("\n"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("sentivec store", () => {
  it("add, info, search (text and JSON), filters, and re-adding updates", () => {
    const add = run("store", "add", dataset, "--store", storeDir, "--json");
    expect(add.stderr).toBe("");
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ added: 5, updated: 0, size: 5, embedderId: "local:glove-lex-v2@133", generation: 1 });

    const info = JSON.parse(run("store", "info", "--store", storeDir, "--json").stdout);
    expect(info).toMatchObject({ rows: 5, dimensions: 133, labels: { positive: 2, negative: 3 }, unlabeled: 0 });
    expect(run("store", "info", "--store", storeDir).stdout).toMatch(/Labels {5}negative 3, positive 2/);

    const hits = JSON.parse(run("store", "search", "rude waiter and cold soup", "-k", "2", "--store", storeDir, "--json").stdout);
    expect(hits).toHaveLength(2);
    expect(hits[0].label).toBe("negative");
    expect(hits[0].metadata).toMatchObject({ source: "reviews.csv", text: expect.stringMatching(/waiter/) });

    const filtered = JSON.parse(run("store", "search", "rude waiter", "-k", "5", "--filter", "label=positive", "--store", storeDir, "--json").stdout);
    expect(filtered.map((h: { label: string }) => h.label)).toEqual(["positive", "positive"]);
    const byLine = JSON.parse(run("store", "search", "food", "--filter", "line=2,3", "--store", storeDir, "--json").stdout);
    expect(byLine).toHaveLength(2);

    const text = run("store", "search", "wonderful", "-k", "1", "--store", storeDir);
    expect(text.stdout).toMatch(/^\d\.\d{3} {2}positive {2}.*wonderful/);

    const again = JSON.parse(run("store", "add", dataset, "--store", storeDir, "--json").stdout);
    expect(again).toMatchObject({ added: 0, updated: 5, size: 5, generation: 2 });
  }, 120000);

  it("errors are one clear line and exit 1", () => {
    const missing = run("store", "search", "x", "--store", path.join(dir, "nowhere"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nowhere\/manifest\.json: No saved vector store here/);
    const bad = run("store", "search", "x", "--store", storeDir, "--filter", "label");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--filter "label" is not field=value/);
  }, 60000);

  it("the store the CLI wrote loads in the library", async () => {
    const store = await VectorStore.load(storeDir);
    expect(store.toTrainingSet().y.sort()).toEqual(["negative", "negative", "negative", "positive", "positive"]);
  });
});

describe("parseFilters", () => {
  it("maps label= to the label and other fields to metadata, typing numbers and lists", () => {
    expect(parseFilters([])).toBeUndefined();
    expect(parseFilters(["label=negative", "source=a.csv", "line=3", "label=x,y"])).toEqual({
      label: { in: ["x", "y"] },
      metadata: { source: "a.csv", line: { in: ["3", 3] } },
    });
  });
});
