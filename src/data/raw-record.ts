/**
 * What every file reader yields: one record's fields by column name, or the reason it could not be
 * read. The loader decides whether a bad record stops the load or is skipped and counted.
 */
export interface RawRecord {
  fields: Record<string, unknown>;
  /** 1-based line of the record's start in a text file. */
  line?: number;
  /** 1-based record number (JSON arrays). */
  record?: number;
  /** Set when the record is malformed (ragged row, invalid JSON...). */
  problem?: string;
}

export interface RawTable {
  /** Column names found, in file order (for JSON: the union of keys, first-seen order). */
  columns: string[];
  records: RawRecord[];
}
