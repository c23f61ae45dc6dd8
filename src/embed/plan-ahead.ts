import type { EmbedderLimits } from "./embedder.js";
import type { Miss } from "./prepare-misses.js";
import { GreedyRequestPacker, type PlannedRequest } from "./request-planner.js";

/**
 * The requests planned so far, shared by the planner (which appends) and the pool (which takes them
 * in order). Workers that catch up with the planner wait here; any change of state wakes them all.
 */
export class PlannedQueue {
  readonly requests: PlannedRequest<Miss>[] = [];
  /** True once the planner has added its last request (or stopped). */
  done = false;
  private next = 0;
  private waiting: (() => void)[] = [];

  push(r: PlannedRequest<Miss>): void {
    this.requests.push(r);
    this.wake();
  }

  finish(): void {
    this.done = true;
    this.wake();
  }

  /** The next request to send and its 0-based number, or undefined when none is ready yet. */
  take(): { request: PlannedRequest<Miss>; number: number } | undefined {
    if (this.next >= this.requests.length) return undefined;
    const number = this.next++;
    return { request: this.requests[number], number };
  }

  /** Resolves at the next push, finish or wake. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  wake(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }
}

/**
 * Stage 3 of a fetch: greedy packing (request-planner.ts), one text at a time, handing each request
 * to the pool the moment it is closed. Token counting is synchronous CPU work, so the planner yields
 * every few ms: it counts ahead of the pool while the first requests are out, never in their way.
 * With `countExactly()` true (a rate limiter pacing tokens wants true sizes, not byte bounds that can
 * be 4x too high) every text is counted here, ahead of sending, rather than by the pool.
 */
export async function planAhead(
  misses: readonly Miss[],
  limits: EmbedderLimits,
  queue: PlannedQueue,
  options: { refine?: (m: Miss) => number; countExactly: () => boolean; stopped: () => boolean },
): Promise<void> {
  const { refine } = options;
  try {
    const packer = new GreedyRequestPacker<Miss>(limits, refine);
    let lastYield = performance.now();
    for (const m of misses) {
      if (options.stopped()) return;
      if (refine && !m.exact && options.countExactly()) {
        m.tokens = refine(m);
        m.exact = true;
      }
      const closed = packer.add(m);
      if (closed) queue.push(closed);
      if (performance.now() - lastYield > 8) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    const last = packer.finish();
    if (last) queue.push(last);
  } finally {
    queue.finish();
  }
}
