import { Random } from "../../util/random.js";
import { TREE_BUILDER_FUNCTIONS } from "./tree-builder.js";
import { addForestProba } from "./packed-forest.js";

/**
 * The programs of the tree-building threads, as source text for `new Worker(source, { eval: true })`.
 *
 * Why source text and not a worker file: this module is loaded as TypeScript by vitest/tsx, as compiled
 * ESM from dist/, and as CommonJS by tslab notebooks. Finding a sibling worker file needs `import.meta`
 * (not allowed in notebook-loaded code) or `__dirname` (absent in ESM), and a `.ts` worker file would not
 * run without a loader. The builder functions and `Random` are self-contained, so their `toString()`
 * is a complete program in every one of those settings.
 *
 * Tree worker protocol: the worker serves jobs sent on its MessagePort (workerData.port). A job carries
 * its id, the shared data, the per-tree seeds and two shared counters (and, in tests only, a fault). The worker records the job id in
 * its `state` cell (so the main thread knows it joined the job), takes the next tree index from `next`
 * (Atomics.add), grows it, posts it on the port and bumps `wake`, so the blocked main thread
 * (Atomics.wait) wakes and reads it synchronously. A job with `kind: "predict"` sums blocks of rows
 * instead (see predict-forest.ts).
 */
const TREE_WORKER_MAIN = `
const { workerData } = require("node:worker_threads");
const { port, state } = workerData;
// A prediction job (predict-forest.ts): sum blocks of rows taken from the shared counter, recording
// which block this worker holds, and bump \`wake\` after each one.
const predict = (job) => {
  const { id, worker, forest, data, cols, rows, block, nBlocks, out, next, count, done, owner, wake, fault } = job;
  Atomics.store(state, 0, id);
  try {
    for (let b = Atomics.add(next, 0, 1); b < nBlocks; b = Atomics.add(next, 0, 1)) {
      Atomics.store(owner, b, worker);
      if (fault) {
        // Test-only (SENTIVEC_TEST_TREE_WORKER_FAULT): die holding block b, as a crashing thread would.
        if (fault === "exit") process.exit(70);
        if (fault === "throw") throw new Error("injected test fault");
        if (fault === "oom") { const hog = []; for (;;) hog.push(new Array(1 << 16).fill(hog.length)); }
        return;
      }
      const from = b * block;
      addForestProba(forest, data, cols, from, Math.min(rows, from + block), block, out);
      Atomics.store(done, b, 1);
      Atomics.add(count, 0, 1);
      Atomics.add(wake, 0, 1);
      Atomics.notify(wake, 0);
    }
  } catch (error) {
    port.postMessage({ job: id, error: String((error && error.message) || error).split("\\n")[0] });
    Atomics.add(wake, 0, 1);
    Atomics.notify(wake, 0);
  }
};
port.on("message", (job) => {
  if (job.kind === "predict") return predict(job);
  const { id, data, params, seeds, next, wake, fault } = job;
  Atomics.store(state, 0, id);
  const send = (message, transfer) => {
    port.postMessage(message, transfer);
    Atomics.add(wake, 0, 1);
    Atomics.notify(wake, 0);
  };
  // Working arrays kept from tree to tree within the job (see TreeScratch).
  const scratch = {};
  try {
    for (;;) {
      const t = Atomics.add(next, 0, 1);
      if (t >= seeds.length) break;
      if (fault) {
        // Test-only (SENTIVEC_TEST_TREE_WORKER_FAULT): die holding tree t, as a crashing thread would.
        if (fault === "exit") process.exit(70);
        if (fault === "throw") setImmediate(() => { throw new Error("injected test fault"); });
        if (fault === "oom") { const hog = []; for (;;) hog.push(new Array(1 << 16).fill(hog.length)); }
        return;
      }
      const tree = growTree(data, params, new Random(seeds[t]), scratch);
      send({ job: id, index: t, tree }, [tree.feature.buffer, tree.thresholdBin.buffer, tree.nextBin.buffer, tree.right.buffer, tree.exactThreshold.buffer, tree.leafValues.buffer, tree.importances.buffer]);
    }
  } catch (error) {
    const text = String((error && error.message) || error).split("\\n")[0];
    send({ job: id, error: text }, []);
  }
});
`;

/**
 * The supervisor: the parent of every tree worker. The main thread blocks in Atomics.wait while trees
 * grow, so it never sees a worker's "error" or "exit" event; the supervisor's event loop is free, so it
 * does, and passes the death on (a message on its port to the main thread, then a bump of `wake`).
 * Messages in: { start: id, port, state, fault } (fault: tests only) to start a tree worker on that port. Messages out:
 * { id, reason } when a worker stops or cannot start.
 */
const SUPERVISOR_MAIN = `
const { Worker, workerData } = require("node:worker_threads");
const { port, wake, treeSource } = workerData;
const tell = (message) => {
  port.postMessage(message);
  Atomics.add(wake, 0, 1);
  Atomics.notify(wake, 0);
};
port.on("message", (m) => {
  if (m.start === undefined) return;
  let worker;
  try {
    if (m.fault === "nostart") {
      const e = new Error("Worker initialization failure: EAGAIN (injected test fault)");
      e.code = "ERR_WORKER_INIT_FAILED";
      throw e;
    }
    worker = new Worker(treeSource, {
      eval: true,
      workerData: { port: m.port, state: m.state },
      transferList: [m.port],
      resourceLimits: m.fault === "oom" ? { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } : undefined,
    });
  } catch (error) {
    tell({ id: m.start, reason: "could not start (" + String((error && error.message) || error).split("\\n")[0] + ")" });
    return;
  }
  let reason;
  worker.on("error", (error) => {
    reason = error && error.code === "ERR_WORKER_OUT_OF_MEMORY"
      ? "ran out of memory"
      : "failed: " + String((error && error.message) || error).split("\\n")[0];
  });
  worker.on("exit", (code) => tell({ id: m.start, reason: reason || "exited with code " + code }));
});
`;

let cachedTree: string | undefined;
let cachedSupervisor: string | undefined;

export function treeWorkerSource(): string {
  if (cachedTree === undefined) {
    cachedTree = [
      '"use strict";',
      // tsx/esbuild (keepNames) wraps nested functions in __name(fn, "name"); give the worker a no-op one.
      "var __name = function (target) { return target; };",
      // An expression, not a declaration: in the CLI bundle (scripts/bundle-cli.mjs) esbuild writes
      // classes as `var Random = class { ... }`, whose source text has no name.
      `var Random = ${Random.toString()};`,
      ...TREE_BUILDER_FUNCTIONS.map((fn) => fn.toString()),
      addForestProba.toString(),
      TREE_WORKER_MAIN,
    ].join("\n");
    // Compile (without running) here, so a broken source fails loudly instead of a silent dead worker.
    new Function(cachedTree);
  }
  return cachedTree;
}

export function supervisorSource(): string {
  if (cachedSupervisor === undefined) {
    cachedSupervisor = `"use strict";\n${SUPERVISOR_MAIN}`;
    new Function(cachedSupervisor);
  }
  return cachedSupervisor;
}
