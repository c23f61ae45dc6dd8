import * as fs from "node:fs";
import * as path from "node:path";
import { SentivecError } from "../../errors.js";
import { faultPoint } from "../../util/fault-hooks.js";
import { MANIFEST_FILE } from "../store-files.js";
import { compileFilter, type StoreFilter } from "../store-filter.js";
import { StoreError } from "../store-error.js";
import { l2NormalizeInto } from "../l2-normalize.js";
import { type SearchHit, type StoredRecord, type TrainingSet, type TrainingSetOptions, type VectorRecord, VectorStore } from "../vector-store.js";
import { checkBatchSize, unknownId } from "../collection/memory-collection.js";
import type { CollectionInfo, CollectionSpace, MetadataUpdate, ScanOptions, VectorCollection } from "../collection/vector-collection.js";
import { filterToSql, sqlString } from "./lance-filter-sql.js";
import { type IndexOptions, type IndexReport, type SearchTuning, buildVectorIndex, searchTuning } from "./lance-index.js";
import type { LabelScheme } from "../../data/parse-label.js";
import { singleLabelScheme, withLabelScheme } from "../label-schemes.js";
import { LANCE_FORMAT, LANCE_FORMAT_VERSION, LANCE_TABLE, type LanceManifest, hasLanceManifest, readLanceManifest, writeLanceManifest } from "./lance-manifest.js";
import { type LanceDb, firstLine, lanceModules } from "./lance-modules.js";
import { type RowColumns, batchRecords, copyVectors, damaged, readRowFields, rowSchema, rowsTable } from "./lance-rows.js";

/** Rows per Arrow record batch written: bounds the copies LanceDB's JS layer makes while encoding. */
const WRITE_BATCH_ROWS = 65536;

/**
 * A vector collection in a LanceDB table on disk (`--store lance:DIR`): rows are read in batches as
 * queries stream them, so a collection larger than memory can be searched and trained on (only the
 * training matrix itself is held). LanceDB commits each write as a new table version, atomically, so a
 * kill leaves the last committed version readable; writers still take the folder's lock, as for the
 * in-memory store, so two `store add`s never race.
 *
 * Search is exact (LanceDB's flat scan) until `store index` builds LanceDB's own vector index; rows
 * added after that are still found (LanceDB scans the rows the index does not cover).
 */
export class LanceCollection implements VectorCollection {
  readonly backend = "lance" as const;
  readonly embedderId: string;
  readonly dimensions: number;
  /** How searches use the index, read once (listIndices) and again after buildIndex(). */
  private tuning: SearchTuning | undefined;

  private constructor(
    readonly dir: string,
    private manifest: LanceManifest,
    private readonly db: LanceDb.Connection,
    private readonly table: LanceDb.Table,
  ) {
    this.embedderId = manifest.embedderId;
    this.dimensions = manifest.dimensions;
  }

  /**
   * Opens the collection in `dir`. With `create`, a folder without one gets a new empty collection in
   * that space (the caller holds the folder's lock). A missing or damaged folder is a StoreError.
   */
  static async open(dir: string, create?: CollectionSpace): Promise<LanceCollection> {
    if (!hasLanceManifest(dir)) {
      // Without `create`, or in a folder holding an in-memory store, this throws the reason.
      if (create === undefined || fs.existsSync(path.join(dir, MANIFEST_FILE))) readLanceManifest(dir);
      return LanceCollection.create(dir, create!);
    }
    const manifest = readLanceManifest(dir);
    const { lancedb } = lanceModules();
    const db = await lance(dir, "open", () => lancedb.connect(dir));
    const table = await lance(dir, "open", () => db.openTable(manifest.table));
    const c = new LanceCollection(dir, manifest, db, table);
    await c.checkSchema();
    return c;
  }

  private static async create(dir: string, space: CollectionSpace): Promise<LanceCollection> {
    const manifest: LanceManifest = {
      format: LANCE_FORMAT,
      formatVersion: LANCE_FORMAT_VERSION,
      embedderId: space.embedderId,
      dimensions: space.dimensions,
      table: LANCE_TABLE,
      labels: [],
      metadataFields: [],
    };
    // Validates the space as the in-memory store does (a non-empty id, whole positive dimensions).
    new VectorStore({ embedderId: space.embedderId, dimensions: space.dimensions });
    fs.mkdirSync(dir, { recursive: true });
    const { lancedb } = lanceModules();
    const db = await lance(dir, "create", () => lancedb.connect(dir));
    // existOk: a table left by a create that was killed before the manifest was written is reused.
    const table = await lance(dir, "create", () => db.createEmptyTable(LANCE_TABLE, rowSchema(space.dimensions), { mode: "create", existOk: true }));
    writeLanceManifest(dir, manifest);
    const c = new LanceCollection(dir, manifest, db, table);
    await c.checkSchema();
    return c;
  }

