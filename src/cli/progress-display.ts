import type { SingleBar } from "cli-progress";
import type { TrainProgress } from "../model/sentiment-model.js";
import { requireModule } from "../util/module-require.js";

/** One step of a long run: a training stage, with an optional prefix such as "Fold 2/5". */
export interface StageProgress extends TrainProgress {
  /** Shown before the stage's name, e.g. "Fold 2/5" during cross-validation. */
  step?: string;
}

export interface ProgressDisplay {
  onProgress: (p: StageProgress) => void;
  stop: () => void;
}

export interface ProgressDisplayOptions {
  /** Where to draw. Default process.stderr (stdout stays clean for results). */
  stream?: NodeJS.WriteStream;
  /** Draw bars. Default: whether `stream` is a terminal. Logs get one line per stage instead. */
  tty?: boolean;
  /** Milliseconds since the epoch; for tests. */
  now?: () => number;
}

const STAGE_NAMES: Record<TrainProgress["stage"], string> = { embed: "Embedding", fit: "Training the forest", evaluate: "Evaluating on the test split" };
const UNITS: Record<TrainProgress["stage"], string> = { embed: "texts", fit: "trees", evaluate: "steps" };

/**
 * Progress of train, cv and quickstart. On a terminal: a bar per stage with done/total, elapsed time
 * and ETA (for the forest: trees done of total, redrawn as each tree lands, since fit blocks the event loop
 * and no timer could redraw it). Elsewhere (logs, pipes, CI): one line as each stage starts, never a bar
 * or a per-tree line. Silent when `quiet`.
 */
export function progressDisplay(quiet: boolean, options: ProgressDisplayOptions = {}): ProgressDisplay {
  if (quiet) return { onProgress: () => {}, stop: () => {} };
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? Date.now;
  let bar: SingleBar | undefined;
  let current: string | undefined;
  let started = 0;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const onProgress = (p: StageProgress) => {
    const key = `${p.step ?? ""}\u0000${p.stage}`;
    // Only a forest reports tree by tree (total > 1); a logistic regression or the ml-random-forest engine
    // reports one step, and is not necessarily a forest.
    const stageName = p.stage === "fit" && p.total <= 1 ? "Training the classifier" : STAGE_NAMES[p.stage];
    const title = `${p.step ? `${p.step}: ` : ""}${stageName}`;
    if (key !== current) {
      stop();
      current = key;
      started = now();
      // The evaluation is quick and one step: a line is enough, on a terminal too.
      if (!tty || p.stage === "evaluate") {
        stream.write(`${title}${p.stage === "embed" ? ` (${p.total} unique texts)` : p.stage === "fit" && p.total > 1 ? ` (${p.total} trees)` : ""}...\n`);
        return;
      }
    }
    if (!tty || p.stage === "evaluate" || p.total <= 0) return;
    if (bar === undefined) {
      if (p.done >= p.total) return; // finished before it was ever drawn (all cached): nothing to show
      bar = new (cliProgress().SingleBar)({
        format: `${title} [{bar}] {value}/{total} ${UNITS[p.stage]} | {elapsed} elapsed | ETA {remaining}`,
        stream,
        hideCursor: true,
        barsize: 24,
      });
      bar.start(p.total, p.done, times(started, now(), p.done, p.total));
    }
    bar.setTotal(p.total);
    bar.update(p.done, times(started, now(), p.done, p.total));
    if (p.done >= p.total) stop();
  };
  return { onProgress, stop };
}

/** Elapsed time, and the remaining time at the pace so far (trees cost about the same each). */
function times(started: number, now: number, done: number, total: number): { elapsed: string; remaining: string } {
  const elapsed = (now - started) / 1000;
  const remaining = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
  return { elapsed: formatSeconds(elapsed), remaining: Number.isFinite(remaining) ? formatSeconds(remaining) : "--" };
}

/** 7s, 1m05s, 2h03m. */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, "0")}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, "0")}m`;
}

/** cli-progress, loaded when a bar is first drawn rather than when the CLI starts (predict never draws one). */
export function cliProgress(): typeof import("cli-progress") {
  return requireModule<typeof import("cli-progress")>("cli-progress");
}
