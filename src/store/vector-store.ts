import { createHash } from "node:crypto";
import type { LabelScheme } from "../data/parse-label.js";
import type { Embedder } from "../embed/embedder.js";
import { checkEmbedderMatches, embedderSpaceId } from "../embed/embedder-identity.js";
import { EmbeddingFetcher, type FetchUsage } from "../embed/embedding-fetcher.js";
import type { Matrix } from "../util/matrix.js";
import { isBlankText } from "../util/text-checks.js";
import { type SaveResult, type StoreManifest, readStoreManifest, readStoreVectors, readStoreVectorsAsync, writeStoreFiles } from "./store-files.js";
import { type Metadata, type StoreFilter, compileFilter } from "./store-filter.js";
import { StoreError } from "./store-error.js";
import { singleLabelScheme, withLabelScheme } from "./label-schemes.js";
import { TopK } from "./top-k.js";
import { approxTopK } from "./ann/approx-top-k.js";
import type { IndexMeta } from "./ann/index-files.js";
import { type BuildIndexOptions, type IndexInfo, type IndexLoadResult, type IndexedRows, StoreIndex } from "./ann/store-index.js";
import { VectorBuffer } from "./vector-buffer.js";

export interface VectorStoreOptions {
  /** Names the vector space, e.g. "openai:text-embedding-3-small@256". Every row must come from it. */
  embedderId: string;
  dimensions: number;
  /** Embeds text queries and addTexts(); its id and dimensions must match. */
  embedder?: Embedder;
  /** Used instead of a plain fetcher over `embedder` (e.g. one with a cache). Implies its embedder. */
  fetcher?: EmbeddingFetcher;
  /** Rows to allocate up front. Default 16; growth doubles. */
  initialCapacity?: number;
  /** Use the WebAssembly SIMD scan when available. Default true. */
  simd?: boolean;
}

/** A row to add. `vector` is normalised on the way in. */
export interface VectorRecord {
  id: string;
  vector: ArrayLike<number>;
  label?: string;
  metadata?: Metadata;
  /** If given, must equal the store's embedder id (guards against mixing vector spaces). */
  embedderId?: string;
}

/** A row to embed and add. */
export interface TextRecord {
  id: string;
  text: string;
  label?: string;
  metadata?: Metadata;
}

/** A row as stored: the vector is a unit-length copy. */
export interface StoredRecord {
  id: string;
  vector: Float32Array;
  label?: string;
  metadata: Metadata;
}

export interface SearchHit {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
  label?: string;
  metadata: Metadata;
}

export interface SearchOptions extends VectorSearchOptions {
  signal?: AbortSignal;
}

export interface VectorSearchOptions {
  filter?: StoreFilter;
  /**
   * true: search the store's approximate index (buildIndex/loadIndex), which must be fresh; false: scan
   * exactly; "auto" (default): the index if one is fresh and the store has at least `autoApproxMinRows` rows.
   */
  approx?: boolean | "auto";
  /** Candidates an approximate search visits (default: the index's efSearch): higher is slower and closer to exact. */
  ef?: number;
  /** Row count from which "auto" uses a fresh index. Default 100,000. */
  autoApproxMinRows?: number;
}

/** What the forest trains on. */
export interface TrainingSet {
  /**
   * rows × dims. When every row of the store is in the set, a view of the store's buffer (no copy),
   * valid until the store is next changed; otherwise a copy of the chosen rows.
   */
  X: Matrix;
  /** One label per row. */
  y: string[];
  ids: string[];
  /** The store's vector space: what a model trained on this set records as its embedder. */
  embedderId: string;
  /** Rows the filter chose that had no label and were left out (with `unlabeled: "skip"`). */
  skippedUnlabeled: number;
  /** Where the rows came from (e.g. the store's folder), for reports and a model bundle; set by the caller. */
  source?: string;
  /** How the rows' labels were read from their files, when the store knows one scheme (see noteLabelScheme). */
  labelScheme?: LabelScheme;
}

export interface TrainingSetOptions {
  /** Only rows matching this filter. Default: every row. */
  filter?: StoreFilter;
  /**
   * What to do with rows that have no label: "error" (default; the error names the first one) or
   * "skip" (left out and counted in `skippedUnlabeled`, e.g. to train on the labelled part of a store).
   */
  unlabeled?: "error" | "skip";
}

