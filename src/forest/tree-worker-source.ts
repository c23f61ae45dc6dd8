import { Random } from "../util/random.js";
import { TREE_BUILDER_FUNCTIONS } from "./tree-builder.js";

/**
 * The program a tree-building worker runs, as source text for `new Worker(source, { eval: true })`.
 *
 * Why source text and not a worker file: this module is loaded as TypeScript by vitest/tsx, as compiled
 * ESM from dist/, and as CommonJS by tslab notebooks. Finding a sibling worker file needs `import.meta`
 * (not allowed in notebook-loaded code) or `__dirname` (absent in ESM), and a `.ts` worker file would not
 * run without a loader. The builder functions and `Random` are self-contained, so their `toString()`
 * is a complete program in every one of those settings.
 *
 * Protocol: the worker lives in a pool and serves jobs sent on its MessagePort (workerData.port). A job
 * carries the shared data, the per-tree seeds and two shared counters. The worker takes the next tree
 * index from `next` (Atomics.add), grows it, posts it on the port and bumps `signal`, so the blocked main
 * thread (Atomics.wait) wakes and reads it synchronously; it ends each job with a "done" message.
 */
const WORKER_MAIN = `
const { workerData } = require("node:worker_threads");
const port = workerData.port;
port.on("message", (job) => {
  const { data, params, seeds, next, signal } = job;
  const send = (message, transfer) => {
    port.postMessage(message, transfer);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  try {
    for (;;) {
      const t = Atomics.add(next, 0, 1);
      if (t >= seeds.length) break;
      const tree = growTree(data, params, new Random(seeds[t]));
      send({ index: t, tree }, [tree.feature.buffer, tree.thresholdBin.buffer, tree.right.buffer, tree.leafValues.buffer, tree.importances.buffer]);
    }
    send({ done: true }, []);
  } catch (error) {
    send({ error: String((error && error.stack) || error) }, []);
  }
});
`;

let cached: string | undefined;

export function treeWorkerSource(): string {
  if (cached === undefined) {
    cached = [
      '"use strict";',
      // tsx/esbuild (keepNames) wraps nested functions in __name(fn, "name"); give the worker a no-op one.
      "var __name = function (target) { return target; };",
      Random.toString(),
      ...TREE_BUILDER_FUNCTIONS.map((fn) => fn.toString()),
      WORKER_MAIN,
    ].join("\n");
    // Compile (without running) here, so a broken source fails loudly instead of a silent dead worker.
    new Function(cached);
  }
  return cached;
}
