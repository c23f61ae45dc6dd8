import type { LabelScheme } from "../../data/parse-label.js";
import type { Metadata, StoreFilter } from "../store-filter.js";
import type { SearchHit, StoredRecord, TrainingSet, TrainingSetOptions, VectorRecord } from "../vector-store.js";

/** Where a collection's rows live: the in-memory VectorStore (saved as files) or a LanceDB table on disk. */
export type CollectionBackend = "memory" | "lance";

/**
 * A store of (id, unit vector, label?, metadata) rows from one embedder, whatever holds them. The CLI's
 * store commands and train/evaluate/cv --store work through this, so both backends behave alike (the
 * behaviour suite in test/store/behaviour/ runs against each).
 *
 * Every method is async because the Lance backend reads and writes disk. Writers must hold the folder's
 * lock (lockDir) across read-modify-write, as for the in-memory store; readers need no lock.
 */
export interface VectorCollection {
  readonly backend: CollectionBackend;
  /** The folder the collection lives in. */
  readonly dir: string;
  /** The vector space every row comes from, e.g. "local:glove-lex-v2@133". */
  readonly embedderId: string;
  readonly dimensions: number;

  /** Number of rows. */
  count(): Promise<number>;
  /** Adds rows all-or-nothing; an id already present (or twice in the batch) is an error. */
  addMany(records: readonly VectorRecord[]): Promise<void>;
  /** Adds new ids and replaces existing ones; a later record for the same id wins. */
  upsertMany(records: readonly VectorRecord[]): Promise<{ added: number; updated: number }>;
  /** Removes rows by id; returns how many were there. */
  remove(ids: readonly string[]): Promise<number>;
  get(id: string): Promise<StoredRecord | undefined>;
  /** The k rows most similar to `query` (cosine), best first, ties by id ascending. */
  searchVector(query: ArrayLike<number>, k: number, options?: { filter?: StoreFilter }): Promise<SearchHit[]>;
  /** The labelled rows (matching a filter) as a matrix, in store order; the rest is streamed, not held. */
  toTrainingSet(options?: TrainingSetOptions): Promise<TrainingSet>;
  /**
   * The rows matching `filter` (or, with `unlabeledOnly`, the rows with no label), in batches of at
   * most `batchSize`, from the state when the scan started: writes made while scanning (e.g. the
   * predictions `store label` writes back batch by batch) do not show up in it.
   */
  scan(options: ScanOptions): AsyncIterable<StoredRecord[]>;
  /**
   * Records how the labels of rows being added were read from their files ("stars", a label map...), so
   * a model trained on the store records it too (see src/store/label-schemes.ts). Kept by the next save.
   */
  noteLabelScheme(scheme: LabelScheme): Promise<void>;
  /** Replaces rows' metadata (their vectors and labels stay); an unknown id is an error. */
  replaceMetadata(updates: readonly MetadataUpdate[]): Promise<void>;
  /** Top-level metadata field names rows have (for the Lance backend: every field ever written), sorted. */
  metadataFields(): Promise<string[]>;
  /** The labels rows have (for the Lance backend: every label ever written), sorted. */
  labelNames(): Promise<string[]>;
  info(): Promise<CollectionInfo>;
  /**
   * Makes the changes durable: the in-memory backend writes its files atomically; Lance has committed
   * each write already and returns its table version.
   */
  save(): Promise<{ generation: number }>;
  /** Releases what the collection holds open (a Lance connection). */
  close(): void;
}

export interface ScanOptions {
  filter?: StoreFilter;
  unlabeledOnly?: boolean;
  /** Rows per batch. Default 4096. */
  batchSize?: number;
}

export interface MetadataUpdate {
  id: string;
  /** The row's new metadata (undefined or {} for none). */
  metadata: Metadata | undefined;
}

/** A summary for `store info`, the same fields for both backends plus what only one of them has. */
export interface CollectionInfo {
  backend: CollectionBackend;
  dir: string;
  embedderId: string;
  dimensions: number;
  size: number;
  labels: Record<string, number>;
  unlabeled: number;
  /** The in-memory store's save generation, or the Lance table's version. */
  generation: number;
  /** Backend-specific facts for `store info` (files, search kernel, index, bytes on disk). */
  details: Record<string, string | number | boolean | null>;
}

/** What `store add` needs to know before it embeds anything: the space an existing collection holds. */
export interface CollectionSpace {
  embedderId: string;
  dimensions: number;
}

/** True for a VectorCollection (duck-typed, so callers need not load a backend to ask). */
export function isVectorCollection(value: unknown): value is VectorCollection {
  if (value === null || typeof value !== "object") return false;
  const c = value as Partial<VectorCollection>;
  return (c.backend === "memory" || c.backend === "lance") && typeof c.toTrainingSet === "function" && typeof c.scan === "function";
}