export interface LoadOptions {
  embedder?: Embedder;
  fetcher?: EmbeddingFetcher;
  /** Check the vector file's sha256 against the manifest. Default true (about 0.6 s per GB on one core with SHA-NI; load() overlaps it with the read). */
  verify?: boolean;
  simd?: boolean;
}

/** A summary for `store info`. */
export interface StoreInfo {
  embedderId: string;
  dimensions: number;
  size: number;
  capacity: number;
  labels: Record<string, number>;
  unlabeled: number;
  kernel: "wasm-simd" | "js";
}

const EMPTY: Metadata = Object.freeze({}) as Metadata;

/**
 * A collection of (id, unit vector, label?, metadata) rows from ONE embedder, searched exactly.
 *
 * Vectors live in one contiguous float32 buffer (row i at i × dims) so a search is a single sequential
 * pass and the forest can train on the buffer itself. Removal swaps the last row into the hole, so
 * rows stay dense; row order is therefore not insertion order, and nothing depends on it (ties are
 * broken by id).
 */
export class VectorStore {
  readonly embedderId: string;
  readonly dimensions: number;
  private readonly buf: VectorBuffer;
  private ids: string[] = [];
  private labels: (string | undefined)[] = [];
  private metadata: (Metadata | undefined)[] = [];
  private schemes: LabelScheme[] = [];
  private readonly rowOf = new Map<string, number>();
  private fetcher: EmbeddingFetcher | undefined;
  private scratch = new Float64Array(0);
  /** Bumped whenever a row's vector or position changes: an approximate index is fresh while it is unchanged. */
  private vectorsVersion = 0;
  /** The sha256 of the vectors at a known version (from the manifest loaded or the save written), so checking an index against them costs nothing. */
  private knownVectorsSha: { version: number; sha256: string } | undefined;
  private readonly ann = new StoreIndex();

  constructor(options: VectorStoreOptions) {
    if (typeof options.embedderId !== "string" || options.embedderId === "") {
      throw new StoreError("STORE_OPTIONS", "A vector store needs an embedderId naming its vector space.");
    }
    if (!Number.isInteger(options.dimensions) || options.dimensions < 1) {
      throw new StoreError("STORE_OPTIONS", `dimensions must be a positive integer; got ${options.dimensions}.`);
    }
    this.embedderId = options.embedderId;
    this.dimensions = options.dimensions;
    this.buf = new VectorBuffer(options.dimensions, { initialCapacity: options.initialCapacity, simd: options.simd });
    if (options.embedder || options.fetcher) this.useEmbedder(options.fetcher ?? options.embedder!);
  }

  /** A store for `embedder`'s vector space, able to embed text queries through it. */
  static forEmbedder(embedder: Embedder | EmbeddingFetcher, options: Omit<VectorStoreOptions, "embedderId" | "dimensions" | "embedder" | "fetcher"> = {}): VectorStore {
    const e = embedder instanceof EmbeddingFetcher ? embedder.embedder : embedder;
    return new VectorStore({
      ...options,
      embedderId: e.id,
      dimensions: e.dimensions,
      ...(embedder instanceof EmbeddingFetcher ? { fetcher: embedder } : { embedder }),
    });
  }

