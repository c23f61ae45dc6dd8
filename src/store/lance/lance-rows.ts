import type { Metadata } from "../store-filter.js";
import { StoreError } from "../store-error.js";
import type { StoredRecord } from "../vector-store.js";
import type { Arrow } from "./lance-modules.js";
import { lanceModules } from "./lance-modules.js";

/**
 * The Lance table's columns: id, the unit vector (fixed-size list of float32), the label (null when
 * unlabelled) and the metadata as JSON text (null when empty). Nullable everywhere because LanceDB's
 * JS layer rebuilds schemas as nullable and refuses a table whose schema differs from the one it made.
 */
export function rowSchema(dimensions: number): Arrow.Schema {
  const { Field, FixedSizeList, Float32, Schema, Utf8 } = lanceModules().arrow;
  return new Schema([
    new Field("id", new Utf8(), true),
    new Field("vector", new FixedSizeList(dimensions, new Field("item", new Float32(), true)), true),
    new Field("label", new Utf8(), true),
    new Field("metadata", new Utf8(), true),
  ]);
}

/** Rows ready to write: vectors already normalised, metadata already JSON text. */
export interface RowColumns {
  ids: string[];
  /** rows × dims floats. */
  vectors: Float32Array;
  labels: (string | null)[];
  metadata: (string | null)[];
}

/** An Arrow table of rows, built column-wise: the vectors go in as one buffer, not row by row. */
export function rowsTable(dimensions: number, rows: RowColumns): Arrow.Table {
  const { Field, FixedSizeList, Float32, RecordBatch, Struct, Table, Utf8, makeData, vectorFromArray } = lanceModules().arrow;
  const schema = rowSchema(dimensions);
  const n = rows.ids.length;
  const floats = makeData({ type: new Float32(), length: n * dimensions, data: rows.vectors });
  const vectors = makeData({ type: new FixedSizeList(dimensions, new Field("item", new Float32(), true)), length: n, nullCount: 0, child: floats });
  const text = (values: (string | null)[]) => vectorFromArray(values, new Utf8()).data[0];
  const data = makeData({
    type: new Struct(schema.fields),
    length: n,
    nullCount: 0,
    children: [text(rows.ids), vectors, text(rows.labels), text(rows.metadata)],
  });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

/** Column name → the column, for the batches a query returns. */
interface BatchLike {
  numRows: number;
  getChild(name: string): { get(i: number): unknown; data: ReadonlyArray<{ children: ReadonlyArray<{ values: unknown }>; offset: number; length: number }> } | null;
}

/** Ids, labels and metadata of a batch, checked; `where` names the collection for errors. */
export function readRowFields(batch: BatchLike, where: string): { ids: string[]; labels: (string | undefined)[]; metadata: (Metadata | undefined)[] } {
  const idCol = batch.getChild("id"), labelCol = batch.getChild("label"), metaCol = batch.getChild("metadata");
  const ids: string[] = new Array(batch.numRows);
  const labels: (string | undefined)[] = new Array(batch.numRows);
  const metadata: (Metadata | undefined)[] = new Array(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    const id = idCol?.get(i);
    if (typeof id !== "string" || id === "") throw damaged(where, `a row has no id`);
    ids[i] = id;
    const label = labelCol?.get(i);
    labels[i] = typeof label === "string" ? label : undefined;
    const meta = metaCol?.get(i);
    metadata[i] = typeof meta === "string" ? parseMetadata(meta, id, where) : undefined;
  }
  return { ids, labels, metadata };
}

/**
 * Copies a batch's vectors into `into` at row `at`, checking that every value is finite (a damaged
 * file must not turn into NaN scores or a model trained on garbage).
 */
export function copyVectors(batch: BatchLike, dims: number, into: Float32Array, at: number, where: string): void {
  const col = batch.getChild("vector");
  if (col === null) throw damaged(where, "the vector column is missing");
  let row = at;
  for (const chunk of col.data) {
    const values = chunk.children[0]?.values;
    if (!(values instanceof Float32Array)) throw damaged(where, "the vector column is not float32");
    const start = chunk.offset * dims;
    const floats = values.subarray(start, start + chunk.length * dims);
    if (floats.length !== chunk.length * dims) throw damaged(where, "a vector has the wrong number of values");
    for (let j = 0; j < floats.length; j++) if (!Number.isFinite(floats[j])) throw damaged(where, `row ${row + Math.floor(j / dims)} has a non-finite value`);
    into.set(floats, row * dims);
    row += chunk.length;
  }
}

/** The batch's rows as records (each vector a copy). */
export function batchRecords(batch: BatchLike, dims: number, where: string): StoredRecord[] {
  const { ids, labels, metadata } = readRowFields(batch, where);
  const vectors = new Float32Array(ids.length * dims);
  copyVectors(batch, dims, vectors, 0, where);
  return ids.map((id, i) => {
    const rec: StoredRecord = { id, vector: vectors.subarray(i * dims, (i + 1) * dims), metadata: metadata[i] ?? {} };
    if (labels[i] !== undefined) rec.label = labels[i];
    return rec;
  });
}

function parseMetadata(text: string, id: string, where: string): Metadata {
  try {
    const m = JSON.parse(text) as unknown;
    if (m !== null && typeof m === "object" && !Array.isArray(m)) return m as Metadata;
  } catch {
    // reported below
  }
  throw damaged(where, `the metadata of id "${id}" is not a JSON object`);
}

export function damaged(where: string, what: string): StoreError {
  return new StoreError("STORE_LANCE_CORRUPT", `The Lance table is damaged: ${what}.`, {
    where: { file: where },
    hint: "Restore the folder from a backup or rebuild the store (sentivec store add).",
  });
}
