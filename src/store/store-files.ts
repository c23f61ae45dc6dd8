import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { endianness } from "node:os";
import * as path from "node:path";
import { removeTempFiles, writeFileAtomicSync } from "../util/atomic-file.js";
import { canonicalJson } from "../util/canonical-json.js";
import { lockDirSync } from "../util/dir-lock.js";
import { faultPoint } from "../util/fault-hooks.js";
import { refuseForeignJson } from "../util/foreign-file.js";
import { ensureDir } from "../util/output-path.js";
import { storeSaveError } from "./store-save-error.js";
import type { LabelScheme } from "../data/parse-label.js";
import { validLabelSchemes } from "./label-schemes.js";
import type { Metadata } from "./store-filter.js";
import { StoreError } from "./store-error.js";

/**
 * On-disk layout of a saved store, one directory:
 *
 *   manifest.json        ids, labels, metadata, embedder id, dims, count, sha256 — and which vector file
 *   vectors.<gen>.f32    count × dims raw little-endian float32, row-major (no header, no JSON numbers)
 *
 * A save writes `vectors.<gen+1>.f32` and then `manifest.json`, each to a temp file that is fsynced and
 * renamed into place, the manifest last (src/util/atomic-file.ts). Until the manifest rename lands,
 * manifest.json still names the previous generation's vector file, which is untouched; so a crash at
 * any point leaves the last good pair loadable. Old generations are deleted only after the new manifest
 * is in place. A save holds the folder's lock (src/util/dir-lock.ts), and first removes the temp files
 * of saves that were killed.
 */
export const MANIFEST_FILE = "manifest.json";
export const STORE_FORMAT = "sentivec-vector-store";
/** 2 adds the manifest checksum; version 1 stores (no checksum) still load. */
export const STORE_FORMAT_VERSION = 2;
const READABLE_VERSIONS = [1, 2];

const VECTOR_FILE = /^vectors\.(\d+)\.f32$/;
/** Read/write in 64 MiB slices: big enough to stream at disk speed, small enough to hash while hot in cache. */
const CHUNK = 64 * 1024 * 1024;

export interface StoreManifest {
  format: typeof STORE_FORMAT;
  formatVersion: number;
  generation: number;
  vectorsFile: string;
  byteOrder: "little-endian";
  embedderId: string;
  dimensions: number;
  count: number;
  /** sha256 (hex) of the whole vector file. */
  sha256: string;
  savedAt: string;
  ids: string[];
  labels: (string | null)[];
  metadata: (Metadata | null)[];
  /**
   * How `store add` read the label columns of the files that gave rows their labels ("stars", a label
   * map...), each scheme once; absent when none was recorded (stores saved before it was). A model
   * trained on the store records the scheme when there is exactly one, so `evaluate` reads a file of the
   * same kind without the flag again.
   */
  labelSchemes?: LabelScheme[];
  /** sha256 of everything above but savedAt (see storeManifestChecksum): an edited label or id fails to load. */
  checksum: string;
}

/** What a save writes: the rows, their vectors as one view of count × dims floats. */
export interface StoreSnapshot {
  embedderId: string;
  dimensions: number;
  ids: readonly string[];
  labels: readonly (string | undefined)[];
  metadata: readonly (Metadata | undefined)[];
  vectors: Float32Array;
  labelSchemes?: readonly LabelScheme[];
}

export interface SaveResult {
  dir: string;
  manifestFile: string;
  vectorsFile: string;
  generation: number;
  count: number;
  bytes: number;
  /** sha256 (hex) of the vector file, as the manifest records it. */
  sha256: string;
}