  /** Attaches the embedder (or fetcher, e.g. one with a cache) that text queries go through. */
  useEmbedder(embedderOrFetcher: Embedder | EmbeddingFetcher): this {
    const fetcher = embedderOrFetcher instanceof EmbeddingFetcher ? embedderOrFetcher : new EmbeddingFetcher(embedderOrFetcher);
    const e = fetcher.embedder;
    // Vectors of unknown origin (precomputed) take any embedder of their size that the user names.
    const sameModel = this.embedderId.startsWith("precomputed") || embedderSpaceId(e.id) === embedderSpaceId(this.embedderId);
    if (!sameModel || e.dimensions !== this.dimensions) {
      throw new StoreError("STORE_EMBEDDER_MISMATCH", `This store holds vectors from ${this.embedderId} (${this.dimensions} dims); the embedder given is ${e.id} (${e.dimensions} dims).`, {
        hint: "Use the embedder the store was built with, or build a new store for this one.",
      });
    }
    // Same model and size: the server must be the one the id records, if it records one.
    checkEmbedderMatches({ id: this.embedderId, dimensions: this.dimensions }, e, "This store holds");
    this.fetcher = fetcher;
    return this;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Rows the buffer can hold before it next grows. */
  get capacity(): number {
    return this.buf.capacity;
  }

  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  get(id: string): StoredRecord | undefined {
    const r = this.rowOf.get(id);
    if (r === undefined) return undefined;
    return this.recordAt(r);
  }

  /** Ids in row order. */
  allIds(): string[] {
    return this.ids.slice();
  }

  /** Adds one row; an id already present is an error (use upsert to replace). */
  add(record: VectorRecord): void {
    this.addMany([record]);
  }

  /**
   * Adds rows all-or-nothing: every record is checked (id, dimensions, embedder, duplicates) before any
   * is stored. Room for the whole batch is made at once, so a large first batch allocates exactly.
   */
  addMany(records: readonly VectorRecord[]): void {
    const seen = new Set<string>();
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      this.check(rec, i);
      if (this.rowOf.has(rec.id) || seen.has(rec.id)) {
        throw new StoreError("STORE_DUPLICATE_ID", `Id "${rec.id}" is already in the store${seen.has(rec.id) ? " (twice in this batch)" : ""}.`, {
          hint: "Use upsert() to replace a row, or give each row a unique id.",
        });
      }
      seen.add(rec.id);
    }
    this.buf.ensureCapacity(this.size + records.length);
    const start = this.size;
    let i = 0;
    try {
      for (; i < records.length; i++) this.writeRow(start + i, records[i], i);
    } catch (e) {
      // A vector failed normalisation (zero/NaN): undo the rows this batch already appended.
      for (let j = i - 1; j >= 0; j--) this.popRow();
      throw e;
    }
  }

  /** Adds or replaces a row by id. */
  upsert(record: VectorRecord): "added" | "updated" {
    this.check(record, 0);
    const r = this.rowOf.get(record.id);
    if (r === undefined) {
      this.addMany([record]);
      return "added";
    }
    this.buf.setRow(r, record.vector, `Vector for id "${record.id}"`);
    this.vectorsVersion++;
    this.labels[r] = record.label;
    this.metadata[r] = copyMetadata(record.metadata, record.id);
    return "updated";
  }

  upsertMany(records: readonly VectorRecord[]): { added: number; updated: number } {
    let added = 0, updated = 0;
    for (const rec of records) if (this.upsert(rec) === "added") added++; else updated++;
    return { added, updated };
  }

  /** Removes a row; false if the id was not there. Moves the last row into the hole (O(dims)). */
  remove(id: string): boolean {
    const r = this.rowOf.get(id);
    if (r === undefined) return false;
    const last = this.size - 1;
    this.vectorsVersion++;
    if (r !== last) {
      this.buf.copyRow(last, r);
      const movedId = this.ids[last];
      this.ids[r] = movedId;
      this.labels[r] = this.labels[last];
      this.metadata[r] = this.metadata[last];
      this.rowOf.set(movedId, r);
    }
    this.ids.pop();
    this.labels.pop();
    this.metadata.pop();
    this.rowOf.delete(id);
    return true;
  }

  /**
   * Embeds texts through the store's fetcher (deduplicated, cached if the fetcher caches) and adds
   * them; with `upsert: true` existing ids are replaced instead of refused.
   */
  async addTexts(records: readonly TextRecord[], options: { upsert?: boolean; signal?: AbortSignal } = {}): Promise<FetchUsage> {
    const fetcher = this.requireFetcher("addTexts()");
    const { vectors, usage } = await fetcher.fetch(records.map((r) => r.text), { signal: options.signal });
    const rows: VectorRecord[] = records.map((r, i) => ({ id: r.id, vector: vectors[i], label: r.label, metadata: r.metadata }));
    if (options.upsert) this.upsertMany(rows);
    else this.addMany(rows);
    return usage;
  }

  /**
   * The k rows most similar to `query` (a vector, or text embedded through the store's embedder),
   * best first; equal scores are ordered by id ascending.
   */
  async search(query: ArrayLike<number> | string, k: number, options: SearchOptions = {}): Promise<SearchHit[]> {
    if (typeof query === "string") {
      // An empty query has no meaning to search for; embedding it would fail later with a vague message.
      if (isBlankText(query)) {
        throw new StoreError("STORE_QUERY_EMPTY", `The query text is ${query === "" ? "empty" : "blank"}: there is nothing to search for.`, {
          hint: "Give a text to search for, e.g. \"battery died\".",
        });
      }
      const fetcher = this.requireFetcher("Searching by text");
      const { vectors } = await fetcher.fetch([query], { signal: options.signal });
      return this.searchVector(vectors[0], k, options);
    }
    return this.searchVector(query, k, options);
  }

