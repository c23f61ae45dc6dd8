import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomicSync } from "../../util/atomic-file.js";
import type { LabelScheme } from "../../data/parse-label.js";
import { validLabelSchemes } from "../label-schemes.js";
import { StoreError } from "../store-error.js";
import { MANIFEST_FILE } from "../store-files.js";

/**
 * `sentivec-lance.json`, beside the Lance table in a lance: store's folder: what the table itself does
 * not say. The embedder id (a model trained on the store records it, and a mismatched model is
 * refused), and the labels and metadata fields ever written, so that `--filter` can name the fields
 * that exist without reading every row. Those two lists only grow: they are written before the rows
 * they describe are committed, so a kill in between leaves them a superset, never missing a field.
 */
export const LANCE_MANIFEST_FILE = "sentivec-lance.json";
export const LANCE_FORMAT = "sentivec-lance-store";
export const LANCE_FORMAT_VERSION = 1;
/** The table's name in the LanceDB folder (the data is in `rows.lance/`). */
export const LANCE_TABLE = "rows";

export interface LanceManifest {
  format: typeof LANCE_FORMAT;
  formatVersion: number;
  embedderId: string;
  dimensions: number;
  table: string;
  labels: string[];
  metadataFields: string[];
  /** How `store add` read the files' labels, each scheme once (src/store/label-schemes.ts); absent in older stores. */
  labelSchemes?: LabelScheme[];
}

export function lanceManifestPath(dir: string): string {
  return path.join(dir, LANCE_MANIFEST_FILE);
}

export function hasLanceManifest(dir: string): boolean {
  return fs.existsSync(lanceManifestPath(dir));
}

export function readLanceManifest(dir: string): LanceManifest {
  const file = lanceManifestPath(dir);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    if (missing && fs.existsSync(path.join(dir, MANIFEST_FILE))) {
      throw new StoreError("STORE_BACKEND", "This folder holds an in-memory vector store, not a Lance one.", {
        where: { file: dir },
        hint: `Use --store ${dir} (without lance:), or another folder for a Lance store.`,
      });
    }
    throw new StoreError("STORE_NOT_FOUND", missing ? `No Lance vector store here (${LANCE_MANIFEST_FILE} is missing).` : `Cannot read ${LANCE_MANIFEST_FILE}: ${(cause as Error).message}`, {
      where: { file },
      hint: missing ? "Create one with sentivec store add FILE --store lance:DIR, or check the folder." : undefined,
      cause,
    });
  }
  let m: LanceManifest;
  try {
    m = JSON.parse(text) as LanceManifest;
  } catch {
    throw corrupt(file, "is not valid JSON; it is truncated or corrupt");
  }
  if (m === null || typeof m !== "object" || m.format !== LANCE_FORMAT) throw corrupt(file, "is not a sentivec Lance store manifest");
  if (m.formatVersion !== LANCE_FORMAT_VERSION) {
    throw new StoreError("STORE_VERSION", `Lance store format version ${m.formatVersion} is not one this sentivec reads (${LANCE_FORMAT_VERSION}).`, {
      where: { file },
      hint: "Upgrade sentivec, or rebuild the store.",
    });
  }
  const strings = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === "string");
  if (typeof m.embedderId !== "string" || m.embedderId === "" || !Number.isInteger(m.dimensions) || m.dimensions < 1 || m.table !== LANCE_TABLE) {
    throw corrupt(file, "has an invalid embedder id, dimensions or table name");
  }
  if (!strings(m.labels) || !strings(m.metadataFields)) throw corrupt(file, "has invalid label or field lists");
  if (!validLabelSchemes(m.labelSchemes)) throw corrupt(file, "has a label scheme this sentivec does not know");
  return m;
}

/** Writes the manifest atomically (the caller holds the folder's lock). */
export function writeLanceManifest(dir: string, m: LanceManifest): void {
  writeFileAtomicSync(lanceManifestPath(dir), JSON.stringify(m, null, 2) + "\n", "lance-manifest");
}

function corrupt(file: string, what: string): StoreError {
  return new StoreError("STORE_MANIFEST_CORRUPT", `${LANCE_MANIFEST_FILE} ${what}.`, {
    where: { file },
    hint: "Restore the store folder from a backup or rebuild the store.",
  });
}
