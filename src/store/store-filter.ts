import { StoreError } from "./store-error.js";

/** A JSON value as stored in metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A row's metadata: a JSON object. */
export type Metadata = { [field: string]: JsonValue };

/** Values a filter can match: equality on JSON scalars. */
export type FilterScalar = string | number | boolean | null;
/** One value, or any of several (`{ in: [...] }`). */
export type FilterMatch = FilterScalar | { in: readonly FilterScalar[] };

/**
 * Which rows a search may return. All given conditions must hold (AND).
 * `label: "negative"` or `label: { in: ["negative", "neutral"] }`; metadata conditions are on
 * top-level fields, e.g. `metadata: { source: "imdb", year: { in: [2020, 2021] } }`.
 * A field that is missing never matches (not even `null`).
 */
export interface StoreFilter {
  label?: FilterMatch;
  metadata?: { readonly [field: string]: FilterMatch };
}

/** Compiled form: true when a row passes. */
export type RowPredicate = (label: string | undefined, metadata: Metadata | undefined) => boolean;

/** Checks a filter's shape once (clear errors for typos) and returns a fast predicate, or null for "all rows". */
export function compileFilter(filter: StoreFilter | undefined): RowPredicate | null {
  if (filter === undefined || filter === null) return null;
  if (typeof filter !== "object" || Array.isArray(filter)) {
    throw new StoreError("STORE_FILTER", `A filter must be an object like { label: "negative" }; got ${JSON.stringify(filter)}.`);
  }
  for (const key of Object.keys(filter)) {
    if (key !== "label" && key !== "metadata") {
      throw new StoreError("STORE_FILTER", `Unknown filter key "${key}".`, {
        hint: 'Use { label: ..., metadata: { field: ... } }; metadata fields go under "metadata".',
      });
    }
  }
  const tests: RowPredicate[] = [];
  if (filter.label !== undefined) {
    const match = compileMatch(filter.label, "label");
    tests.push((label) => label !== undefined && match(label));
  }
  if (filter.metadata !== undefined) {
    if (typeof filter.metadata !== "object" || filter.metadata === null || Array.isArray(filter.metadata)) {
      throw new StoreError("STORE_FILTER", "filter.metadata must be an object of field → value.");
    }
    for (const [field, spec] of Object.entries(filter.metadata)) {
      const match = compileMatch(spec, `metadata.${field}`);
      tests.push((_label, metadata) => metadata !== undefined && Object.hasOwn(metadata, field) && match(metadata[field]));
    }
  }
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0];
  return (label, metadata) => {
    for (const t of tests) if (!t(label, metadata)) return false;
    return true;
  };
}

function compileMatch(spec: FilterMatch, where: string): (value: JsonValue | undefined) => boolean {
  if (isScalar(spec)) return (v) => v === spec;
  if (typeof spec === "object" && spec !== null && !Array.isArray(spec) && Array.isArray((spec as { in: unknown }).in)) {
    const keys = Object.keys(spec);
    if (keys.length !== 1) {
      throw new StoreError("STORE_FILTER", `Filter on ${where} has unknown keys ${JSON.stringify(keys)}; only "in" is supported.`);
    }
    const values = (spec as { in: unknown[] }).in;
    for (const v of values) {
      if (!isScalar(v)) throw new StoreError("STORE_FILTER", `Filter on ${where}: "in" values must be strings, numbers, booleans or null; got ${JSON.stringify(v)}.`);
    }
    const set = new Set<unknown>(values);
    return (v) => v !== undefined && isScalar(v) && set.has(v);
  }
  throw new StoreError("STORE_FILTER", `Filter on ${where} must be a value or { in: [values] }; got ${JSON.stringify(spec)}.`);
}

function isScalar(v: unknown): v is FilterScalar {
  return v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}