export function writeStoreFiles(dir: string, snap: StoreSnapshot): SaveResult {
  const count = snap.ids.length;
  if (snap.vectors.length !== count * snap.dimensions) {
    throw new StoreError("STORE_INTERNAL", `Snapshot has ${snap.vectors.length} floats for ${count} × ${snap.dimensions}.`);
  }
  ensureDir(dir, "vector store");
  const lock = lockDirSync(dir, { what: "vector store" });
  let vectorsPath: string | undefined;
  let switched = false;
  try {
    refuseForeignJson(path.join(dir, MANIFEST_FILE), STORE_FORMAT, "vector store");
    removeTempFiles(dir, /^(manifest\.json|vectors\.\d+\.f32)$/);
    const generation = nextGeneration(dir);
    const vectorsName = `vectors.${generation}.f32`;
    vectorsPath = path.join(dir, vectorsName);
    const manifestPath = path.join(dir, MANIFEST_FILE);
    const bytes = littleEndianBytes(snap.vectors);
    const sha256 = writeFileAtomicSync(vectorsPath, bytes, "vectors");
    const unsigned: Omit<StoreManifest, "checksum"> = {
      format: STORE_FORMAT,
      formatVersion: STORE_FORMAT_VERSION,
      generation,
      vectorsFile: vectorsName,
      byteOrder: "little-endian",
      embedderId: snap.embedderId,
      dimensions: snap.dimensions,
      count,
      sha256,
      savedAt: new Date().toISOString(),
      ids: snap.ids.slice(),
      labels: snap.labels.map((l) => l ?? null),
      metadata: snap.metadata.map((m) => m ?? null),
      // Only when there is one, so a store without any keeps its manifest (and checksum) as before.
      ...(snap.labelSchemes && snap.labelSchemes.length > 0 ? { labelSchemes: snap.labelSchemes.slice() } : {}),
    };
    const manifest: StoreManifest = { ...unsigned, checksum: storeManifestChecksum(unsigned) };
    writeFileAtomicSync(manifestPath, JSON.stringify(manifest), "manifest");
    switched = true;
    faultPoint("store:switched", dir);
    removeOldGenerations(dir, generation);
    return { dir, manifestFile: manifestPath, vectorsFile: vectorsPath, generation, count, bytes: bytes.byteLength, sha256 };
  } catch (cause) {
    // Not switched: manifest.json still names the previous vector file; the new one is of no use.
    if (!switched && vectorsPath) fs.rmSync(vectorsPath, { force: true });
    throw storeSaveError(cause, { code: "STORE_SAVE", what: "vector store", dir, unchanged: "The previous save, if any, is intact." });
  } finally {
    lock.release();
  }
}

/**
 * sha256 over what decides search and kNN results: the scalar fields (canonical JSON), then ids,
 * labels and metadata as JSON. savedAt is left out; metadata objects keep their written key order
 * (re-serialising a parsed manifest reproduces it), which keeps this to one JSON.stringify pass.
 */
export function storeManifestChecksum(m: Omit<StoreManifest, "checksum">): string {
  const { ids, labels, metadata, savedAt: _savedAt, ...scalars } = m as StoreManifest;
  delete (scalars as { checksum?: string }).checksum;
  return createHash("sha256")
    .update(canonicalJson(scalars))
    .update(JSON.stringify(ids))
    .update(JSON.stringify(labels))
    .update(JSON.stringify(metadata))
    .digest("hex");
}

