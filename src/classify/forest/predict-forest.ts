import { receiveMessageOnPort } from "node:worker_threads";
import type { Matrix } from "../../util/matrix.js";
import { addForestProba, type PackedForest } from "./packed-forest.js";
import { testFault, treeWorkerPool } from "./tree-worker-pool.js";

/** Feature values per prediction block: 64K floats = 256 KB, about an L2 cache. */
const BLOCK_VALUES = 1 << 16;

/**
 * Below this many (row, tree) walks (about 30 ms on one thread) a batch is predicted on the calling thread
 * alone. A worker's share is only done when the worker gets the CPU: on the shared benchmark machine
 * (load 12), 1,000 rows × 100 trees handed to a worker took 3× the wall time of one thread.
 */
const PARALLEL_MIN_WALKS = 250_000;

/**
 * Sums of the trees' leaf class distributions for every row of `m` (row i at i × nClasses), on the
 * calling thread plus up to `nJobs - 1` pooled worker threads (the forest's tree workers).
 *
 * Rows are cut into cache-sized blocks, handed out from a shared counter; each block is summed by one
 * thread, over the trees in order, so the result is the same bits for any nJobs (see addForestProba).
 * `predict` is synchronous, so the calling thread works through blocks itself, then waits on the pool's
 * wake counter for the blocks the workers hold. A block held by a worker that died or failed is summed
 * again here: prediction never fails or hangs because a thread went away.
 */
export function predictForest(forest: PackedForest, m: Matrix, nJobs: number): Float64Array {
  const K = forest.nClasses;
  const { rows, cols } = m;
  const out = new Float64Array(rows * K);
  const block = Math.max(16, Math.floor(BLOCK_VALUES / Math.max(1, cols)));
  const nBlocks = Math.ceil(rows / block);
  const nWorkers = Math.min(nJobs - 1, nBlocks - 1);
  const workers = nWorkers > 0 && rows * forest.nodeStart.length >= PARALLEL_MIN_WALKS ? treeWorkerPool.take(nWorkers) : [];
  if (workers.length === 0) {
    addForestProba(forest, m.data, cols, 0, rows, block, out);
    return out;
  }

  // Workers read the rows and write the sums through shared memory: the rows are copied in once
  // (unless they are shared already), a fraction of the time the trees take over them.
  let data = m.data.subarray(0, rows * cols);
  if (!(data.buffer instanceof SharedArrayBuffer)) {
    const copy = new Float32Array(new SharedArrayBuffer(4 * rows * cols));
    copy.set(data);
    data = copy;
  }
  const sums = new Float64Array(new SharedArrayBuffer(8 * rows * K));
  const counters = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(4 * n));
  const next = counters(1);
  const count = counters(1);
  const done = counters(nBlocks);
  // Who took each block: 0 this thread, a worker's id, -1 taken but not yet recorded.
  const owner = counters(nBlocks).fill(-1);
  const pool = treeWorkerPool;
  const job = pool.newJob();
  const fault = testFault();
  for (const w of workers) {
    w.port.postMessage({ kind: "predict", id: job, worker: w.id, forest, data, cols, rows, block, nBlocks, out: sums, next, count, done, owner, wake: pool.wake, fault });
  }
  const run = (b: number): void => {
    const from = b * block;
    addForestProba(forest, data, cols, from, Math.min(rows, from + block), block, sums);
    Atomics.store(done, b, 1);
    Atomics.add(count, 0, 1);
  };
  // Under an injected test fault this thread leaves the blocks to the workers, so that one surely dies
  // holding a block; it then sums what they dropped.
  if (fault === undefined) {
    for (let b = Atomics.add(next, 0, 1); b < nBlocks; b = Atomics.add(next, 0, 1)) {
      Atomics.store(owner, b, 0);
      run(b);
    }
  }

  const live = new Set(workers.map((w) => w.id));
  const failed: number[] = [];
  while (Atomics.load(count, 0) < nBlocks) {
    const seen = Atomics.load(pool.wake, 0);
    for (const d of pool.deaths()) {
      live.delete(d.id);
      failed.push(d.id);
    }
    for (const w of workers) {
      if (!live.has(w.id)) continue;
      for (let msg = receiveMessageOnPort(w.port); msg; msg = receiveMessageOnPort(w.port)) {
        const body = msg.message as { job?: number; error?: string };
        if (body.job === job && body.error !== undefined) {
          live.delete(w.id);
          failed.push(w.id);
        }
      }
    }
    // Blocks whose thread is gone (or, with no worker left, any block not done) are summed here.
    for (let b = 0; b < nBlocks; b++) {
      if (Atomics.load(done, b) !== 0) continue;
      const o = Atomics.load(owner, b);
      if ((o > 0 && !live.has(o)) || (live.size === 0 && o !== 0)) run(b);
    }
    if (Atomics.load(count, 0) >= nBlocks) break;
    // Workers bump `wake` after every block, on an error, and the supervisor on a death: no lost wake-up.
    Atomics.wait(pool.wake, 0, seen);
  }
  for (const id of failed) pool.discard(id);
  out.set(sums);
  return out;
}
