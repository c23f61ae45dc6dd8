import { SentivecError } from "../errors.js";
import { StoreError } from "./store-error.js";
import { fileSystemError } from "../util/fs-error.js";

/**
 * What a failed save of a store file (the vectors and manifest, or the approximate index) throws:
 * our own errors as they are, a file-system error (ENOSPC, EACCES…) as one line that says what to do,
 * and anything else (usearch reports a failed write as a plain Error) as a StoreError with `code`.
 * `unchanged` says what the caller left intact, so the user knows nothing good was lost.
 */
export function storeSaveError(cause: unknown, context: { code: string; what: string; dir: string; unchanged: string }): unknown {
  if (cause instanceof SentivecError) return cause;
  const fsError = fileSystemError(cause, { action: `save the ${context.what}`, path: context.dir, unchanged: context.unchanged });
  if (fsError !== cause) return fsError;
  return new StoreError(context.code, `Could not save the ${context.what}: ${(cause as Error).message.replace(/\.$/, "")}.`, {
    where: { file: context.dir },
    hint: `Check the folder is writable and the disk has room. ${context.unchanged}`,
    cause,
  });
}