  /** Synchronous vector search (the same as search() with a vector). */
  searchVector(query: ArrayLike<number>, k: number, options: VectorSearchOptions = {}): SearchHit[] {
    if (!Number.isInteger(k) || k < 0) {
      throw new StoreError("STORE_K", `k must be a whole number ≥ 0; got ${k}.`);
    }
    if (query == null || typeof query.length !== "number") {
      throw new StoreError("STORE_QUERY", "A query must be a vector (Float32Array or number[]) or a string.");
    }
    if (options.ef !== undefined && (!Number.isInteger(options.ef) || options.ef < 1)) {
      throw new StoreError("STORE_INDEX_OPTIONS", `ef must be a whole number ≥ 1; got ${options.ef}.`);
    }
    const predicate = compileFilter(options.filter);
    this.buf.setQuery(query, "The query vector");
    const n = this.size;
    const ids = this.ids;
    const index = this.ann.pick(this.indexedRows, options.approx ?? "auto", options.autoApproxMinRows);
    if (index) {
      const labels = this.labels, metadata = this.metadata;
      const found = approxTopK(index, this.buf.query, {
        k,
        ef: options.ef ?? this.ann.defaultEf(),
        size: n,
        score: (r) => this.buf.score(r),
        accept: predicate === null ? null : (r) => predicate(labels[r], metadata[r]),
        before: (a, b) => ids[a] < ids[b],
      });
      // null: a filter the graph's candidates could not satisfy; the exact scan below answers instead.
      if (found) return found.map(({ score, row }) => this.hitAt(row, score));
    }
    const top = new TopK(Math.min(k, n), (a, b) => ids[a] < ids[b]);
    if (predicate === null) {
      if (this.scratch.length < n) this.scratch = new Float64Array(Math.max(n, this.scratch.length * 2));
      const scores = this.scratch;
      this.buf.scoreAll(n, scores);
      for (let r = 0; r < n; r++) top.push(scores[r], r);
    } else {
      const labels = this.labels, metadata = this.metadata;
      for (let r = 0; r < n; r++) if (predicate(labels[r], metadata[r])) top.push(this.buf.score(r), r);
    }
    return top.drain().map(({ score, row }) => this.hitAt(row, score));
  }

  /**
   * Builds an approximate (HNSW) index over the current rows and attaches it: searches then use it
   * (`approx: true`, or "auto" from 100,000 rows) until the rows next change. Synchronous; about a
   * minute per 100,000 rows of 384 dims on one busy core (bench/store/RESULTS.md). Needs the optional
   * package usearch.
   */
  buildIndex(options: BuildIndexOptions = {}): IndexInfo {
    return this.ann.build(this.indexedRows, options);
  }

  /** Saves the attached index beside the store saved in `dir` (which must hold these same vectors), atomically and under the folder's lock. */
  saveIndex(dir: string): IndexMeta {
    return this.ann.save(this.indexedRows, dir);
  }

  /**
   * Attaches the index saved beside the store in `dir` if it was built from exactly this store's
   * vectors ("fresh"); reports "stale" (with the reason, nothing attached) or "missing". A corrupt index
   * file throws STORE_INDEX_CORRUPT.
   */
  loadIndex(dir: string): IndexLoadResult {
    return this.ann.load(this.indexedRows, dir);
  }

  /** Whether the index saved in `dir` was built from this store's current vectors, without loading it (a damaged description throws). */
  savedIndexState(dir: string): "fresh" | "stale" | "missing" {
    return this.peekSavedIndex(dir).state;
  }

  /** The index saved in `dir` as its description tells (the graph is not read): fresh with its description, stale with why, or missing. */
  peekSavedIndex(dir: string): ReturnType<StoreIndex["peek"]> {
    return this.ann.peek(this.indexedRows, dir);
  }

  /** The attached index, and whether it is still fresh; undefined when none is attached. */
  indexInfo(): IndexInfo | undefined {
    return this.ann.info(this.indexedRows);
  }

  /** Detaches the index (frees its memory once unreferenced). */
  dropIndex(): void {
    this.ann.drop();
  }

