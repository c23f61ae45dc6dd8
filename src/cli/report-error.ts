import { CommanderError, InvalidArgumentError } from "commander";
import { SentivecError } from "../errors.js";
import { escapeControl } from "../util/escape-control.js";
import { fileSystemError, isErrnoError } from "../util/fs-error.js";

/** Where users report bugs; printed with every "unexpected error". */
export const BUG_REPORT = "This is a bug in sentivec: please report it on the sentivec issue tracker with the command you ran and this output.";

/**
 * The CLI's error policy, in one place. Returns the exit code after printing (at most) one line:
 * - commander's own errors (bad option, --help) were printed by commander already;
 * - SentivecError (anything the user's input, options or files can cause): "sentivec: <message>";
 * - a system error that escaped without context (disk full, permission denied, ...): still one line,
 *   naming the path and what to do, because the user's machine caused it, not a bug;
 * - anything else is a bug: "unexpected error", the stack, and where to report it.
 */
export function reportError(error: unknown, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  // Commander prints the errors it meets while parsing, then throws a plain CommanderError. An
  // InvalidArgumentError reaching here was thrown by a parser called from a command's action, which
  // commander never saw: print it, or the command fails without a word.
  if (error instanceof InvalidArgumentError) {
    write(`sentivec: ${escapeControl(error.message)}\n`);
    return error.exitCode;
  }
  if (error instanceof CommanderError) return error.exitCode;
  if (isErrnoError(error) && !(error instanceof SentivecError)) {
    const e = error as NodeJS.ErrnoException;
    const converted = fileSystemError(e, { action: e.syscall ? `${e.syscall} ${e.path ?? ""}`.trim() : "finish", path: e.path ?? "sentivec" });
    if (converted instanceof SentivecError) error = converted;
  }
  if (error instanceof SentivecError) {
    // Messages quote user data (labels, file names, texts): escape it so the line stays one inert line.
    write(`sentivec: ${escapeControl(error.message)}\n`);
    return 1;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`sentivec: unexpected error: ${BUG_REPORT}\n${detail}\n`);
  return 1;
}

/** A closed stdout (`sentivec ... --json | head`): Unix tools end quietly then. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
}
