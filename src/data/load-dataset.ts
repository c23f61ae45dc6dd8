import { readFile, stat } from "node:fs/promises";
import { extname } from "node:path";
import { DataError, type ErrorWhere, OptionsError, formatWhere } from "../errors.js";
import { sha256Hex } from "../util/sha256.js";
import { isBlankText } from "../util/text-checks.js";
import { type TextEncoding, decodeText } from "./decode-text.js";
import type { Dataset, LabeledText, LoadStats } from "./labeled-text.js";
import { type LabelScheme, type LabelWording, isLabelScheme, parseLabel } from "./parse-label.js";
import { parseVector } from "./parse-vector.js";
import type { RawRecord, RawTable } from "./raw-record.js";
import { readDelimited } from "./read-delimited.js";
import { readJsonArray, readJsonLines } from "./read-json-records.js";
import { readTabLines } from "./read-tab-lines.js";

/** "lines" is headerless `sentence<TAB>label`, one per line. */
export type DatasetFormat = "csv" | "tsv" | "lines" | "json" | "jsonl";

export interface LoadDatasetOptions {
  /** File format. Default: from the extension (.csv, .tsv, .txt → lines, .json, .jsonl/.ndjson). */
  format?: DatasetFormat;
  /** Column holding the text. Default: the first of text, sentence, review, content, combined (any case). */
  textField?: string;
  /** Column holding the label. Default: the first of label, score, sentiment, stars, rating (any case). */
  labelField?: string;
  /** Column holding a precomputed vector (array, or "[...]" string). Default: none; "embedding" if present. */
  vectorField?: string | false;
  /** How labels are read (see LabelScheme): "binary" (default), "stars", "stars3", "stars5", "any" or { map }. */
  labels?: LabelScheme;
  /** How hints name the label schemes; the CLI passes its option names. Default: the library's words. */
  labelWording?: LabelWording;
  /**
   * Set false for data that may have no labels: a label column is still read when one is found (and its
   * values must parse), but a file without one loads with every label undefined. Default true.
   */
  requireLabels?: boolean;
  /** Skip and count bad rows instead of stopping at the first. Default false. */
  skipBadRows?: boolean;
  /** Drop exact-duplicate texts, keeping the first. Default true: repeats leak across a train/test split. */
  dedupe?: boolean;
  /**
   * Text encoding of the files. Default "auto": a byte-order mark decides (UTF-8, UTF-16LE/BE), otherwise
   * the file must be valid UTF-8 (invalid bytes stop the load with file:line, never a silent "�").
   */
  encoding?: TextEncoding;
}

const TEXT_FIELDS = ["text", "sentence", "review", "content", "combined"];
const LABEL_FIELDS = ["label", "score", "sentiment", "stars", "rating"];
const VECTOR_FIELDS = ["embedding", "vector"];
const MAX_REPORTED_BAD_ROWS = 20;

/**
 * Loads one or more labelled text files into a Dataset: reads each by format, picks the text/label/vector
 * fields, parses labels, checks vectors, drops neutral ratings and duplicate texts (counted), and
 * fingerprints the result. A bad row stops the load with `file:line` and the reason unless
 * `skipBadRows` is set.
 */
export async function loadDataset(paths: string | string[], options: LoadDatasetOptions = {}): Promise<Dataset> {
  const files = Array.isArray(paths) ? paths : [paths];
  if (files.length === 0) throw new DataError("DATA_NO_FILES", "No dataset files given.", { hint: "Name at least one file." });
  const stats: LoadStats = {
    rows: 0, kept: 0, duplicatesRemoved: 0, conflictingDuplicates: 0, neutralDropped: 0, badRowsSkipped: 0, badRows: [],
  };
  const items: LabeledText[] = [];
  for (const file of files) {
    const table = await readTable(file, options.format ?? formatOf(file), options.encoding ?? "auto");
    if (table.records.length === 0) {
      throw new DataError("DATA_NO_ROWS", `The file has a header row (${listColumns(table.columns)}) but no data rows.`, {
        where: { file },
        hint: "Add one row per example below the header.",
      });
    }
    collectItems(file, table, options, stats, items);
  }
  const kept = options.dedupe === false ? items : dedupe(items, stats);
  stats.kept = kept.length;
  if (kept.length === 0) {
    const why = [
      stats.badRowsSkipped ? `${stats.badRowsSkipped} skipped as bad` : "",
      stats.neutralDropped ? `${stats.neutralDropped} dropped as neutral` : "",
    ].filter(Boolean).join(", ");
    throw new DataError("DATA_NO_ROWS", `No rows are left to use: of ${stats.rows} rows read, ${why}.`, {
      where: { file: files.length === 1 ? files[0] : undefined },
      hint: stats.badRowsSkipped ? "Run without --skip-bad-rows to see the first bad row and why." : "Check the label column and the --stars option.",
    });
  }
  checkVectorLengths(kept);
  const labels = [...new Set(kept.map((i) => i.label).filter((l): l is string => l !== undefined))].sort();
  return { items: kept, labels, stats, files, fingerprint: fingerprint(kept), labelScheme: options.labels ?? "binary" };
}