/** Reads and checks manifest.json (no vectors). */
export function readStoreManifest(dir: string): StoreManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new StoreError("STORE_NOT_FOUND", code === "ENOENT" ? `No saved vector store here (${MANIFEST_FILE} is missing).` : `Cannot read ${MANIFEST_FILE}: ${(cause as Error).message}`, {
      where: { file },
      hint: code === "ENOENT" ? "Save a store to this directory first (VectorStore#save or `sentivec store add`)." : undefined,
      cause,
    });
  }
  let m: StoreManifest;
  try {
    m = JSON.parse(text) as StoreManifest;
  } catch (cause) {
    throw corrupt(file, `is not valid JSON (${(cause as Error).message}); it is truncated or corrupt`, cause);
  }
  if (typeof m !== "object" || m === null || m.format !== STORE_FORMAT) throw corrupt(file, "is not a sentivec vector store manifest");
  if (!READABLE_VERSIONS.includes(m.formatVersion)) {
    throw new StoreError("STORE_VERSION", `Store format version ${m.formatVersion} is not one this sentivec reads (${READABLE_VERSIONS.join(" and ")}).`, {
      where: { file },
      hint: "Upgrade sentivec, or rebuild the store.",
    });
  }
  const count = m.count;
  const okCount = Number.isInteger(count) && count >= 0;
  if (!okCount || !Number.isInteger(m.dimensions) || m.dimensions < 1) throw corrupt(file, "has an invalid count or dimensions");
  if (typeof m.embedderId !== "string" || typeof m.sha256 !== "string" || typeof m.vectorsFile !== "string" || !VECTOR_FILE.test(m.vectorsFile)) {
    throw corrupt(file, "is missing its embedder id, checksum or vector file name");
  }
  if (m.byteOrder !== "little-endian") throw corrupt(file, `names byte order ${JSON.stringify(m.byteOrder)}; only little-endian is written`);
  for (const [key, arr] of [["ids", m.ids], ["labels", m.labels], ["metadata", m.metadata]] as const) {
    if (!Array.isArray(arr) || arr.length !== count) {
      throw corrupt(file, `has ${Array.isArray(arr) ? arr.length : "no"} ${key} for ${count} rows`);
    }
  }
  if (!validLabelSchemes(m.labelSchemes)) {
    throw corrupt(file, "has a label scheme this sentivec does not know");
  }
  if (m.formatVersion >= 2) {
    if (typeof m.checksum !== "string") throw corrupt(file, "has no checksum");
    if (storeManifestChecksum(m) !== m.checksum) {
      throw new StoreError("STORE_MANIFEST_EDITED", "The store manifest was changed after it was saved: its ids, labels, metadata or settings no longer match its checksum (an edited label would silently change results).", {
        where: { file },
        hint: "Undo the edit, restore the store directory from a backup, or rebuild the store.",
      });
    }
  }
  return m;
}

/**
 * Reads the manifest's vector file into `into` (count × dims floats), checking its size and, unless
 * `verify` is false, its sha256. No JSON numbers are parsed; the bytes land in place.
 */
export function readStoreVectors(dir: string, m: StoreManifest, into: Float32Array, verify = true): void {
  const { file, bytes, expected } = prepareRead(dir, m, into);
  faultPoint("store:manifest-read", dir);
  const fd = openVectors(file, m);
  try {
    checkSize(file, m, fs.fstatSync(fd).size, expected);
    const hash = verify ? createHash("sha256") : null;
    let done = 0;
    while (done < expected) {
      const got = fs.readSync(fd, bytes, done, Math.min(CHUNK, expected - done), done);
      if (got === 0) throw endedEarly(file, done, expected);
      hash?.update(bytes.subarray(done, done + got));
      done += got;
    }
    if (hash) checkHash(file, m, hash.digest("hex"));
  } finally {
    fs.closeSync(fd);
  }
  if (endianness() === "BE") swapBytes32(bytes);
}

/**
 * The same, overlapped: while the libuv threadpool reads chunk i+1 (the kernel copy, and the page
 * faults of touching a fresh buffer for the first time), this thread hashes chunk i. Loading
 * 100k × 1536 then costs about max(read, hash) instead of read + hash.
 */
export async function readStoreVectorsAsync(dir: string, m: StoreManifest, into: Float32Array, verify = true): Promise<void> {
  const { file, bytes, expected } = prepareRead(dir, m, into);
  faultPoint("store:manifest-read", dir);
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, "r");
  } catch (cause) {
    throw missing(file, m, cause);
  }
  try {
    checkSize(file, m, (await fh.stat()).size, expected);
    const hash = verify ? createHash("sha256") : null;
    const readAt = (pos: number) => fh.read(bytes, pos, Math.min(ASYNC_CHUNK, expected - pos), pos);
    let pos = 0;
    let pending = expected > 0 ? readAt(0) : null;
    while (pending) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) throw endedEarly(file, pos, expected);
      const start = pos;
      pos += bytesRead;
      pending = pos < expected ? readAt(pos) : null;
      hash?.update(bytes.subarray(start, pos));
    }
    if (hash) checkHash(file, m, hash.digest("hex"));
  } finally {
    await fh.close();
  }
  if (endianness() === "BE") swapBytes32(bytes);
}