  /** The table must have the columns this class writes, with vectors of the manifest's size. */
  private async checkSchema(): Promise<void> {
    const schema = await this.lance("read", () => this.table.schema());
    const vector = schema.fields.find((f: { name: string }) => f.name === "vector");
    const listSize = (vector?.type as { listSize?: number } | undefined)?.listSize;
    const missing = ["id", "label", "metadata"].filter((n) => !schema.fields.some((f: { name: string }) => f.name === n));
    if (missing.length > 0 || listSize === undefined) throw damaged(this.tableDir, `it lacks the column${missing.length === 1 ? "" : "s"} ${[...missing, ...(listSize === undefined ? ["vector"] : [])].join(", ")}`);
    if (listSize !== this.dimensions) throw damaged(this.tableDir, `its vectors have ${listSize} dimensions, but sentivec-lance.json says ${this.dimensions}`);
  }

  private get tableDir(): string {
    return path.join(this.dir, `${this.manifest.table}.lance`);
  }

  async count(): Promise<number> {
    return this.lance("read", () => this.table.countRows());
  }

  async addMany(records: readonly VectorRecord[]): Promise<void> {
    const rows = checkedRows(this.space, records, "add");
    if (rows.ids.length === 0) return;
    const present = await this.existingIds(new Set(rows.ids));
    if (present.size > 0) {
      const id = rows.ids.find((i) => present.has(i))!;
      throw new StoreError("STORE_DUPLICATE_ID", `Id "${id}" is already in the store.`, {
        hint: "Use upsert() to replace a row, or give each row a unique id.",
      });
    }
    await this.append(rows);
  }

  /**
   * New ids are appended (in the order given, which is the order training reads them in) and existing
   * ones replaced where they are. Two commits: the replacements, then the new rows; a kill between
   * them leaves the replacements done and the new rows not, and running the upsert again completes it.
   */
  async upsertMany(records: readonly VectorRecord[]): Promise<{ added: number; updated: number }> {
    const rows = checkedRows(this.space, records, "upsert");
    if (rows.ids.length === 0) return { added: 0, updated: 0 };
    const present = await this.existingIds(new Set(rows.ids));
    const pick = (keep: (id: string) => boolean): RowColumns => {
      const at = rows.ids.flatMap((id, i) => (keep(id) ? [i] : []));
      const vectors = new Float32Array(at.length * this.dimensions);
      at.forEach((i, j) => vectors.set(rows.vectors.subarray(i * this.dimensions, (i + 1) * this.dimensions), j * this.dimensions));
      return { ids: at.map((i) => rows.ids[i]), vectors, labels: at.map((i) => rows.labels[i]), metadata: at.map((i) => rows.metadata[i]) };
    };
    const updated = present.size > 0 ? pick((id) => present.has(id)) : undefined;
    const added = present.size < rows.ids.length ? (present.size > 0 ? pick((id) => !present.has(id)) : rows) : undefined;
    if (updated || added) await this.recordNames(rows);
    if (updated) {
      const table = rowsTable(this.dimensions, updated);
      faultPoint("lance:commit", this.dir);
      await this.lance("write", () => this.table.mergeInsert("id").whenMatchedUpdateAll().execute(table));
    }
    if (added) await this.append(added, false);
    // Counted as the in-memory store counts: a record for an id given earlier in the batch is an update.
    const addedRows = added?.ids.length ?? 0;
    return { added: addedRows, updated: records.length - addedRows };
  }

