import { afterEach, describe, expect, it, vi } from "vitest";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import { treeWorkerPool } from "../../../src/classify/forest/tree-worker-pool.js";
import { runTsx } from "../../support/run-child.js";
import { noisyData } from "./forest-fixtures.js";

// 128 features: prediction blocks of 512 rows, so 3,000 rows are 6 blocks and 3,000 × 100 trees is past
// the size where a batch is shared between threads.
const train = noisyData(600, 128, 21);
const test = noisyData(3000, 128, 22);
const bytes = new RandomForestClassifier({ nEstimators: 100, seed: 3 }).fit(train.X, train.y).serialize();
const flat = (p: Float64Array[]): Float64Array => {
  const out = new Float64Array(p.length * p[0].length);
  p.forEach((row, i) => out.set(row, i * row.length));
  return out;
};

describe("prediction on several threads", () => {
  afterEach(() => vi.restoreAllMocks());

  it("gives bit-identical probabilities for any nJobs, and does use the workers", () => {
    const take = vi.spyOn(treeWorkerPool, "take");
    const one = flat(RandomForestClassifier.deserialize(bytes).predictProba(test.X));
    expect(take).not.toHaveBeenCalled();
    for (const nJobs of [2, 3, 4]) {
      const p = flat(RandomForestClassifier.deserialize(bytes, { nJobs }).predictProba(test.X));
      expect(Buffer.from(p.buffer).equals(Buffer.from(one.buffer)), `nJobs ${nJobs}`).toBe(true);
    }
    expect(take.mock.calls.map((c) => c[0])).toEqual([1, 2, 3]);
  });

  it("a fitted model predicts with its own nJobs, the same as a single thread", () => {
    const fitted = new RandomForestClassifier({ nEstimators: 100, seed: 3, nJobs: 2 }).fit(train.X, train.y);
    const p = flat(fitted.predictProba(test.X));
    const one = flat(RandomForestClassifier.deserialize(bytes).predictProba(test.X));
    expect(Buffer.from(p.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    expect(Array.from(fitted.predict(test.X))).toEqual(Array.from(RandomForestClassifier.deserialize(bytes).predict(test.X)));
  });

  it("keeps small batches on the calling thread", () => {
    const take = vi.spyOn(treeWorkerPool, "take");
    const few = { rows: 20, cols: 128, data: test.X.data.subarray(0, 20 * 128) };
    RandomForestClassifier.deserialize(bytes, { nJobs: 2 }).predictProba(few);
    expect(take).not.toHaveBeenCalled();
  });

  it.each(["exit", "throw", "oom"])("a worker that dies (%s) holding a block: the block is summed again, same result, no hang", async (fault) => {
    const run = runTsx("test/classify/forest/predict-fault-child.ts", [fault]);
    const timer = setTimeout(() => run.child.kill("SIGKILL"), 60_000);
    const code = await run.exited;
    clearTimeout(timer);
    expect(code, run.stderr()).toBe(0);
    expect(run.events).toEqual([
      { step: "faulty", same: true, workersLeft: 0 },
      { step: "after", same: true },
    ]);
  }, 90_000);
});