/** Small enough that hashing a chunk and reading the next overlap well; big enough to keep syscalls few. */
const ASYNC_CHUNK = 8 * 1024 * 1024;

function prepareRead(dir: string, m: StoreManifest, into: Float32Array): { file: string; bytes: Uint8Array; expected: number } {
  const expected = m.count * m.dimensions * 4;
  if (into.length !== m.count * m.dimensions) throw new StoreError("STORE_INTERNAL", "Destination buffer has the wrong size.");
  return { file: path.join(dir, m.vectorsFile), bytes: new Uint8Array(into.buffer, into.byteOffset, expected), expected };
}

function openVectors(file: string, m: StoreManifest): number {
  try {
    return fs.openSync(file, "r");
  } catch (cause) {
    throw missing(file, m, cause);
  }
}

function missing(file: string, m: StoreManifest, cause: unknown): StoreError {
  return new StoreError("STORE_VECTORS_MISSING", `The vector file ${m.vectorsFile} named by ${MANIFEST_FILE} cannot be opened (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}).`, {
    where: { file },
    hint: "The store directory is incomplete; restore it from a backup or rebuild the store.",
    cause,
  });
}

function checkSize(file: string, m: StoreManifest, size: number, expected: number): void {
  if (size !== expected) {
    throw new StoreError("STORE_VECTORS_TRUNCATED", `${size < expected ? "Truncated" : "Oversized"} vector file: ${size} bytes, but ${m.count} vectors × ${m.dimensions} dims need ${expected}.`, {
      where: { file },
      hint: "The file was cut short or replaced; restore it from a backup or rebuild the store.",
    });
  }
}

function endedEarly(file: string, done: number, expected: number): StoreError {
  return new StoreError("STORE_VECTORS_TRUNCATED", `Vector file ended after ${done} of ${expected} bytes.`, { where: { file } });
}

function checkHash(file: string, m: StoreManifest, sha: string): void {
  if (sha !== m.sha256) {
    throw new StoreError("STORE_VECTORS_CORRUPT", `Vector file is corrupt: its sha256 is ${sha.slice(0, 12)}…, the manifest expects ${m.sha256.slice(0, 12)}….`, {
      where: { file },
      hint: "Restore the store from a backup or rebuild it.",
    });
  }
}

/** One past the highest generation the manifest or any vector file mentions, so no save overwrites a file in use. */
function nextGeneration(dir: string): number {
  let max = 0;
  for (const name of fs.readdirSync(dir)) {
    const g = VECTOR_FILE.exec(name);
    if (g) max = Math.max(max, Number(g[1]));
  }
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), "utf8")) as Partial<StoreManifest>;
    if (Number.isInteger(m.generation)) max = Math.max(max, m.generation as number);
  } catch {
    // no manifest or an unreadable one: the file scan above is enough
  }
  return max + 1;
}

function removeOldGenerations(dir: string, keep: number): void {
  try {
    for (const name of fs.readdirSync(dir)) {
      const g = VECTOR_FILE.exec(name);
      if (g && Number(g[1]) !== keep) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // The new save is already in place; a leftover old vector file is removed by the next save.
  }
}

function littleEndianBytes(v: Float32Array): Uint8Array {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (endianness() === "LE") return bytes;
  const copy = bytes.slice();
  swapBytes32(copy);
  return copy;
}

function swapBytes32(b: Uint8Array): void {
  for (let i = 0; i + 3 < b.length; i += 4) {
    const t0 = b[i], t1 = b[i + 1];
    b[i] = b[i + 3];
    b[i + 1] = b[i + 2];
    b[i + 2] = t1;
    b[i + 3] = t0;
  }
}

function corrupt(file: string, what: string, cause?: unknown): StoreError {
  return new StoreError("STORE_MANIFEST_CORRUPT", `The store manifest ${what}.`, {
    where: { file },
    hint: "Restore the store directory from a backup or rebuild the store.",
    cause,
  });
}