export function formatOf(file: string): DatasetFormat {
  const ext = extname(file).toLowerCase();
  switch (ext) {
    case ".csv": return "csv";
    case ".tsv": return "tsv";
    case ".txt": return "lines";
    case ".json": return "json";
    case ".jsonl":
    case ".ndjson": return "jsonl";
    default:
      throw new DataError("DATA_FORMAT", `Cannot tell the format from the extension "${ext}".`, {
        where: { file },
        hint: "Name the format: csv, tsv, lines (headerless sentence<TAB>label), json or jsonl.",
      });
  }
}

async function readTable(file: string, format: DatasetFormat, encoding: TextEncoding): Promise<RawTable> {
  let bytes: Buffer;
  try {
    if (!(await stat(file)).isFile()) throw new Error("not a file");
    bytes = await readFile(file);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    throw new DataError(missing ? "DATA_MISSING_FILE" : "DATA_UNREADABLE", missing ? "File not found." : `Cannot read the file: ${(cause as Error).message}.`, {
      where: { file },
      hint: "Check the path (it is relative to the current directory).",
      cause,
    });
  }
  const content = decodeText(bytes, file, encoding);
  if (content.trim() === "") {
    throw new DataError("DATA_EMPTY", "The file is empty.", { where: { file }, hint: "A dataset needs at least one row." });
  }
  switch (format) {
    case "csv": return readDelimited(file, content, { delimiter: ",", quotes: true });
    case "tsv": return readDelimited(file, content, { delimiter: "\t", quotes: false });
    case "lines": return readTabLines(file, content);
    case "json": return readJsonArray(file, content);
    case "jsonl": return readJsonLines(file, content);
  }
}

/** Finds a column: the requested name (exact, then any case), else the first known default present. */
function resolveField(file: string, columns: string[], requested: string | undefined, defaults: string[], what: string): string {
  /** The one column named `name` in any case; two that differ only in case ("Text", "text") are ambiguous. */
  const byLower = {
    get(name: string): string | undefined {
      const matches = columns.flatMap((c, i) => (c.toLowerCase() === name ? [i] : []));
      if (matches.length > 1) {
        throw new DataError("DATA_DUPLICATE_COLUMN", `Columns ${matches.map((i) => `${i + 1} (${JSON.stringify(columns[i])})`).join(" and ")} both match the ${what} column "${name}", so it is ambiguous which one to read.`, {
          where: { file },
          hint: `Rename one of them, or name the exact column with --${what}-field.`,
        });
      }
      return matches.length === 1 ? columns[matches[0]] : undefined;
    },
  };
  if (requested !== undefined) {
    const found = columns.includes(requested) ? requested : byLower.get(requested.toLowerCase());
    if (found !== undefined) return found;
    throw new DataError("DATA_MISSING_COLUMN", `No ${what} column "${requested}". Columns found: ${listColumns(columns)}.`, {
      where: { file },
      hint: `Name the ${what} column with --${what}-field (textField/labelField).`,
    });
  }
  for (const d of defaults) {
    const found = byLower.get(d);
    if (found !== undefined) return found;
  }
  throw new DataError("DATA_MISSING_COLUMN", `No ${what} column: none of ${defaults.join(", ")}. Columns found: ${listColumns(columns)}.`, {
    where: { file },
    hint: `Name the ${what} column with --${what}-field (textField/labelField).`,
  });
}

function listColumns(columns: string[]): string {
  return columns.length ? columns.map((c) => JSON.stringify(c)).join(", ") : "(none)";
}

