import { FileSystemError, SentivecError } from "../errors.js";
import { TEMP_MARK } from "./atomic-file.js";

/** What the system said, in words, for the errors a user's disk or paths can cause. */
const REASONS: Record<string, { what: string; todo: string }> = {
  ENOSPC: { what: "no space left on the device", todo: "Free some space or write somewhere else" },
  EDQUOT: { what: "the disk quota is used up", todo: "Free some space or write somewhere else" },
  EFBIG: { what: "the file is too large for this file system", todo: "Write somewhere else" },
  EROFS: { what: "the file system is read-only", todo: "Write to a writable location" },
  EACCES: { what: "permission denied", todo: "Check the permissions, or write somewhere else" },
  EPERM: { what: "operation not permitted", todo: "Check the permissions, or write somewhere else" },
  ENOTDIR: { what: "part of the path is a file, not a folder", todo: "Fix the path" },
  EISDIR: { what: "the path is a folder, not a file", todo: "Give a file path" },
  EEXIST: { what: "a file is in the way", todo: "Remove it or choose another path" },
  ENOENT: { what: "no such file or folder", todo: "Check the path" },
  ENAMETOOLONG: { what: "the path is too long", todo: "Use a shorter path" },
  ELOOP: { what: "the path has a symbolic link loop", todo: "Fix the path" },
  EIO: { what: "an input/output error (a failing disk or a lost network mount)", todo: "Check the disk or mount" },
  EMFILE: { what: "too many open files", todo: "Raise the open-file limit (ulimit -n) or close other programs" },
  ENFILE: { what: "too many open files on the system", todo: "Close other programs and try again" },
  EBUSY: { what: "the file or device is busy", todo: "Try again when it is free" },
  ETXTBSY: { what: "the file is busy", todo: "Try again when it is free" },
  EAGAIN: { what: "the resource is temporarily unavailable", todo: "Try again" },
};

/** A Node system error (fs, net, child_process): has a string `code` such as "ENOSPC". */
export function isErrnoError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string" && /^E[A-Z0-9]+$/.test((error as NodeJS.ErrnoException).code!);
}

/**
 * Turns a file-system failure into one FileSystemError line: "<path>: Could not <action>: <what the
 * system said> (CODE). <what to do>; <what is unchanged>". SentivecErrors pass through untouched;
 * anything that is not an errno error is returned as is (it is a bug, not the disk).
 */
export function fileSystemError(cause: unknown, context: { action: string; path: string; unchanged?: string; hint?: string }): unknown {
  if (cause instanceof SentivecError || !isErrnoError(cause)) return cause;
  const reason = REASONS[cause.code];
  const what = reason ? `${reason.what} (${cause.code})` : `${cause.code}${cause.message ? `, ${stripCode(cause.message, cause.code)}` : ""}`;
  // Name the file the user knows (forest.2.bin), not the temp file it was being written as.
  const shown = cause.path?.includes(TEMP_MARK) ? cause.path.slice(0, cause.path.indexOf(TEMP_MARK)) : cause.path;
  const path = shown && shown !== context.path ? ` at ${shown}` : "";
  const todo = context.hint ?? (reason ? `${reason.todo}, and run it again.` : "Check the path and the disk, and run it again.");
  const unchanged = context.unchanged ? ` ${context.unchanged}` : "";
  return new FileSystemError(`FS_${cause.code}`, `Could not ${context.action}: ${what}${path}.`, {
    where: { file: context.path },
    hint: `${todo}${unchanged}`,
    cause,
  });
}

/** "ENOSPC: no space left on device, write" -> "no space left on device, write" */
function stripCode(message: string, code: string): string {
  return message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
}