  /** What the index module sees of this store. */
  private readonly indexedRows: IndexedRows = (() => {
    const self = this;
    return {
      get embedderId() { return self.embedderId; },
      get dimensions() { return self.dimensions; },
      get size() { return self.size; },
      get vectorsVersion() { return self.vectorsVersion; },
      vectors: () => self.buf.view(self.size),
      vectorsSha256: () => self.vectorsSha256(),
    };
  })();

  /**
   * sha256 of the vectors as a saved store file holds them: known without hashing right after a load
   * or save; otherwise hashed from the buffer (about 1 s per 1.5 GB). On a big-endian machine the
   * buffer's bytes differ from the file's, so a saved index reads as stale there: safe, only slower.
   */
  private vectorsSha256(): string {
    const known = this.knownVectorsSha;
    if (known && known.version === this.vectorsVersion) return known.sha256;
    const v = this.buf.view(this.size);
    const sha256 = createHash("sha256").update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest("hex");
    this.knownVectorsSha = { version: this.vectorsVersion, sha256 };
    return sha256;
  }

  private hitAt(row: number, score: number): SearchHit {
    const hit: SearchHit = { id: this.ids[row], score, metadata: this.metadata[row] ?? EMPTY };
    if (this.labels[row] !== undefined) hit.label = this.labels[row];
    return hit;
  }

  /**
   * The matrix and labels to train on, in row order. X is a view of the store's own buffer when every
   * row is taken, else a copy of the chosen rows. By default every chosen row needs a label, and an
   * unlabeled one is an error naming the first; `unlabeled: "skip"` leaves such rows out and counts them.
   */
  toTrainingSet(options: TrainingSetOptions = {}): TrainingSet {
    const predicate = compileFilter(options.filter);
    const skip = options.unlabeled === "skip";
    if (options.unlabeled !== undefined && options.unlabeled !== "skip" && options.unlabeled !== "error") {
      throw new StoreError("STORE_OPTIONS", `unlabeled must be "error" or "skip"; got ${JSON.stringify(options.unlabeled)}.`);
    }
    const rows: number[] = [];
    let skipped = 0;
    for (let r = 0; r < this.size; r++) {
      if (predicate !== null && !predicate(this.labels[r], this.metadata[r])) continue;
      if (this.labels[r] !== undefined) rows.push(r);
      else if (skip) skipped++;
      else {
        const missing = this.labels.reduce((n, x) => n + (x === undefined ? 1 : 0), 0);
        throw new StoreError("STORE_UNLABELED", `${missing} of ${this.size} rows have no label (first: id "${this.ids[r]}"); a training set needs a label on every row.`, {
          hint: 'Add labels (upsert the rows with a label), remove the unlabeled rows, or pass { unlabeled: "skip" }.',
        });
      }
    }
    const dims = this.dimensions;
    const all = rows.length === this.size;
    let data: Float32Array;
    if (all) data = this.buf.view(this.size);
    else {
      data = new Float32Array(rows.length * dims);
      const src = this.buf.view(this.size);
      rows.forEach((r, i) => data.set(src.subarray(r * dims, (r + 1) * dims), i * dims));
    }
    return {
      X: { rows: rows.length, cols: dims, data },
      y: rows.map((r) => this.labels[r]!),
      ids: all ? this.ids.slice() : rows.map((r) => this.ids[r]),
      embedderId: this.embedderId,
      skippedUnlabeled: skipped,
      ...singleLabelScheme(this.schemes),
    };
  }

  /** The label schemes noted by noteLabelScheme (kept across save and load), each once. */
  get labelSchemes(): readonly LabelScheme[] {
    return this.schemes;
  }

  /**
   * Notes how the labels of rows being added were read from their files ("stars", a label map...), so a
   * model trained on the store can record it (toTrainingSet's `labelScheme`, when the store knows just
   * one). `sentivec store add` calls it; a library caller adding labels of its own may leave it out.
   */
  noteLabelScheme(scheme: LabelScheme): void {
    this.schemes = withLabelScheme(this.schemes, scheme);
  }

