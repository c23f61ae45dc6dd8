import { type FilterMatch, type FilterScalar, type StoreFilter, compileFilter } from "../store-filter.js";

/**
 * A StoreFilter as a LanceDB SQL prefilter, so Lance narrows the rows before it ranks them and no
 * filtering pass over every row happens in JS.
 *
 * The label is a column, so its condition is exact. Metadata is one JSON text column (rows have any
 * fields), and LanceDB 0.31's JSON functions only take its binary JSON type; so a metadata condition
 * becomes `metadata LIKE '%"field":value%'` on the text JSON.stringify wrote, which every matching row
 * satisfies but a few others may too (the pair nested deeper, `_`/`%` read as wildcards, 12 matching
 * 123). The result is a superset: callers apply the exact predicate (compileFilter) to what comes back,
 * and `exact` says when that is not needed.
 */
export function filterToSql(filter: StoreFilter | undefined): { where: string | undefined; exact: boolean } {
  compileFilter(filter); // the same shape checks and messages as the in-memory store
  if (filter === undefined || filter === null) return { where: undefined, exact: true };
  const parts: string[] = [];
  if (filter.label !== undefined) {
    const labels = values(filter.label).filter((v): v is string => typeof v === "string");
    parts.push(labels.length === 0 ? "FALSE" : `label IN (${labels.map(sqlString).join(", ")})`);
  }
  const metadata = Object.entries(filter.metadata ?? {});
  for (const [field, match] of metadata) {
    const alternatives = values(match).map((v) => `metadata LIKE ${sqlString(`%${JSON.stringify(field)}:${JSON.stringify(v)}%`)}`);
    parts.push(alternatives.length === 0 ? "FALSE" : `(${alternatives.join(" OR ")})`);
  }
  return { where: parts.length === 0 ? undefined : parts.join(" AND "), exact: metadata.length === 0 };
}

/** `id IN (...)` for a batch of ids. */
export function idsInSql(ids: readonly string[]): string {
  return `id IN (${ids.map(sqlString).join(", ")})`;
}

/** A SQL string literal: single quotes doubled (DataFusion reads backslashes literally). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function values(match: FilterMatch): FilterScalar[] {
  // Casts, not narrowing: tslab compiles this file for the notebooks without strictNullChecks, where
  // `match !== null` narrows nothing and the plain form fails to compile there.
  return typeof match === "object" && match !== null ? [...(match as { in: readonly FilterScalar[] }).in] : [match as FilterScalar];
}
