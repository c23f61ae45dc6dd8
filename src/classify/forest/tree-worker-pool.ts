import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { supervisorSource, treeWorkerSource } from "./tree-worker-source.js";

/** One pooled tree worker: the main thread's end of its MessagePort and the cell where it records its job. */
export interface TreeWorker {
  readonly id: number;
  readonly port: MessagePort;
  /** state[0] is the id of the last job the worker started (0 before its first). */
  readonly state: Int32Array;
}

/** A tree worker that stopped (crashed, ran out of memory, exited) or could not start. */
export interface WorkerDeath {
  id: number;
  reason: string;
}

/**
 * Tree-building worker threads kept between fits, as joblib keeps its workers for scikit-learn: starting
 * a thread and warming its JIT costs tens of milliseconds, as much as growing several small trees.
 *
 * The workers are children of one supervisor thread, not of the main thread: a fit blocks the main
 * thread in Atomics.wait, where it would never see a worker's "exit" event, so a dead worker would
 * hang the fit. The supervisor sees the event and reports it (see tree-worker-source.ts).
 * The supervisor is unref'd and idle between jobs, so the pool never keeps the process alive.
 */
export class TreeWorkerPool {
  /** Bumped by workers (a tree is ready) and the supervisor (a worker died); the main thread waits on it. */
  readonly wake = new Int32Array(new SharedArrayBuffer(4));
  private readonly workers: TreeWorker[] = [];
  private supervisor: { worker: Worker; port: MessagePort } | undefined;
  private nextId = 1;
  private nextJob = 1;

  /**
   * Up to `count` workers, starting the missing ones. Fewer (possibly none) when threads cannot be
   * started (thread limit, EAGAIN): the caller grows the rest of the trees itself.
   */
  take(count: number): TreeWorker[] {
    for (const d of this.deaths()) this.discard(d.id);
    while (this.workers.length < count) {
      const w = this.start();
      if (w === undefined) break;
      this.workers.push(w);
    }
    return this.workers.slice(0, count);
  }

  /** A fresh job id (workers record it in their state cell when they start the job). */
  newJob(): number {
    return this.nextJob++;
  }

  /** Deaths the supervisor reported since the last call. */
  deaths(): WorkerDeath[] {
    const out: WorkerDeath[] = [];
    if (this.supervisor === undefined) return out;
    for (let m = receiveMessageOnPort(this.supervisor.port); m; m = receiveMessageOnPort(this.supervisor.port)) {
      out.push(m.message as WorkerDeath);
    }
    return out;
  }

  /** Stops a worker that failed or died; the next `take` starts a fresh one. */
  discard(id: number): void {
    const i = this.workers.findIndex((w) => w.id === id);
    if (i < 0) return;
    const [w] = this.workers.splice(i, 1);
    // Closing our end ends the worker: with its port closed it has nothing left to wait for.
    w.port.close();
  }

  /** Stops every worker (e.g. at the end of a notebook or test file). */
  async close(): Promise<void> {
    for (const w of this.workers.splice(0)) w.port.close();
    const s = this.supervisor;
    this.supervisor = undefined;
    if (s !== undefined) {
      s.port.close();
      await s.worker.terminate();
    }
  }

  private start(): TreeWorker | undefined {
    const supervisor = this.supervisor ?? this.startSupervisor();
    if (supervisor === undefined) return undefined;
    const { port1, port2 } = new MessageChannel();
    const w: TreeWorker = { id: this.nextId++, port: port1, state: new Int32Array(new SharedArrayBuffer(4)) };
    supervisor.port.postMessage({ start: w.id, port: port2, state: w.state, fault: testFault() }, [port2]);
    return w;
  }

  private startSupervisor(): { worker: Worker; port: MessagePort } | undefined {
    const { port1, port2 } = new MessageChannel();
    let worker: Worker;
    try {
      worker = new Worker(supervisorSource(), {
        eval: true,
        workerData: { port: port2, wake: this.wake, treeSource: treeWorkerSource() },
        transferList: [port2],
      });
    } catch {
      // No thread to spare (ERR_WORKER_INIT_FAILED: EAGAIN...): fits run on the calling thread only,
      // which grows the same trees.
      port1.close();
      port2.close();
      return undefined;
    }
    worker.unref();
    this.supervisor = { worker, port: port1 };
    return this.supervisor;
  }
}

/**
 * Test-only fault injection (test/classify/forest/worker-death.test.ts, test/reliability/forest.test.ts), from
 * SENTIVEC_TEST_TREE_WORKER_FAULT: "exit", "throw" or "oom" make each worker die holding the first tree it
 * takes in a fit; "nostart" makes new workers fail to start as if the thread limit were reached.
 */
export function testFault(): string | undefined {
  return process.env.SENTIVEC_TEST_TREE_WORKER_FAULT || undefined;
}

/** The pool every forest in this thread shares. */
export const treeWorkerPool = new TreeWorkerPool();
