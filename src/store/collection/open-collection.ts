import { existsSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_FILE, readStoreManifest } from "../store-files.js";
import { hasLanceManifest, readLanceManifest } from "../lance/lance-manifest.js";
import { type CollectionLocation, parseCollectionLocation } from "./collection-location.js";
import { MemoryCollection } from "./memory-collection.js";
import type { CollectionSpace, VectorCollection } from "./vector-collection.js";

export interface OpenCollectionOptions {
  /** If no collection is there yet, create an empty one in this vector space (the caller holds the folder's lock). */
  create?: CollectionSpace;
}

/**
 * Opens the store at `location`: a folder (the in-memory VectorStore, loaded whole) or `lance:DIR` (a
 * LanceDB table read from disk as needed). LanceDB is loaded here, on first use, never at start-up.
 */
export async function openCollection(location: string | CollectionLocation, options: OpenCollectionOptions = {}): Promise<VectorCollection> {
  const { backend, dir } = parseCollectionLocation(location);
  if (backend === "memory") return MemoryCollection.open(dir, options.create);
  const { LanceCollection } = await import("../lance/lance-collection.js");
  return LanceCollection.open(dir, options.create);
}

/**
 * The vector space of the collection at `location`, read from its manifest alone (no rows, no LanceDB),
 * or undefined if there is none yet: `store add` needs it before it embeds anything.
 */
export function peekCollectionSpace(location: string | CollectionLocation): CollectionSpace | undefined {
  const { backend, dir } = parseCollectionLocation(location);
  if (backend === "memory") {
    if (!existsSync(join(dir, MANIFEST_FILE))) return undefined;
    const m = readStoreManifest(dir);
    return { embedderId: m.embedderId, dimensions: m.dimensions };
  }
  if (!hasLanceManifest(dir)) return undefined;
  const m = readLanceManifest(dir);
  return { embedderId: m.embedderId, dimensions: m.dimensions };
}

/** peekCollectionSpace() for a collection that must exist: a missing one is the backend's "no store here" error. */
export function readCollectionSpace(location: string | CollectionLocation): CollectionSpace {
  const { backend, dir } = parseCollectionLocation(location);
  const m = backend === "memory" ? readStoreManifest(dir) : readLanceManifest(dir);
  return { embedderId: m.embedderId, dimensions: m.dimensions };
}
