import { SingleBar } from "cli-progress";
import type { TrainProgress } from "../model/sentiment-model.js";
import { escapeControl } from "../util/escape-control.js";

/** Prints a value as pretty JSON on stdout: the whole output of a command run with --json. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, jsonReplacer, 2) + "\n");
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array) return Array.from(value);
  return value;
}

/** Status lines go to stderr so stdout stays clean for results (and for pipes). */
export function status(message: string, quiet: boolean): void {
  // Status lines quote file names and skipped rows' reasons: keep control characters inert.
  if (!quiet) process.stderr.write(message.split("\n").map(escapeControl).join("\n") + "\n");
}

/**
 * A progress reporter for training: a bar for embedding when stderr is a terminal, plain lines for
 * stage changes otherwise. Silent with --json or --quiet.
 */
export function trainProgress(quiet: boolean): { onProgress: (p: TrainProgress) => void; stop: () => void } {
  if (quiet) return { onProgress: () => {}, stop: () => {} };
  const tty = process.stderr.isTTY === true;
  let bar: SingleBar | undefined;
  let stage: TrainProgress["stage"] | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const onProgress = (p: TrainProgress) => {
    if (p.stage !== stage) {
      stop();
      stage = p.stage;
      if (p.stage === "embed" && tty && p.total > 0) {
        bar = new SingleBar({ format: "Embedding  [{bar}] {percentage}% | {value}/{total} texts | ETA {eta}s", stream: process.stderr, hideCursor: true });
        bar.start(p.total, 0);
      } else if (p.stage === "embed") {
        process.stderr.write(`Embedding ${p.total} unique texts...\n`);
      } else if (p.stage === "fit") {
        process.stderr.write("Training the forest...\n");
      } else {
        process.stderr.write("Evaluating on the test split...\n");
      }
    }
    bar?.update(p.done);
    if (bar && p.done >= p.total) stop();
  };
  return { onProgress, stop };
}
