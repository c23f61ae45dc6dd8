import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { SentivecError } from "../../errors.js";
import { removeTempFiles, syncDirSync, tempPathFor, writeFileAtomicSync } from "../../util/atomic-file.js";
import { lockDirSync } from "../../util/dir-lock.js";
import { faultPoint } from "../../util/fault-hooks.js";
import { StoreError } from "../store-error.js";
import { storeSaveError } from "../store-save-error.js";
import { type HnswParams, HnswIndex, checkParams } from "./hnsw-index.js";

/**
 * The approximate index saved beside a store, in the store's folder:
 *
 *   ann-index.json          what the index was built from (the store's vector file sha256, rows, dims,
 *                           embedder), its settings, and the sha256 of its graph file
 *   ann-index.<gen>.usearch the HNSW graph (usearch's own format)
 *
 * As with the store, the graph file is written under a new generation's name first and the JSON last,
 * each atomically, so a kill leaves the previous pair loadable; old generations go after the switch.
 * A save holds the store folder's lock: one writer at a time for the store and its index.
 */
export const INDEX_META_FILE = "ann-index.json";
export const INDEX_FORMAT = "sentivec-ann-index";
export const INDEX_FORMAT_VERSION = 1;
const INDEX_FILE = /^ann-index\.(\d+)\.usearch$/;
const HASH_CHUNK = 64 * 1024 * 1024;

/** What ann-index.json records. */
export interface IndexMeta {
  format: typeof INDEX_FORMAT;
  formatVersion: number;
  library: "usearch";
  metric: "ip";
  indexFile: string;
  /** Size and sha256 of the graph file: checked before usearch reads it (usearch trusts its input). */
  bytes: number;
  sha256: string;
  /** What it was built from: the index is used only for a store whose vectors are exactly these. */
  embedderId: string;
  dimensions: number;
  count: number;
  vectorsSha256: string;
  params: HnswParams;
  buildMs: number;
  builtAt: string;
}

/** The fields the caller supplies; the file name, size and checksum are filled in by the save. */
export type IndexMetaInput = Omit<IndexMeta, "format" | "formatVersion" | "library" | "metric" | "indexFile" | "bytes" | "sha256">;

/**
 * Saves `index` beside the store in `dir`, under the folder's lock. `stillMatches` runs under the lock
 * before anything is written and throws if the store on disk is no longer what the index was built from
 * (another process saved it meanwhile).
 */
export function writeIndexFiles(dir: string, index: HnswIndex, input: IndexMetaInput, stillMatches: () => void): IndexMeta {
  const lock = lockDirSync(dir, { what: "vector store" });
  let indexPath: string | undefined;
  let tmp: string | undefined;
  let switched = false;
  try {
    stillMatches();
    removeTempFiles(dir, /^ann-index(\.json|\.\d+\.usearch)$/);
    const generation = nextGeneration(dir);
    const indexFile = `ann-index.${generation}.usearch`;
    indexPath = path.join(dir, indexFile);
    // usearch writes the file itself: to a temp name, then fsync, hash, rename (as writeFileAtomicSync does).
    tmp = tempPathFor(indexPath);
    index.save(tmp);
    fsyncFile(tmp);
    const bytes = fs.statSync(tmp).size;
    const sha256 = sha256OfFile(tmp);
    faultPoint("ann-index:rename", indexPath);
    fs.renameSync(tmp, indexPath);
    tmp = undefined;
    syncDirSync(dir);
    const meta: IndexMeta = { format: INDEX_FORMAT, formatVersion: INDEX_FORMAT_VERSION, library: "usearch", metric: "ip", indexFile, bytes, sha256, ...input };
    writeFileAtomicSync(path.join(dir, INDEX_META_FILE), JSON.stringify(meta, null, 1), "ann-index-meta");
    switched = true;
    removeOtherGenerations(dir, indexFile);
    return meta;
  } catch (cause) {
    if (tmp) fs.rmSync(tmp, { force: true });
    if (!switched && indexPath) fs.rmSync(indexPath, { force: true });
    throw storeSaveError(cause, { code: "STORE_INDEX_SAVE", what: "approximate index", dir, unchanged: "The store and any previous index are intact." });
  } finally {
    lock.release();
  }
}

