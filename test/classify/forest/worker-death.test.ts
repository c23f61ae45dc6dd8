import { describe, expect, it } from "vitest";
import { runTsx } from "../../support/run-child.js";

/** Runs worker-fault-child.ts; kills it if it has not finished in 60 s (a fit that hangs never would). */
async function runFault(fault: string) {
  const run = runTsx("test/classify/forest/worker-fault-child.ts", [fault]);
  const timer = setTimeout(() => run.child.kill("SIGKILL"), 60_000);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, events: run.events, stderr: run.stderr() };
}

describe("a tree worker that dies mid-fit (issue 10, item 3)", () => {
  it.each([
    ["exit", /a tree-building thread exited with code 70 during the fit/],
    ["throw", /a tree-building thread failed: injected test fault during the fit/],
    ["oom", /a tree-building thread ran out of memory during the fit/],
  ])("%s: fit() fails with a one-line ModelError, and the pool trains identical models afterwards", async (fault, reason) => {
    const r = await runFault(fault);
    expect(r.code, r.stderr).toBe(0);
    const [faulty, ...after] = r.events;
    expect(faulty).toMatchObject({ step: "faulty", ok: false, type: "ModelError", code: "FOREST_WORKER" });
    expect(faulty.message).toMatch(reason);
    expect(faulty.message).toMatch(/^Training stopped: .* use --jobs 1 \(nJobs: 1\)/);
    expect(faulty.message).not.toMatch(/\n/);
    expect(after).toEqual([3, 2, 4].map((nJobs) => ({ step: "after", nJobs, same: true })));
  }, 90_000);

  it("workers that cannot start (EAGAIN): the fit runs on fewer threads and the model is the same", async () => {
    const r = await runFault("nostart");
    expect(r.code, r.stderr).toBe(0);
    expect(r.events[0]).toEqual({ step: "faulty", ok: true, same: true });
    expect(r.events.slice(1)).toEqual([3, 2, 4].map((nJobs) => ({ step: "after", nJobs, same: true })));
  }, 90_000);
});
