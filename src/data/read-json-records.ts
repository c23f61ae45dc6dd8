import { DataError } from "../errors.js";
import { findDuplicateKey } from "./find-duplicate-key.js";
import type { RawRecord, RawTable } from "./raw-record.js";

/** A JSON file holding an array of objects (the seed's review.json / embeddings.json). */
export function readJsonArray(file: string, content: string): RawTable {
  if (content.trim() === "") throw new DataError("DATA_EMPTY", "The file is empty.", { where: { file }, hint: "Expected a JSON array of objects." });
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (cause) {
    throw new DataError("DATA_BAD_JSON", `Not valid JSON: ${(cause as Error).message}.`, {
      where: { file },
      hint: "Expected a JSON array of objects; for one object per line, name the file .jsonl.",
    });
  }
  const dup = findDuplicateKey(content);
  if (dup) {
    const line = content.slice(0, dup.offset).split("\n").length;
    throw new DataError("DATA_DUPLICATE_KEY", `A record names the key ${JSON.stringify(dup.key)} twice; JSON readers keep only the last one.`, {
      where: { file, line },
      hint: "Remove or rename one of them.",
    });
  }
  if (!Array.isArray(doc)) {
    throw new DataError("DATA_BAD_JSON", `Expected a JSON array of objects but found ${describe(doc)}.`, { where: { file } });
  }
  if (doc.length === 0) throw new DataError("DATA_EMPTY", "The JSON array is empty.", { where: { file }, hint: "Add at least one record." });
  const records: RawRecord[] = doc.map((value, i) =>
    isObject(value)
      ? { fields: value, record: i + 1 }
      : { fields: {}, record: i + 1, problem: `expected an object but found ${describe(value)}` },
  );
  return { columns: columnsOf(records), records };
}

/** JSON Lines: one object per line; blank lines are ignored. */
export function readJsonLines(file: string, content: string): RawTable {
  const records: RawRecord[] = [];
  content.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      records.push({ fields: {}, line: i + 1, problem: `invalid JSON: ${(cause as Error).message}` });
      return;
    }
    const dup = isObject(value) ? findDuplicateKey(line) : undefined;
    if (dup) {
      records.push({ fields: {}, line: i + 1, problem: `the key ${JSON.stringify(dup.key)} appears twice (JSON keeps only the last)` });
      return;
    }
    records.push(isObject(value) ? { fields: value, line: i + 1 } : { fields: {}, line: i + 1, problem: `expected an object but found ${describe(value)}` });
  });
  if (records.length === 0) throw new DataError("DATA_EMPTY", "The file is empty.", { where: { file }, hint: "Expected one JSON object per line." });
  return { columns: columnsOf(records), records };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

function columnsOf(records: RawRecord[]): string[] {
  const seen = new Set<string>();
  for (const r of records.slice(0, 1000)) for (const k of Object.keys(r.fields)) seen.add(k);
  return [...seen];
}