  /**
   * Changes a row's metadata in place (its vector and label stay as they are): `set` fields are added or
   * replaced, `remove` fields deleted. Throws for an unknown id. Used to write predictions into rows.
   */
  updateMetadata(id: string, set: Metadata, remove: readonly string[] = []): void {
    const r = this.rowOf.get(id);
    if (r === undefined) {
      throw new StoreError("STORE_UNKNOWN_ID", `Id "${id}" is not in the store.`, { hint: "Add the row first, or check the id." });
    }
    const merged: Metadata = { ...(this.metadata[r] ?? {}) };
    for (const k of remove) delete merged[k];
    Object.assign(merged, copyMetadata(set, id) ?? {});
    this.metadata[r] = Object.keys(merged).length === 0 ? undefined : merged;
  }

  /** Makes room for `rows` rows in one allocation (avoids repeated doubling when the total is known). */
  reserve(rows: number): void {
    this.buf.ensureCapacity(rows);
  }

  /** Releases unused capacity (copies the vectors once). */
  trimToSize(): void {
    if (this.buf.capacity > Math.max(1, this.size)) this.buf.resize(this.size, this.size);
  }

  /** Top-level metadata field names that at least one row has, sorted (to explain a filter that matches nothing). */
  metadataFields(): string[] {
    const fields = new Set<string>();
    for (const m of this.metadata) if (m) for (const k of Object.keys(m)) fields.add(k);
    return [...fields].sort();
  }

  info(): StoreInfo {
    const labels: Record<string, number> = {};
    let unlabeled = 0;
    for (const l of this.labels) {
      if (l === undefined) unlabeled++;
      else labels[l] = (labels[l] ?? 0) + 1;
    }
    return {
      embedderId: this.embedderId,
      dimensions: this.dimensions,
      size: this.size,
      capacity: this.capacity,
      labels,
      unlabeled,
      kernel: this.buf.kernel,
    };
  }

  /**
   * Saves to `dir` (created if needed) crash-safely: the previous save stays loadable until this one
   * is complete. Synchronous: the vectors are written straight from the buffer, no copy.
   */
  save(dir: string): SaveResult {
    const result = writeStoreFiles(dir, {
      embedderId: this.embedderId,
      dimensions: this.dimensions,
      ids: this.ids,
      labels: this.labels,
      metadata: this.metadata,
      vectors: this.buf.view(this.size),
      labelSchemes: this.schemes,
    });
    this.knownVectorsSha = { version: this.vectorsVersion, sha256: result.sha256 };
    return result;
  }

  /**
   * Loads a store saved by save(); the vectors are read straight into the search buffer, reading and
   * checksumming overlapped (see readStoreVectorsAsync). loadSync() does the same without overlap.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<VectorStore> {
    const read = (m: StoreManifest, into: Float32Array): Promise<void> => readStoreVectorsAsync(dir, m, into, options.verify ?? true);
    let manifest = readStoreManifest(dir);
    let s = VectorStore.emptyFor(manifest, options);
    try {
      await read(manifest, s.buf.view(manifest.count));
    } catch (e) {
      const again = VectorStore.rereadAfterRace(dir, manifest, e);
      manifest = again;
      s = VectorStore.emptyFor(manifest, options);
      await read(manifest, s.buf.view(manifest.count));
    }
    return s.adopt(dir, manifest, options);
  }

  /** Synchronous load(). */
  static loadSync(dir: string, options: LoadOptions = {}): VectorStore {
    let manifest = readStoreManifest(dir);
    let s = VectorStore.emptyFor(manifest, options);
    try {
      readStoreVectors(dir, manifest, s.buf.view(manifest.count), options.verify ?? true);
    } catch (e) {
      manifest = VectorStore.rereadAfterRace(dir, manifest, e);
      s = VectorStore.emptyFor(manifest, options);
      readStoreVectors(dir, manifest, s.buf.view(manifest.count), options.verify ?? true);
    }
    return s.adopt(dir, manifest, options);
  }

  private static emptyFor(manifest: StoreManifest, options: LoadOptions): VectorStore {
    return new VectorStore({
      embedderId: manifest.embedderId,
      dimensions: manifest.dimensions,
      initialCapacity: Math.max(1, manifest.count),
      simd: options.simd,
    });
  }

  /**
   * A concurrent save may delete the generation we were reading after writing the next one: if the
   * vector file vanished and the manifest has moved on, return the new manifest; otherwise rethrow.
   */
  private static rereadAfterRace(dir: string, manifest: StoreManifest, e: unknown): StoreManifest {
    if (!(e instanceof StoreError && e.code === "STORE_VECTORS_MISSING")) throw e;
    const again = readStoreManifest(dir);
    if (again.generation === manifest.generation) throw e;
    return again;
  }

