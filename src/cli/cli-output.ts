import { escapeControl } from "../util/escape-control.js";
import { type ProgressDisplay, progressDisplay } from "./progress-display.js";

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

/** Training progress on stderr: bars on a terminal, a line per stage otherwise (see progressDisplay). */
export function trainProgress(quiet: boolean): ProgressDisplay {
  return progressDisplay(quiet);
}
