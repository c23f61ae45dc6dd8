import { StoreError } from "../store-error.js";
import { requireModule } from "../../util/module-require.js";

/**
 * The part of usearch's Index this package uses. Declared here rather than imported from usearch's
 * own types because usearch is an optional dependency: sentivec must compile and run without it (only
 * approximate search needs it).
 */
export interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vector: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array };
  size(): number;
  dimensions(): number;
  connectivity(): number;
  save(path: string): void;
  load(path: string): void;
}

export interface UsearchIndexConfig {
  dimensions: number;
  metric: "ip";
  quantization: "f32" | "f16";
  connectivity: number;
  expansion_add: number;
  expansion_search: number;
  multi: false;
}

interface UsearchModule {
  Index: new (config: UsearchIndexConfig) => UsearchIndex;
}

let loaded: UsearchModule | undefined;

/**
 * usearch (a native module, ~5 MB) loaded at the first index built or opened, never at start-up: the
 * offline predict path and exact `store search` do not pay for it. A missing install (it is optional:
 * a platform without a prebuilt binary skips it) is a one-line error saying how to get it.
 */
export function loadUsearch(): UsearchModule {
  if (loaded) return loaded;
  try {
    loaded = requireModule<UsearchModule>("usearch");
  } catch (cause) {
    throw new StoreError("STORE_INDEX_UNAVAILABLE", `Approximate search needs the optional package usearch, which could not be loaded (${(cause as Error).message.split("\n")[0]}).`, {
      hint: "Install it with `npm install usearch@2.25.3`, or search exactly (store search --exact).",
      cause,
    });
  }
  return loaded;
}