  /** Takes the manifest's rows (its vectors are already in the buffer). */
  private adopt(dir: string, manifest: StoreManifest, options: LoadOptions): this {
    const { ids, labels, metadata } = manifest;
    for (let r = 0; r < ids.length; r++) {
      const id = ids[r];
      if (typeof id !== "string" || this.rowOf.has(id)) {
        throw new StoreError("STORE_MANIFEST_CORRUPT", `Row ${r} has ${typeof id !== "string" ? "no valid id" : `a duplicate id "${id}"`}.`, {
          where: { file: `${dir}/manifest.json` },
          hint: "Restore the store directory from a backup or rebuild the store.",
        });
      }
      this.rowOf.set(id, r);
    }
    this.ids = ids;
    this.knownVectorsSha = { version: this.vectorsVersion, sha256: manifest.sha256 };
    this.labels = labels.map((l) => l ?? undefined);
    this.metadata = metadata.map((m) => m ?? undefined);
    this.schemes = manifest.labelSchemes ?? [];
    if (options.embedder || options.fetcher) this.useEmbedder(options.fetcher ?? options.embedder!);
    return this;
  }

  // ---- internals ----

  private check(rec: VectorRecord, index: number): void {
    if (rec === null || typeof rec !== "object") throw new StoreError("STORE_RECORD", `Record ${index} is not an object.`);
    if (typeof rec.id !== "string" || rec.id === "") {
      throw new StoreError("STORE_RECORD", `Record ${index} has no id (got ${JSON.stringify(rec.id)}); every row needs a non-empty string id.`);
    }
    if (rec.embedderId !== undefined && rec.embedderId !== this.embedderId) {
      throw new StoreError("STORE_EMBEDDER_MISMATCH", `Vector for id "${rec.id}" comes from ${rec.embedderId}, but this store holds ${this.embedderId} vectors.`, {
        hint: "Vectors from different embedders are not comparable; use a separate store per embedder.",
      });
    }
    const len = rec.vector?.length;
    if (len !== this.dimensions) {
      throw new StoreError("STORE_DIMENSIONS", `Vector for id "${rec.id}" has ${len ?? "no"} dimensions, but this store (${this.embedderId}) holds ${this.dimensions}.`, {
        hint: "Every vector in a store must come from the same embedder and dimensions.",
      });
    }
    if (rec.label !== undefined && typeof rec.label !== "string") {
      throw new StoreError("STORE_RECORD", `Label for id "${rec.id}" must be a string; got ${JSON.stringify(rec.label)}.`);
    }
  }

  private writeRow(r: number, rec: VectorRecord, index: number): void {
    const meta = copyMetadata(rec.metadata, rec.id);
    this.buf.setRow(r, rec.vector, `Vector for id "${rec.id}" (record ${index})`);
    this.vectorsVersion++;
    this.ids.push(rec.id);
    this.labels.push(rec.label);
    this.metadata.push(meta);
    this.rowOf.set(rec.id, r);
  }

  private popRow(): void {
    const id = this.ids.pop()!;
    this.labels.pop();
    this.metadata.pop();
    this.rowOf.delete(id);
  }

  private recordAt(r: number): StoredRecord {
    const rec: StoredRecord = { id: this.ids[r], vector: this.buf.row(r), metadata: this.metadata[r] ?? EMPTY };
    if (this.labels[r] !== undefined) rec.label = this.labels[r];
    return rec;
  }

  private requireFetcher(what: string): EmbeddingFetcher {
    if (!this.fetcher) {
      throw new StoreError("STORE_NO_EMBEDDER", `${what} needs an embedder, and this store (${this.embedderId}) has none attached.`, {
        hint: "Pass { embedder } or { fetcher } when creating or loading the store, or call useEmbedder(); or search with a vector.",
      });
    }
    return this.fetcher;
  }
}

/** A shallow copy, so later changes to the caller's object do not reach the store. */
function copyMetadata(m: Metadata | undefined, id: string): Metadata | undefined {
  if (m === undefined || m === null) return undefined;
  if (typeof m !== "object" || Array.isArray(m)) {
    throw new StoreError("STORE_RECORD", `Metadata for id "${id}" must be a JSON object; got ${Array.isArray(m) ? "an array" : typeof m}.`);
  }
  return Object.keys(m).length === 0 ? undefined : { ...m };
}