function collectItems(file: string, table: RawTable, options: LoadDatasetOptions, stats: LoadStats, out: LabeledText[]): void {
  const requireLabels = options.requireLabels !== false;
  const textField = resolveField(file, table.columns, options.textField, TEXT_FIELDS, "text");
  const labelField =
    requireLabels || options.labelField !== undefined
      ? resolveField(file, table.columns, options.labelField, LABEL_FIELDS, "label")
      : table.columns.find((c) => LABEL_FIELDS.includes(c.toLowerCase()));
  const vectorField =
    options.vectorField === false
      ? undefined
      : options.vectorField !== undefined
        ? resolveField(file, table.columns, options.vectorField, [], "vector")
        : table.columns.find((c) => VECTOR_FIELDS.includes(c.toLowerCase()));
  const scheme = options.labels ?? "binary";
  if (!isLabelScheme(scheme)) {
    throw new OptionsError("DATA_LABEL_SCHEME", `labels ${JSON.stringify(scheme)} is not a label scheme.`, {
      hint: 'Use "binary", "stars", "stars3", "stars5", "any" or { map: { value: class } }.',
    });
  }

  for (const record of table.records) {
    stats.rows++;
    const where: ErrorWhere = { file, line: record.line, record: record.record };
    try {
      const item = toItem(record, where, textField, labelField, vectorField, scheme, options.labelWording);
      if (item === null) stats.neutralDropped++;
      else out.push(item);
    } catch (error) {
      if (!options.skipBadRows || !(error instanceof DataError)) throw error;
      stats.badRowsSkipped++;
      if (stats.badRows.length < MAX_REPORTED_BAD_ROWS) {
        const prefix = `${formatWhere(error.where)}: `;
        let reason = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
        // The hint ("fix it or pass --skip-bad-rows") is moot once the row has been skipped.
        if (error.hint && reason.endsWith(` ${error.hint}`)) reason = reason.slice(0, -error.hint.length - 1);
        stats.badRows.push({ file, line: record.line, record: record.record, ...(error.where.field !== undefined ? { field: error.where.field } : {}), reason });
      }
    }
  }
}

function toItem(
  record: RawRecord, where: ErrorWhere, textField: string, labelField: string | undefined,
  vectorField: string | undefined, scheme: LabelScheme, wording: LabelWording | undefined,
): LabeledText | null {
  if (record.problem) {
    throw new DataError("DATA_BAD_ROW", `Malformed row: ${record.problem}.`, { where, hint: "Fix the row, or pass --skip-bad-rows to skip and count such rows." });
  }
  const rawText = record.fields[textField];
  if (typeof rawText !== "string" || isBlankText(rawText)) {
    throw new DataError("DATA_BLANK_TEXT", rawText === undefined || rawText === null ? "The text is missing." : typeof rawText !== "string" ? `The text is a ${typeof rawText}, not a string.` : rawText === "" ? "The text is empty." : "The text is blank (only spaces, control or invisible characters).", {
      where: { ...where, field: textField },
      hint: "Every row needs a non-empty text; fix it or pass --skip-bad-rows.",
    });
  }
  let label: string | undefined;
  if (labelField !== undefined) {
    const parsed = parseLabel(record.fields[labelField], scheme, { ...where, field: labelField }, wording);
    if (parsed === null) return null;
    label = parsed;
  }
  const item: LabeledText = { text: rawText, label, source: { file: where.file as string, line: record.line, record: record.record } };
  if (vectorField !== undefined) {
    const parsed = parseVector(record.fields[vectorField]);
    if ("problem" in parsed) {
      throw new DataError("DATA_BAD_VECTOR", `Bad vector: ${parsed.problem}.`, { where: { ...where, field: vectorField } });
    }
    item.vector = parsed.vector;
  }
  return item;
}

/** Keeps the first copy of each exact text; counts the rest, and those whose label disagreed. */
function dedupe(items: LabeledText[], stats: LoadStats): LabeledText[] {
  const firstLabel = new Map<string, string | undefined>();
  const kept: LabeledText[] = [];
  for (const item of items) {
    if (firstLabel.has(item.text)) {
      stats.duplicatesRemoved++;
      if (firstLabel.get(item.text) !== item.label) stats.conflictingDuplicates++;
      continue;
    }
    firstLabel.set(item.text, item.label);
    kept.push(item);
  }
  return kept;
}

/** Precomputed vectors must all be the same length: a model has one input size. */
function checkVectorLengths(items: LabeledText[]): void {
  const first = items.find((i) => i.vector !== undefined);
  if (!first?.vector) return;
  for (const item of items) {
    const n = item.vector?.length;
    if (n === undefined) {
      throw new DataError("DATA_MISSING_VECTOR", "This row has no vector but earlier rows do.", {
        where: item.source,
        hint: "Either every row carries a precomputed vector or none does.",
      });
    }
    if (n !== first.vector.length) {
      throw new DataError("DATA_VECTOR_LENGTH", `The vector has ${n} values but the first row's (${formatSource(first.source)}) has ${first.vector.length}.`, {
        where: item.source,
        hint: "All precomputed vectors must come from the same model and dimensions.",
      });
    }
  }
}

function formatSource(s: LabeledText["source"]): string {
  return s.line !== undefined ? `${s.file}:${s.line}` : `${s.file} record ${s.record}`;
}

function fingerprint(items: LabeledText[]): string {
  const parts: string[] = [];
  for (const i of items) {
    parts.push(`${i.label ?? ""}\t${i.text}`);
    if (i.vector) parts.push(Buffer.from(i.vector.buffer, i.vector.byteOffset, i.vector.byteLength).toString("base64"));
  }
  return sha256Hex(parts.join("\n"));
}
