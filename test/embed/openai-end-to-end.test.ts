import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAITestServer } from "../support/openai-test-server.js";
import { runSentivec } from "../support/run-child.js";

const KEY = "testkey-test-e2e-LEAKCHECK-5566778899";
let dir: string;
let server: OpenAITestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentivec-e2e-"));
  server = await OpenAITestServer.start({ apiKey: KEY });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const sentivec = (args: string[]) => runSentivec(args, { OPENAI_API_KEY: KEY });

describe("train and predict with --embedder openai:... against the test server", () => {
  it("trains, saves a bundle naming the embedder, predicts through the cache, and stores no key", async () => {
    const lines = readFileSync("datasets/sst2/dev.tsv", "utf8").split("\n").slice(0, 201);
    const data = join(dir, "small.tsv");
    writeFileSync(data, lines.join("\n") + "\n");
    const cache = join(dir, "cache.sqlite");
    const model = join(dir, "model");
    const remote = ["--embedder", "openai:text-embedding-3-small", "--dimensions", "32", "--base-url", server.url, "--cache", cache];

    const train = await sentivec(["train", data, ...remote, "-o", model, "--trees", "10", "--quiet"]);
    expect(train.stderr).toBe("");
    expect(train.code).toBe(0);
    const trainRequests = server.log.length;
    expect(trainRequests).toBe(1); // 200 short texts: one request
    const bundleText = readdirSync(model).map((f) => readFileSync(join(model, f)).toString("latin1")).join("\n");
    expect(bundleText).toContain("openai:text-embedding-3-small@32");

    // A training text is served from the cache; a new text costs one request.
    const known = lines[1].split("\t")[0];
    const predict = await sentivec(["predict", "-m", model, "--base-url", server.url, "--cache", cache, "--json", known, "an entirely new sentence"]);
    expect(predict.code).toBe(0);
    const out = JSON.parse(predict.stdout) as { label: string }[];
    expect(out).toHaveLength(2);
    expect(server.log.length).toBe(trainRequests + 1);
    expect(server.log.at(-1)!.inputs).toBe(1);

    for (const text of [bundleText, readFileSync(cache).toString("latin1"), train.stdout, train.stderr, predict.stdout, predict.stderr]) {
      expect(text.includes(KEY)).toBe(false);
      expect(text.includes("LEAKCHECK")).toBe(false);
    }
  });
});

describe("more than two classes with OpenAI-compatible vectors (the mechanics, against the test server)", () => {
  it("trains fine-food as 3 star classes, predicts every class's probability, and evaluates without --stars again", async () => {
    const data = "datasets/fine-food-reviews/fine_food_reviews_1k.csv";
    const cache = join(dir, "stars3-cache.sqlite");
    const model = join(dir, "stars3-model");
    const remote = ["--base-url", server.url, "--cache", cache];
    const before = server.log.length;

    const train = await sentivec(["train", data, "--text-field", "Text", "--stars", "3", "--embedder", "openai:text-embedding-3-small", "--dimensions", "64", ...remote, "-o", model, "--trees", "20", "--json", "--quiet"]);
    expect(train.stderr).toBe("");
    expect(train.code).toBe(0);
    const trained = JSON.parse(train.stdout) as { labels: string[]; report: { labels: string[]; confusion: number[][]; rocAuc: number } };
    expect(trained.labels).toEqual(["negative", "neutral", "positive"]);
    expect(trained.report.confusion).toHaveLength(3);
    // The server's vectors are random per text, so there is nothing to learn: the figure only has to exist.
    expect(trained.report.rocAuc).toBeGreaterThanOrEqual(0);
    const trainRequests = server.log.length - before;
    expect(trainRequests).toBeGreaterThan(0);

    // Every text is now cached: evaluating the same file (the bundle knows its star scheme) sends nothing.
    const evaluate = await sentivec(["evaluate", "-m", model, data, "--text-field", "Text", ...remote, "--json"]);
    expect(evaluate.stderr).toBe("");
    expect(evaluate.code).toBe(0);
    expect((JSON.parse(evaluate.stdout) as { report: { labels: string[] } }).report.labels).toEqual(["negative", "neutral", "positive"]);
    expect(server.log.length - before).toBe(trainRequests);

    const predict = await sentivec(["predict", "-m", model, ...remote, "--json", "It arrived broken and tasted stale."]);
    expect(predict.code).toBe(0);
    const [p] = JSON.parse(predict.stdout) as { label: string; probabilities: Record<string, number> }[];
    expect(Object.keys(p.probabilities).sort()).toEqual(["negative", "neutral", "positive"]);
    expect(Object.values(p.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(p.probabilities[p.label]).toBe(Math.max(...Object.values(p.probabilities)));
  });
});
