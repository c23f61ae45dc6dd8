import type Papa from "papaparse";
import { DataError } from "../errors.js";
import type { RawRecord, RawTable } from "./raw-record.js";
import { requireModule } from "../util/module-require.js";

export interface ReadDelimitedOptions {
  /** "," for CSV, "\t" for TSV. */
  delimiter: string;
  /** Honour RFC 4180 double quotes. True for CSV; false for TSV, where quotes are plain characters. */
  quotes: boolean;
}

/**
 * Parses a delimited file with a header row (papaparse). Every record carries the line it starts on,
 * counted from the parser's cursor so quoted fields spanning lines still give the right line.
 * A row with more or fewer fields than the header is returned as a problem, not silently padded.
 */
export function readDelimited(file: string, content: string, options: ReadDelimitedOptions): RawTable {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const lineStarts: number[] = [];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i);
  /** 1-based line number of character offset `pos`. */
  const lineAt = (pos: number): number => {
    let lo = 0, hi = lineStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lineStarts[mid] < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };

  let header: string[] | undefined;
  let duplicate: [number, number] | undefined;
  let headerLine = 1;
  const records: RawRecord[] = [];
  let rowStart = 0;
  requireModule<typeof Papa>("papaparse").parse<string[]>(text, {
    delimiter: options.delimiter,
    // papaparse has no "no quoting" switch: a character that cannot occur in text turns it off.
    quoteChar: options.quotes ? '"' : "\u0000",
    header: false,
    skipEmptyLines: false,
    step: (result, parser) => {
      const line = lineAt(rowStart);
      rowStart = result.meta.cursor + 1;
      const row = result.data;
      if (header === undefined) {
        header = row.map((h) => h.trim());
        headerLine = line;
        duplicate = findDuplicate(header);
        if (duplicate) parser.abort();
        return;
      }
      // A trailing newline (or a blank line) yields one empty field: not a record.
      if (row.length === 1 && row[0].trim() === "") return;
      if (row.length !== header.length) {
        records.push({
          fields: {},
          line,
          problem: `expected ${header.length} fields (${header.map((h) => JSON.stringify(h)).join(", ")}) but found ${row.length}`,
        });
        return;
      }
      const fields: Record<string, unknown> = {};
      for (let c = 0; c < header.length; c++) fields[header[c]] = row[c];
      const quoteError = result.errors.find((e) => e.type === "Quotes");
      records.push(quoteError ? { fields, line, problem: `unbalanced quotes: ${quoteError.message}` } : { fields, line });
    },
  });
  if (header === undefined || (header.length === 1 && header[0] === "")) {
    throw new DataError("DATA_EMPTY", "The file is empty: no header row.", {
      where: { file },
      hint: "A CSV/TSV dataset needs a header row naming its columns, then one row per example.",
    });
  }
  if (duplicate) {
    const [a, b] = duplicate;
    // Keyed by name, the later column would silently replace the earlier one: the wrong text or label.
    throw new DataError("DATA_DUPLICATE_COLUMN", `The header names column ${JSON.stringify(header[a])} twice (columns ${a + 1} and ${b + 1}), so it is ambiguous which one to read.`, {
      where: { file, line: headerLine },
      hint: "Rename or remove one of them.",
    });
  }
  return { columns: header, records };
}

/** The positions of the first repeated non-empty column name (empty names come from trailing delimiters). */
function findDuplicate(header: string[]): [number, number] | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < header.length; i++) {
    if (header[i] === "") continue;
    const first = seen.get(header[i]);
    if (first !== undefined) return [first, i];
    seen.set(header[i], i);
  }
  return undefined;
}
