import { describe, expect, it } from "vitest";
import { RandomForestClassifier } from "../../src/classify/forest/random-forest-classifier.js";
import { HashEmbedder } from "../../src/embed/hash-embedder.js";
import { SentimentModel, type TrainProgress } from "../../src/model/sentiment-model.js";
import type { LabeledText } from "../../src/data/labeled-text.js";
import { noisyData } from "../classify/forest/forest-fixtures.js";

/** Checks a run of (done, total) steps: starts at 0, never goes back, ends at total. */
function expectSteps(steps: [number, number][], total: number): void {
  expect(steps.length).toBeGreaterThan(1);
  expect(steps[0]).toEqual([0, total]);
  expect(steps.at(-1)).toEqual([total, total]);
  for (let i = 1; i < steps.length; i++) {
    expect(steps[i][1]).toBe(total);
    expect(steps[i][0]).toBeGreaterThan(steps[i - 1][0]);
  }
}

describe("forest fit progress", () => {
  it("reports every tree on one thread", () => {
    const { X, y } = noisyData(300, 16, 1);
    const steps: [number, number][] = [];
    new RandomForestClassifier({ nEstimators: 9, nJobs: 1 }).fit(X, y, { onProgress: (d, t) => steps.push([d, t]) });
    expect(steps).toEqual(Array.from({ length: 10 }, (_, i) => [i, 9]));
  });

  it("reports trees grown by worker threads too, ending at the total, and the forest is the same", () => {
    const { X, y } = noisyData(600, 16, 2);
    const steps: [number, number][] = [];
    const threaded = new RandomForestClassifier({ nEstimators: 12, nJobs: 3 }).fit(X, y, { onProgress: (d, t) => steps.push([d, t]) });
    expectSteps(steps, 12);
    const quiet = new RandomForestClassifier({ nEstimators: 12, nJobs: 1 }).fit(X, y);
    expect(Buffer.from(threaded.serialize()).equals(Buffer.from(quiet.serialize()))).toBe(true);
  });
});

describe("SentimentModel.train progress", () => {
  const items: LabeledText[] = Array.from({ length: 120 }, (_, i) => ({
    text: i % 2 === 0 ? `a wonderful lovely great day number ${i}` : `an awful terrible bad day number ${i}`,
    label: i % 2 === 0 ? "positive" : "negative",
    source: { file: "mem", line: i + 1 },
  }));

  it("emits embed, then fit tree by tree, then evaluate", async () => {
    const events: TrainProgress[] = [];
    await SentimentModel.train(items, { embedder: new HashEmbedder(), forest: { nEstimators: 5 }, onProgress: (p) => events.push({ ...p }) });
    const stages = events.map((e) => e.stage).filter((s, i, a) => s !== a[i - 1]);
    expect(stages).toEqual(["embed", "fit", "evaluate"]);
    expectSteps(events.filter((e) => e.stage === "fit").map((e) => [e.done, e.total]), 5);
  });

  it("starts and ends the fit stage for an engine that reports no steps", async () => {
    const events: TrainProgress[] = [];
    await SentimentModel.train(items, { embedder: new HashEmbedder(), testSize: 0, forest: { engine: "ml-random-forest", nEstimators: 30 }, onProgress: (p) => events.push({ ...p }) });
    const fit = events.filter((e) => e.stage === "fit").map((e) => [e.done, e.total]);
    expect(fit).toEqual([[0, 30], [30, 30]]);
    expect(events.some((e) => e.stage === "evaluate")).toBe(false);
  });
});
