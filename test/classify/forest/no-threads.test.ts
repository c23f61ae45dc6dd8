import { describe, expect, it, vi } from "vitest";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import { noisyData } from "./forest-fixtures.js";

// No thread can be started in this file (as when the process is at its thread limit): `new Worker`
// throws ERR_WORKER_INIT_FAILED, as Node does for EAGAIN. It used to escape fit() as a stack trace.
vi.mock("node:worker_threads", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:worker_threads")>();
  class NoThreadWorker {
    constructor() {
      throw Object.assign(new Error("Worker initialization failure: EAGAIN"), { code: "ERR_WORKER_INIT_FAILED" });
    }
  }
  return { ...real, Worker: NoThreadWorker };
});

describe("when no thread can be started (issue 10, item 3)", () => {
  it("fit() runs on the calling thread and gives the same model as nJobs 1", () => {
    const { X, y } = noisyData(300, 10, 5);
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    const one = new RandomForestClassifier({ nEstimators: 6, seed: 2, nJobs: 1 }).fit(X, y);
    const four = new RandomForestClassifier({ nEstimators: 6, seed: 2, nJobs: 4 }).fit(X, y);
    expect(hex(four.serialize())).toBe(hex(one.serialize()));
    // And again: the pool keeps no broken state.
    expect(hex(new RandomForestClassifier({ nEstimators: 6, seed: 2, nJobs: 2 }).fit(X, y).serialize())).toBe(hex(one.serialize()));
  });
});