  async remove(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const before = await this.count();
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      await this.lance("write", () => this.table.delete(`id IN (${chunk.map(sqlString).join(", ")})`));
    }
    return before - (await this.count());
  }

  async get(id: string): Promise<StoredRecord | undefined> {
    const batches = await this.lance("read", () => this.table.query().where(`id = ${sqlString(id)}`).limit(1).toArrow());
    for (const batch of batches.batches) if (batch.numRows > 0) return batchRecords(batch, this.dimensions, this.tableDir)[0];
    return undefined;
  }

  /**
   * LanceDB ranks by dot product on the unit vectors (its "dot" distance is 1 − cosine) under the SQL
   * prefilter; rows the prefilter let through but the exact filter refuses are dropped, and if that
   * leaves fewer than k while more rows could match, the search is repeated with a larger limit.
   */
  async searchVector(query: ArrayLike<number>, k: number, options: { filter?: StoreFilter; tuning?: SearchTuning } = {}): Promise<SearchHit[]> {
    if (!Number.isInteger(k) || k < 0) throw new StoreError("STORE_K", `k must be a whole number ≥ 0; got ${k}.`);
    if (query == null || typeof query.length !== "number") {
      throw new StoreError("STORE_QUERY", "A query must be a vector (Float32Array or number[]) or a string.");
    }
    if (query.length !== this.dimensions) {
      throw new StoreError("STORE_QUERY_DIMENSIONS", `The query vector has ${query.length} dimensions but the store holds ${this.dimensions}.`, {
        hint: "Query with a vector from the same embedder the store was built with.",
      });
    }
    const q = new Float32Array(this.dimensions);
    l2NormalizeInto(query, q, 0, "The query vector");
    const predicate = compileFilter(options.filter);
    const { where, exact } = filterToSql(options.filter);
    if (k === 0) return [];
    this.tuning ??= await this.lance("search", () => searchTuning(this.table));
    const tuning = options.tuning ?? this.tuning;
    // A few more than k, so rows tied with the k-th are all seen and ordered by id, as in memory.
    let limit = k + 8;
    for (;;) {
      const search = this.table.vectorSearch(q).distanceType("dot").limit(limit).select(["id", "label", "metadata", "_distance"]);
      if (where !== undefined) search.where(where);
      if (tuning.exact) search.bypassVectorIndex();
      if (tuning.nprobes !== undefined) search.nprobes(tuning.nprobes);
      if (tuning.refineFactor !== undefined) search.refineFactor(tuning.refineFactor);
      const result = await this.lance("search", () => search.toArrow());
      const hits: SearchHit[] = [];
      let returned = 0;
      for (const batch of result.batches) {
        const { ids, labels, metadata } = readRowFields(batch, this.tableDir);
        const distance = batch.getChild("_distance");
        returned += ids.length;
        for (let i = 0; i < ids.length; i++) {
          if (!exact && predicate !== null && !predicate(labels[i], metadata[i])) continue;
          const hit: SearchHit = { id: ids[i], score: 1 - Number(distance?.get(i)), metadata: metadata[i] ?? {} };
          if (labels[i] !== undefined) hit.label = labels[i];
          hits.push(hit);
        }
      }
      if (hits.length >= k || returned < limit) {
        hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        return hits.slice(0, k);
      }
      limit *= 4;
    }
  }

  /**
   * Streams the matching rows once, from one table version, copying the labelled rows' vectors into
   * the training matrix; ids, labels and metadata of the other rows are not kept.
   */
  async toTrainingSet(options: TrainingSetOptions = {}): Promise<TrainingSet> {
    const skip = options.unlabeled === "skip";
    if (options.unlabeled !== undefined && options.unlabeled !== "skip" && options.unlabeled !== "error") {
      throw new StoreError("STORE_OPTIONS", `unlabeled must be "error" or "skip"; got ${JSON.stringify(options.unlabeled)}.`);
    }
    const predicate = compileFilter(options.filter);
    const { where } = filterToSql(options.filter);
    const snapshot = await this.snapshot();
    try {
      const labelled = and(where, "label IS NOT NULL");
      // With a metadata filter this bounds the rows from above (the SQL prefilter is a superset).
      const bound = await this.lance("read", () => snapshot.countRows(labelled));
      if (!skip) {
        const unlabeled = await this.lance("read", () => snapshot.countRows(and(where, "label IS NULL")));
        if (unlabeled > 0) await this.refuseUnlabeled(snapshot, where, predicate);
      }
      const dims = this.dimensions;
      const data = new Float32Array(bound * dims);
      const y: string[] = [], ids: string[] = [];
      const scratch = new Float32Array(8192 * dims);
      for await (const batch of this.stream(snapshot.query().where(labelled).select(["id", "label", "metadata", "vector"]))) {
        const fields = readRowFields(batch, this.tableDir);
        const buf = batch.numRows <= 8192 ? scratch : new Float32Array(batch.numRows * dims);
        copyVectors(batch, dims, buf, 0, this.tableDir);
        for (let i = 0; i < fields.ids.length; i++) {
          if (predicate !== null && !predicate(fields.labels[i], fields.metadata[i])) continue;
          if (ids.length === bound) throw damaged(this.tableDir, "it returned more rows than it counted");
          data.set(buf.subarray(i * dims, (i + 1) * dims), ids.length * dims);
          ids.push(fields.ids[i]);
          y.push(fields.labels[i]!);
        }
      }
      const skipped = skip ? await this.countMatching(snapshot, and(where, "label IS NULL"), predicate) : 0;
      return {
        X: { rows: ids.length, cols: dims, data: ids.length === bound ? data : data.subarray(0, ids.length * dims) },
        y,
        ids,
        embedderId: this.embedderId,
        skippedUnlabeled: skipped,
        ...singleLabelScheme(readLanceManifest(this.dir).labelSchemes),
      };
    } finally {
      snapshot.close();
    }
  }

  async *scan(options: ScanOptions): AsyncIterable<StoredRecord[]> {
    const batchSize = checkBatchSize(options.batchSize);
    const predicate = compileFilter(options.filter);
    const { where } = filterToSql(options.filter);
    const snapshot = await this.snapshot();
    try {
      let pending: StoredRecord[] = [];
      const query = snapshot.query();
      const condition = options.unlabeledOnly ? and(where, "label IS NULL") : where;
      if (condition !== undefined) query.where(condition);
      for await (const batch of this.stream(query)) {
        for (const rec of batchRecords(batch, this.dimensions, this.tableDir)) {
          if (predicate !== null && !predicate(rec.label, rec.metadata)) continue;
          pending.push(rec);
          if (pending.length === batchSize) {
            yield pending;
            pending = [];
          }
        }
      }
      if (pending.length > 0) yield pending;
    } finally {
      snapshot.close();
    }
  }

  /** One merge on id writing only the metadata column; ids it did not find are reported after. */
  async replaceMetadata(updates: readonly MetadataUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const latest = new Map<string, string | null>();
    for (const u of updates) latest.set(u.id, u.metadata && Object.keys(u.metadata).length > 0 ? JSON.stringify(u.metadata) : null);
    const fields = new Set<string>();
    for (const u of updates) for (const f of Object.keys(u.metadata ?? {})) fields.add(f);
    await this.recordNames({ labels: [], fieldNames: fields });
    const { Field, Schema, Utf8, Table, vectorFromArray } = lanceModules().arrow;
    const schema = new Schema([new Field("id", new Utf8(), true), new Field("metadata", new Utf8(), true)]);
    const ids = [...latest.keys()];
    const table = new Table(schema, { id: vectorFromArray(ids, new Utf8()), metadata: vectorFromArray([...latest.values()], new Utf8()) } as never);
    const result = await this.lance("write", () => this.table.mergeInsert("id").whenMatchedUpdateAll().execute(table));
    if (result.numUpdatedRows !== ids.length) {
      const found = await this.existingIds(new Set(ids));
      const missing = ids.find((id) => !found.has(id));
      if (missing !== undefined) throw unknownId(missing);
    }
  }

  async metadataFields(): Promise<string[]> {
    return [...readLanceManifest(this.dir).metadataFields].sort();
  }

  async labelNames(): Promise<string[]> {
    return [...readLanceManifest(this.dir).labels].sort();
  }

  async info(): Promise<CollectionInfo> {
    const snapshot = await this.snapshot();
    try {
      const labels: Record<string, number> = {};
      let unlabeled = 0, size = 0;
      for await (const batch of this.stream(snapshot.query().select(["label"]))) {
        const col = batch.getChild("label");
        for (let i = 0; i < batch.numRows; i++) {
          const l = col?.get(i);
          if (typeof l === "string") labels[l] = (labels[l] ?? 0) + 1;
          else unlabeled++;
        }
        size += batch.numRows;
      }
      const index = await this.indexInfo();
      return {
        backend: "lance",
        dir: this.dir,
        embedderId: this.embedderId,
        dimensions: this.dimensions,
        size,
        labels,
        unlabeled,
        generation: await this.lance("read", () => snapshot.version()),
        details: { table: this.tableDir, diskBytes: folderBytes(this.tableDir), ...index },
      };
    } finally {
      snapshot.close();
    }
  }

  /** Whether the table has a vector index (searches then use it unless told to scan exactly). */
  async hasIndex(): Promise<boolean> {
    const indices = await this.lance("read", () => this.table.listIndices());
    return indices.some((i) => i.columns.includes("vector"));
  }

  /** LanceDB's vector index over the rows (see lance-index.ts for the kind and the row threshold). */
  async buildIndex(options: IndexOptions = {}): Promise<IndexReport> {
    const rows = await this.count();
    this.tuning = undefined;
    return this.lance("write", () => buildVectorIndex(this.table, rows, this.dimensions, options));
  }

  async save(): Promise<{ generation: number }> {
    return { generation: await this.lance("read", () => this.table.version()) };
  }

  close(): void {
    this.table.close();
    this.db.close();
  }

  // ---- internals ----

  private get space(): CollectionSpace {
    return { embedderId: this.embedderId, dimensions: this.dimensions };
  }

  /** A second handle on the table, fixed at its current version: a scan reads one consistent state. */
  private async snapshot(): Promise<LanceDb.Table> {
    const version = await this.lance("read", () => this.table.version());
    return this.lance("read", () => this.db.openTable(this.manifest.table, undefined, { version }));
  }

  /** The ids of `wanted` that are in the table: one pass over the id column, holding only matches. */
  private async existingIds(wanted: ReadonlySet<string>): Promise<Set<string>> {
    const found = new Set<string>();
    if ((await this.count()) === 0) return found;
    for await (const batch of this.stream(this.table.query().select(["id"]))) {
      const col = batch.getChild("id");
      for (let i = 0; i < batch.numRows; i++) {
        const id = col?.get(i);
        if (typeof id === "string" && wanted.has(id)) found.add(id);
      }
    }
    return found;
  }

  private async append(rows: RowColumns, record = true): Promise<void> {
    if (record) await this.recordNames(rows);
    const tables = [];
    for (let i = 0; i < rows.ids.length; i += WRITE_BATCH_ROWS) {
      const end = Math.min(rows.ids.length, i + WRITE_BATCH_ROWS);
      tables.push(rowsTable(this.dimensions, {
        ids: rows.ids.slice(i, end),
        vectors: rows.vectors.subarray(i * this.dimensions, end * this.dimensions),
        labels: rows.labels.slice(i, end),
        metadata: rows.metadata.slice(i, end),
      }));
    }
    // One Arrow table of several record batches: one add, one commit, all rows or none.
    const { Table } = lanceModules().arrow;
    const all = new Table(tables.flatMap((t) => t.batches));
    faultPoint("lance:commit", this.dir);
    await this.lance("write", () => this.table.add(all));
  }

  async noteLabelScheme(scheme: LabelScheme): Promise<void> {
    const current = readLanceManifest(this.dir);
    const schemes = withLabelScheme(current.labelSchemes ?? [], scheme);
    if (schemes.length === (current.labelSchemes ?? []).length) return;
    this.manifest = { ...current, labelSchemes: schemes };
    writeLanceManifest(this.dir, this.manifest);
  }

  /** Adds new labels and metadata fields to the manifest before the rows that carry them are committed. */
  private async recordNames(rows: { labels: readonly (string | null)[]; metadata?: readonly (string | null)[]; fieldNames?: ReadonlySet<string> }): Promise<void> {
    const current = readLanceManifest(this.dir);
    const labels = new Set(current.labels), fields = new Set(current.metadataFields);
    const before = labels.size + fields.size;
    for (const l of rows.labels) if (l !== null) labels.add(l);
    for (const f of rows.fieldNames ?? []) fields.add(f);
    for (const m of rows.metadata ?? []) if (m !== null) for (const f of Object.keys(JSON.parse(m) as object)) fields.add(f);
    if (labels.size + fields.size === before) return;
    this.manifest = { ...current, labels: [...labels].sort(), metadataFields: [...fields].sort() };
    writeLanceManifest(this.dir, this.manifest);
  }

  private async countMatching(snapshot: LanceDb.Table, where: string, predicate: ReturnType<typeof compileFilter>): Promise<number> {
    if (predicate === null) return this.lance("read", () => snapshot.countRows(where));
    let n = 0;
    for await (const batch of this.stream(snapshot.query().where(where).select(["id", "label", "metadata"]))) {
      const f = readRowFields(batch, this.tableDir);
      for (let i = 0; i < f.ids.length; i++) if (predicate(f.labels[i], f.metadata[i])) n++;
    }
    return n;
  }

  /** The error the in-memory store gives for an unlabelled row in a training set, naming the first. */
  private async refuseUnlabeled(snapshot: LanceDb.Table, where: string | undefined, predicate: ReturnType<typeof compileFilter>): Promise<void> {
    for await (const batch of this.stream(snapshot.query().where(and(where, "label IS NULL")).select(["id", "label", "metadata"]))) {
      const f = readRowFields(batch, this.tableDir);
      for (let i = 0; i < f.ids.length; i++) {
        if (predicate !== null && !predicate(f.labels[i], f.metadata[i])) continue;
        const missing = await this.lance("read", () => snapshot.countRows("label IS NULL"));
        const size = await this.lance("read", () => snapshot.countRows());
        throw new StoreError("STORE_UNLABELED", `${missing} of ${size} rows have no label (first: id "${f.ids[i]}"); a training set needs a label on every row.`, {
          hint: 'Add labels (upsert the rows with a label), remove the unlabeled rows, or pass { unlabeled: "skip" }.',
        });
      }
    }
  }

  private async indexInfo(): Promise<Record<string, string | number | null>> {
    const indices = await this.lance("read", () => this.table.listIndices());
    const vector = indices.find((i) => i.columns.includes("vector"));
    if (!vector) return { index: null };
    const stats = await this.lance("read", () => this.table.indexStats(vector.name));
    return { index: stats?.indexType ?? vector.indexType, indexedRows: stats?.numIndexedRows ?? null, unindexedRows: stats?.numUnindexedRows ?? null };
  }

  /** A query's record batches, with LanceDB's errors (a damaged file found mid-scan) made StoreErrors. */
  private async *stream(query: AsyncIterable<RecordBatchLike>): AsyncIterable<RecordBatchLike> {
    const it = query[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.lance("read", () => it.next());
      if (next.done) return;
      yield next.value;
    }
  }

  private lance<T>(action: LanceAction, fn: () => Promise<T>): Promise<T> {
    return lance(this.dir, action, fn);
  }
}

