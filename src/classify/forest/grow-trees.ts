import { receiveMessageOnPort } from "node:worker_threads";
import { ModelError } from "../../errors.js";
import { Random } from "../../util/random.js";
import { type GrownTree, growTree, type TreeBuildData, type TreeBuildParams, type TreeScratch } from "./tree-builder.js";
import { testFault, type TreeWorker, treeWorkerPool } from "./tree-worker-pool.js";

/** What a tree worker posts: a grown tree, or the one-line message of an error it caught. */
interface WorkerMessage {
  job: number;
  index?: number;
  tree?: GrownTree;
  error?: string;
}

/**
 * Grows one tree per seed, on the calling thread plus `nJobs - 1` pooled worker threads.
 *
 * `Classifier.fit` is synchronous, so the main thread does not await workers: it grows trees itself
 * from the same shared work counter, then blocks on `Atomics.wait` and collects results with
 * `receiveMessageOnPort`. Each tree depends only on its own seed, and results are stored by tree index,
 * so the forest is identical whatever nJobs is and whichever thread grew which tree — and also when
 * fewer threads than asked for could be started.
 *
 * A worker that dies during the job (crash, out of memory, exit) takes its tree with it: the fit fails
 * with a ModelError instead of waiting forever, and the pool replaces the worker at the next fit.
 *
 * With nJobs > 1, `data.codes` should live in a SharedArrayBuffer so workers read it without a copy.
 *
 * `onProgress(done, total)` is called on the calling thread each time more trees are in (a tree grown
 * here, or workers' trees collected), so a caller can show trees done of total while fit blocks.
 */
export function growTrees(data: TreeBuildData, params: TreeBuildParams, seeds: Uint32Array, nJobs: number, onProgress?: (done: number, total: number) => void): GrownTree[] {
  const nTrees = seeds.length;
  const trees: GrownTree[] = new Array(nTrees);
  const nWorkers = Math.max(0, Math.min(nJobs - 1, nTrees - 1));
  const pool = treeWorkerPool;
  const workers = nWorkers === 0 ? [] : pool.take(nWorkers);
  onProgress?.(0, nTrees);
  // This thread's working arrays, kept from tree to tree (each worker keeps its own).
  const scratch: TreeScratch = {};
  if (workers.length === 0) {
    for (let t = 0; t < nTrees; t++) {
      trees[t] = growTree(data, params, new Random(seeds[t]), scratch);
      onProgress?.(t + 1, nTrees);
    }
    return trees;
  }

  const job = pool.newJob();
  const next = new Int32Array(new SharedArrayBuffer(4));
  const wake = pool.wake;
  const inJob = new Map<number, TreeWorker>(workers.map((w) => [w.id, w]));
  const failed: number[] = [];
  let received = 0;
  let reported = 0;
  let failure: string | undefined;
  const report = (): void => {
    if (onProgress === undefined || received === reported || failure !== undefined) return;
    reported = received;
    onProgress(received, nTrees);
  };

  const drain = (): void => {
    for (const w of inJob.values()) {
      for (let m = receiveMessageOnPort(w.port); m; m = receiveMessageOnPort(w.port)) {
        const msg = m.message as WorkerMessage;
        if (msg.job !== job) continue; // left over from a fit that failed
        if (msg.tree !== undefined && msg.index !== undefined) {
          trees[msg.index] = msg.tree;
          received++;
        } else if (msg.error !== undefined) {
          failure ??= `a tree-building thread failed: ${msg.error}`;
          failed.push(w.id);
        }
      }
    }
    for (const d of pool.deaths()) {
      const w = inJob.get(d.id);
      failed.push(d.id);
      // A worker that never started this job held no tree: the others (and this thread) grow its share.
      if (w !== undefined && Atomics.load(w.state, 0) === job) failure ??= `a tree-building thread ${d.reason} during the fit`;
      inJob.delete(d.id);
    }
  };

  const fault = testFault();
  for (const w of workers) w.port.postMessage({ id: job, data, params, seeds, next, wake, fault });
  // The calling thread grows trees too (except under an injected test fault, so that a worker surely
  // takes one), and grows all the rest itself if every worker is gone.
  const helps = fault === undefined;
  for (;;) {
    if (helps || inJob.size === 0) {
      const t = Atomics.add(next, 0, 1);
      if (t < nTrees) {
        trees[t] = growTree(data, params, new Random(seeds[t]), scratch);
        received++;
        drain();
        if (failure !== undefined) break;
        report();
        continue;
      }
    }
    const seen = Atomics.load(wake, 0);
    drain();
    report();
    if (received >= nTrees || failure !== undefined) break;
    if (inJob.size === 0) continue;
    // Returns at once if a worker or the supervisor posted since `seen` was read: no lost wake-ups.
    Atomics.wait(wake, 0, seen);
  }
  for (const id of failed) pool.discard(id);
  if (failure !== undefined) {
    // Live workers stop after their current tree; their late results carry this job's id and are dropped.
    Atomics.store(next, 0, nTrees);
    throw new ModelError("FOREST_WORKER", `Training stopped: ${failure}.`, {
      hint: "Train again; if it happens again, use --jobs 1 (nJobs: 1) to grow every tree on the calling thread, and report it as a bug.",
    });
  }
  return trees;
}
