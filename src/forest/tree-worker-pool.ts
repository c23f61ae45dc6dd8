import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { treeWorkerSource } from "./tree-worker-source.js";

/** One pooled worker and the main thread's end of its MessagePort. */
export interface TreeWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
}

/**
 * Tree-building worker threads kept between fits, as joblib keeps its workers for scikit-learn: starting
 * a thread and warming its JIT costs tens of milliseconds, as much as growing several small trees.
 * Workers are unref'd and idle between jobs, so they never keep the process alive.
 */
export class TreeWorkerPool {
  private readonly workers: TreeWorker[] = [];

  /** At least `count` workers (started on first need). */
  take(count: number): TreeWorker[] {
    while (this.workers.length < count) this.workers.push(startWorker());
    return this.workers.slice(0, count);
  }

  /** Stops a worker that failed; the next `take` starts a fresh one. */
  discard(entry: TreeWorker): void {
    const i = this.workers.indexOf(entry);
    if (i >= 0) this.workers.splice(i, 1);
    entry.port.close();
    void entry.worker.terminate();
  }

  /** Stops every worker (e.g. at the end of a notebook or test file). */
  async close(): Promise<void> {
    const all = this.workers.splice(0);
    for (const w of all) w.port.close();
    await Promise.all(all.map((w) => w.worker.terminate()));
  }
}

function startWorker(): TreeWorker {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(treeWorkerSource(), { eval: true, workerData: { port: port2 }, transferList: [port2] });
  worker.unref();
  return { worker, port: port1 };
}

/** The pool every forest in this thread shares. */
export const treeWorkerPool = new TreeWorkerPool();
