import { receiveMessageOnPort } from "node:worker_threads";
import { ModelError } from "../errors.js";
import { Random } from "../util/random.js";
import { type GrownTree, growTree, type TreeBuildData, type TreeBuildParams } from "./tree-builder.js";
import { type TreeWorker, treeWorkerPool } from "./tree-worker-pool.js";

/**
 * Grows one tree per seed, on the calling thread plus `nJobs - 1` pooled worker threads.
 *
 * `Classifier.fit` is synchronous, so the main thread does not await workers: it grows trees itself
 * from the same shared work counter, then blocks on `Atomics.wait` and collects results with
 * `receiveMessageOnPort`. Each tree depends only on its own seed, and results are stored by tree index,
 * so the forest is identical whatever nJobs is and whichever thread grew which tree.
 *
 * With nJobs > 1, `data.codes` and `data.rowCodes` should live in SharedArrayBuffers so workers read
 * them without copies.
 */
export function growTrees(data: TreeBuildData, params: TreeBuildParams, seeds: Uint32Array, nJobs: number): GrownTree[] {
  const nTrees = seeds.length;
  const trees: GrownTree[] = new Array(nTrees);
  const nWorkers = Math.max(0, Math.min(nJobs - 1, nTrees - 1));
  if (nWorkers === 0) {
    for (let t = 0; t < nTrees; t++) trees[t] = growTree(data, params, new Random(seeds[t]));
    return trees;
  }

  const next = new Int32Array(new SharedArrayBuffer(4));
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const workers = treeWorkerPool.take(nWorkers);
  const failed = new Set<TreeWorker>();
  let finished = 0;
  let failure: string | undefined;

  const drain = (): void => {
    for (const w of workers) {
      for (let m = receiveMessageOnPort(w.port); m; m = receiveMessageOnPort(w.port)) {
        const msg = m.message as { index?: number; tree?: GrownTree; done?: boolean; error?: string };
        if (msg.tree !== undefined && msg.index !== undefined) trees[msg.index] = msg.tree;
        else if (msg.done) finished++;
        else if (msg.error !== undefined) {
          failure ??= msg.error;
          failed.add(w);
          finished++;
        }
      }
    }
  };

  for (const w of workers) w.port.postMessage({ data, params, seeds, next, signal });
  // The main thread is a worker too.
  for (let t = Atomics.add(next, 0, 1); t < nTrees; t = Atomics.add(next, 0, 1)) {
    trees[t] = growTree(data, params, new Random(seeds[t]));
    drain();
  }
  for (;;) {
    const seen = Atomics.load(signal, 0);
    drain();
    if (finished >= nWorkers) break;
    // Returns at once if a worker posted since `seen` was read: no lost wake-ups.
    Atomics.wait(signal, 0, seen);
  }
  for (const w of failed) treeWorkerPool.discard(w);
  if (failure !== undefined) {
    throw new ModelError("FOREST_WORKER", `A tree-building worker failed: ${failure}`, {
      hint: "Try again with nJobs: 1; if that works, report this as a bug.",
    });
  }
  return trees;
}