type RecordBatchLike = Parameters<typeof readRowFields>[0];
type LanceAction = "open" | "create" | "read" | "write" | "search";

/** Runs a LanceDB call; its errors (multi-line, from Rust) become one-line StoreErrors naming the folder. */
async function lance<T>(dir: string, action: LanceAction, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof SentivecError) throw cause;
    const reading = action !== "write" && action !== "create";
    throw new StoreError(reading ? "STORE_LANCE_CORRUPT" : "STORE_LANCE_WRITE", `Could not ${action} the Lance table: ${firstLine(cause)}.`, {
      where: { file: dir },
      hint: reading
        ? "The folder is incomplete or damaged: restore it from a backup or rebuild the store (sentivec store add)."
        : "Nothing was changed by this write; check the disk (space, permissions) and run it again.",
      cause,
    });
  }
}

/**
 * The records as columns, checked and normalised exactly as the in-memory store checks them (ids,
 * dimensions, embedder, finite non-zero vectors, metadata objects): they go through a scratch
 * VectorStore, which also settles an id given twice (refused by add, last one wins for upsert).
 */
function checkedRows(space: CollectionSpace, records: readonly VectorRecord[], mode: "add" | "upsert"): RowColumns {
  const scratch = new VectorStore({ ...space, initialCapacity: Math.max(1, records.length) });
  if (mode === "add") scratch.addMany(records);
  else scratch.upsertMany(records);
  const ids = scratch.allIds();
  const vectors = new Float32Array(ids.length * space.dimensions);
  const labels: (string | null)[] = new Array(ids.length);
  const metadata: (string | null)[] = new Array(ids.length);
  ids.forEach((id, i) => {
    const rec = scratch.get(id)!;
    vectors.set(rec.vector, i * space.dimensions);
    labels[i] = rec.label ?? null;
    metadata[i] = Object.keys(rec.metadata).length > 0 ? JSON.stringify(rec.metadata) : null;
  });
  return { ids, vectors, labels, metadata };
}

function and(a: string | undefined, b: string): string {
  return a === undefined ? b : `(${a}) AND ${b}`;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)).size;
  }
  return total;
}
