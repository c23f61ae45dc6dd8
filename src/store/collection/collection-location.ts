import { StoreError } from "../store-error.js";
import type { CollectionBackend } from "./vector-collection.js";

/** The prefix that selects the LanceDB backend: `--store lance:DIR`. */
export const LANCE_PREFIX = "lance:";

/** A store folder and the backend that holds it. */
export interface CollectionLocation {
  backend: CollectionBackend;
  dir: string;
}

/**
 * `DIR` (the in-memory store, saved as files) or `lance:DIR` (a LanceDB table on disk); the library
 * can pass `{ dir, backend }` instead.
 */
export function parseCollectionLocation(location: string | CollectionLocation): CollectionLocation {
  if (typeof location === "object" && location !== null) {
    if (location.backend !== "memory" && location.backend !== "lance") {
      throw new StoreError("STORE_OPTIONS", `backend must be "memory" or "lance"; got ${JSON.stringify(location.backend)}.`);
    }
    return { backend: location.backend, dir: checkDir(location.dir, String(location.dir)) };
  }
  if (typeof location !== "string") throw new StoreError("STORE_OPTIONS", `A store location must be a folder path or "lance:DIR"; got ${JSON.stringify(location)}.`);
  if (location.startsWith(LANCE_PREFIX)) return { backend: "lance", dir: checkDir(location.slice(LANCE_PREFIX.length), location) };
  return { backend: "memory", dir: checkDir(location, location) };
}

/** How a location is written on the command line (for messages that suggest a next command). */
export function formatCollectionLocation(location: CollectionLocation): string {
  return location.backend === "lance" ? `${LANCE_PREFIX}${location.dir}` : location.dir;
}

function checkDir(dir: unknown, given: string): string {
  if (typeof dir !== "string" || dir.trim() === "") {
    throw new StoreError("STORE_LOCATION", `The store location ${JSON.stringify(given)} names no folder.`, {
      hint: "Give a folder, e.g. --store .sentivec/store or --store lance:.sentivec/lance.",
    });
  }
  return dir;
}
