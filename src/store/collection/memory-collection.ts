import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LabelScheme } from "../../data/parse-label.js";
import { compileFilter, type StoreFilter } from "../store-filter.js";
import { StoreError } from "../store-error.js";
import { MANIFEST_FILE, readStoreManifest } from "../store-files.js";
import type { SearchHit, StoredRecord, TrainingSet, TrainingSetOptions, VectorRecord } from "../vector-store.js";
import { VectorStore } from "../vector-store.js";
import type { CollectionInfo, MetadataUpdate, ScanOptions, VectorCollection } from "./vector-collection.js";

/**
 * The in-memory VectorStore behind the collection interface: every call goes straight to the store,
 * and save() writes its files (atomically, under the lock the caller holds) to the folder it came from.
 */
export class MemoryCollection implements VectorCollection {
  readonly backend = "memory" as const;
  constructor(readonly store: VectorStore, readonly dir: string) {}

  /** Loads the store saved in `dir`; with `create`, a missing store starts empty in that space. */
  static async open(dir: string, create?: { embedderId: string; dimensions: number }): Promise<MemoryCollection> {
    if (create !== undefined && !hasSavedStore(dir)) return new MemoryCollection(new VectorStore(create), dir);
    return new MemoryCollection(await VectorStore.load(dir), dir);
  }

  get embedderId(): string {
    return this.store.embedderId;
  }

  get dimensions(): number {
    return this.store.dimensions;
  }

  async count(): Promise<number> {
    return this.store.size;
  }

  async addMany(records: readonly VectorRecord[]): Promise<void> {
    this.store.addMany(records);
  }

  async upsertMany(records: readonly VectorRecord[]): Promise<{ added: number; updated: number }> {
    this.store.reserve(this.store.size + records.length);
    return this.store.upsertMany(records);
  }

  async remove(ids: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of ids) if (this.store.remove(id)) n++;
    return n;
  }

  async get(id: string): Promise<StoredRecord | undefined> {
    return this.store.get(id);
  }

  async searchVector(query: ArrayLike<number>, k: number, options: { filter?: StoreFilter } = {}): Promise<SearchHit[]> {
    return this.store.searchVector(query, k, options);
  }

  async toTrainingSet(options: TrainingSetOptions = {}): Promise<TrainingSet> {
    return this.store.toTrainingSet(options);
  }

  async *scan(options: ScanOptions): AsyncIterable<StoredRecord[]> {
    const predicate = compileFilter(options.filter);
    const batchSize = checkBatchSize(options.batchSize);
    // The ids are fixed first: rows changed while the caller works through the batches are not revisited.
    const ids = this.store.allIds().filter((id) => {
      const row = this.store.get(id)!;
      if (options.unlabeledOnly && row.label !== undefined) return false;
      return predicate === null || predicate(row.label, row.metadata);
    });
    for (let start = 0; start < ids.length; start += batchSize) {
      yield ids.slice(start, start + batchSize).flatMap((id) => this.store.get(id) ?? []);
    }
  }

  async replaceMetadata(updates: readonly MetadataUpdate[]): Promise<void> {
    for (const u of updates) {
      const row = this.store.get(u.id);
      if (row === undefined) throw unknownId(u.id);
      this.store.updateMetadata(u.id, u.metadata ?? {}, Object.keys(row.metadata));
    }
  }

  async noteLabelScheme(scheme: LabelScheme): Promise<void> {
    this.store.noteLabelScheme(scheme);
  }

  async metadataFields(): Promise<string[]> {
    return this.store.metadataFields();
  }

  async labelNames(): Promise<string[]> {
    return Object.keys(this.store.info().labels).sort();
  }

  async info(): Promise<CollectionInfo> {
    const i = this.store.info();
    // The files as last saved (a store not saved yet has none).
    const m = hasSavedStore(this.dir) ? readStoreManifest(this.dir) : undefined;
    return {
      backend: "memory",
      dir: this.dir,
      embedderId: i.embedderId,
      dimensions: i.dimensions,
      size: i.size,
      labels: i.labels,
      unlabeled: i.unlabeled,
      generation: m?.generation ?? 0,
      details: { vectorsFile: m?.vectorsFile ?? null, vectorBytes: i.size * i.dimensions * 4, savedAt: m?.savedAt ?? null, searchKernel: i.kernel, ...this.indexDetails() },
    };
  }

  /**
   * The approximate index saved beside the store, as `store info` shows it: whether searches can use it
   * (fresh) or why not (stale). Only its description is read, and the vectors' checksum is known from
   * the load, so this costs nothing at a million rows.
   */
  private indexDetails(): Record<string, string | number | null> {
    const saved = hasSavedStore(this.dir) ? this.store.peekSavedIndex(this.dir) : ({ state: "missing" } as const);
    if (saved.state === "missing") return { index: null, indexState: "missing" };
    const p = saved.meta.params;
    return {
      index: `HNSW (M ${p.connectivity}, efConstruction ${p.efConstruction}, efSearch ${p.efSearch}, ${p.quantization})`,
      indexState: saved.state,
      indexStaleReason: saved.state === "stale" ? saved.reason : null,
      indexedRows: saved.meta.count,
      indexBytes: saved.meta.bytes,
      indexBuiltAt: saved.meta.builtAt,
    };
  }

  async save(): Promise<{ generation: number }> {
    return { generation: this.store.save(this.dir).generation };
  }

  close(): void {}
}

export function hasSavedStore(dir: string): boolean {
  return existsSync(join(dir, MANIFEST_FILE));
}

export function checkBatchSize(batchSize: number | undefined): number {
  const n = batchSize ?? 4096;
  if (!Number.isInteger(n) || n < 1) throw new StoreError("STORE_OPTIONS", `batchSize must be a whole number ≥ 1; got ${batchSize}.`);
  return n;
}

export function unknownId(id: string): StoreError {
  return new StoreError("STORE_UNKNOWN_ID", `Id "${id}" is not in the store.`, { hint: "Add the row first, or check the id." });
}