/** Reads and checks ann-index.json; undefined when the store has no index. */
export function readIndexMeta(dir: string): IndexMeta | undefined {
  const file = path.join(dir, INDEX_META_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw corrupt(file, `cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, cause);
  }
  let m: IndexMeta;
  try {
    m = JSON.parse(text) as IndexMeta;
  } catch (cause) {
    throw corrupt(file, "is not valid JSON; it is truncated or corrupt", cause);
  }
  if (typeof m !== "object" || m === null || m.format !== INDEX_FORMAT) throw corrupt(file, "is not a sentivec index description");
  if (m.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new StoreError("STORE_INDEX_VERSION", `Index format version ${m.formatVersion} is not one this sentivec reads (${INDEX_FORMAT_VERSION}).`, {
      where: { file },
      hint: "Rebuild it with `sentivec store index`.",
    });
  }
  const wholeAtLeast = (v: unknown, min: number): boolean => Number.isInteger(v) && (v as number) >= min;
  if (typeof m.indexFile !== "string" || !INDEX_FILE.test(m.indexFile) || !wholeAtLeast(m.bytes, 0) || typeof m.sha256 !== "string" ||
    typeof m.embedderId !== "string" || !wholeAtLeast(m.dimensions, 1) || !wholeAtLeast(m.count, 0) || typeof m.vectorsSha256 !== "string" ||
    typeof m.params !== "object" || m.params === null) {
    throw corrupt(file, "is missing fields or has invalid ones");
  }
  try {
    checkParams(m.params);
  } catch (cause) {
    throw corrupt(file, `has invalid settings (${(cause as Error).message})`, cause);
  }
  return m;
}

/** Loads the graph file `meta` names, after checking its size and sha256. */
export function loadIndexFile(dir: string, meta: IndexMeta): HnswIndex {
  const file = path.join(dir, meta.indexFile);
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (cause) {
    throw new StoreError("STORE_INDEX_MISSING", `The index file ${meta.indexFile} named by ${INDEX_META_FILE} cannot be opened (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}).`, {
      where: { file },
      hint: "Rebuild it with `sentivec store index`, or search exactly with --exact.",
      cause,
    });
  }
  if (size !== meta.bytes) throw corrupt(file, `has ${size} bytes, but ${INDEX_META_FILE} says ${meta.bytes}; it was cut short or replaced`);
  if (sha256OfFile(file) !== meta.sha256) throw corrupt(file, "does not match its checksum; it is corrupt");
  let index: HnswIndex;
  try {
    index = HnswIndex.load(file, meta.dimensions, meta.params);
  } catch (cause) {
    if (cause instanceof SentivecError) throw cause;
    throw corrupt(file, `could not be read by usearch (${(cause as Error).message})`, cause);
  }
  if (index.size !== meta.count) throw corrupt(file, `holds ${index.size} rows, but ${INDEX_META_FILE} says ${meta.count}`);
  return index;
}

/** sha256 (hex) of a file, read in slices (an index of a million rows is about a gigabyte). */
export function sha256OfFile(file: string): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(HASH_CHUNK);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, HASH_CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, "r+");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function nextGeneration(dir: string): number {
  let max = 0;
  for (const name of fs.readdirSync(dir)) {
    const g = INDEX_FILE.exec(name);
    if (g) max = Math.max(max, Number(g[1]));
  }
  return max + 1;
}

function removeOtherGenerations(dir: string, keep: string): void {
  try {
    for (const name of fs.readdirSync(dir)) if (INDEX_FILE.test(name) && name !== keep) fs.rmSync(path.join(dir, name), { force: true });
  } catch {
    // The new index is in place; a leftover old file is removed by the next save.
  }
}

function corrupt(file: string, what: string, cause?: unknown): StoreError {
  return new StoreError("STORE_INDEX_CORRUPT", `The approximate index ${what}.`, {
    where: { file },
    hint: "Rebuild it with `sentivec store index` (the store itself is not affected), or search exactly with --exact.",
    cause,
  });
}
