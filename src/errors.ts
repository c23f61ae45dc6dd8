/**
 * Every error sentivec throws on purpose is a SentivecError: it says what was wrong, where
 * (file, row, field when there is one) and what to do. The subclass tells callers which stage failed.
 */
export interface ErrorWhere {
  /** File the problem is in. */
  file?: string;
  /** 1-based line in a text file. */
  line?: number;
  /** 1-based record number, for JSON arrays where lines mean little. */
  record?: number;
  /** Field or column name. */
  field?: string;
}

export class SentivecError extends Error {
  /** Stable machine-readable code, e.g. "DATA_UNKNOWN_LABEL". */
  readonly code: string;
  readonly where: ErrorWhere;
  /** What the user can do about it; already part of `message`. */
  readonly hint?: string;

  constructor(code: string, message: string, options: { where?: ErrorWhere; hint?: string; cause?: unknown } = {}) {
    const where = options.where ?? {};
    const place = formatWhere(where);
    const full = `${place ? `${place}: ` : ""}${message}${options.hint ? ` ${options.hint}` : ""}`;
    super(full, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.where = where;
    this.hint = options.hint;
  }
}

/** `file:line (field "x")`, the prefix users paste into their editor. */
export function formatWhere(where: ErrorWhere): string {
  let out = where.file ?? "";
  if (where.line !== undefined) out += out ? `:${where.line}` : `line ${where.line}`;
  if (where.record !== undefined) out += `${out ? " " : ""}record ${where.record}`;
  if (where.field !== undefined) out += `${out ? " " : ""}(field "${where.field}")`;
  return out;
}

/** Bad dataset input: missing file, unknown label, blank text, ragged row... */
export class DataError extends SentivecError {}
/** Bad arguments or options given by the caller. */
export class OptionsError extends SentivecError {}
/** Embedding failed or an embedder was misused (wrong dimensions, mismatched id). */
export class EmbeddingError extends SentivecError {}
/** The classifier was given input it cannot learn from or predict on. */
export class ModelError extends SentivecError {}
/** A saved model bundle (or serialized forest) is missing, corrupt, truncated or incompatible. */
export class BundleError extends SentivecError {}
/**
 * The file system refused a read or write sentivec had to do: disk full, read-only, permission denied,
 * a path that names a file where a folder is needed, a folder another process is writing... The
 * message says which path, what the system said, and what is left as it was.
 */
export class FileSystemError extends SentivecError {}
