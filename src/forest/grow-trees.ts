import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { ModelError } from "../errors.js";
import { Random } from "../util/random.js";
import { type GrownTree, growTree, type TreeBuildData, type TreeBuildParams } from "./tree-builder.js";
import { treeWorkerSource } from "./tree-worker-source.js";

/**
 * Grows one tree per seed, on the calling thread plus `nJobs - 1` worker threads.
 *
 * `Classifier.fit` is synchronous, so the main thread does not await workers: it grows trees itself
 * from the same shared work counter, then blocks on `Atomics.wait` and collects results with
 * `receiveMessageOnPort`. Each tree depends only on its own seed, and results are stored by tree index,
 * so the forest is identical whatever nJobs is and whichever thread grew which tree.
 *
 * With nJobs > 1, `data.codes` should live in a SharedArrayBuffer so workers read it without copies.
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
  const source = treeWorkerSource();
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  let finished = 0;
  let failure: string | undefined;

  const drain = (): void => {
    for (const port of ports) {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const msg = m.message as { index?: number; tree?: GrownTree; done?: boolean; error?: string };
        if (msg.tree !== undefined && msg.index !== undefined) trees[msg.index] = msg.tree;
        else if (msg.done) finished++;
        else if (msg.error !== undefined) {
          failure ??= msg.error;
          finished++;
        }
      }
    }
  };

  try {
    for (let w = 0; w < nWorkers; w++) {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      const worker = new Worker(source, {
        eval: true,
        workerData: { port: port2, data, params, seeds, next, signal },
        transferList: [port2],
      });
      worker.unref();
      workers.push(worker);
    }
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
  } finally {
    for (const port of ports) port.close();
    for (const worker of workers) void worker.terminate();
  }
  if (failure !== undefined) {
    throw new ModelError("FOREST_WORKER", `A tree-building worker failed: ${failure}`, {
      hint: "Try again with nJobs: 1; if that works, report this as a bug.",
    });
  }
  return trees;
}
