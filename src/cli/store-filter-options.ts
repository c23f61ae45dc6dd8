import { OptionsError } from "../errors.js";
import type { FilterMatch, FilterScalar, StoreFilter } from "../store/store-filter.js";
import type { VectorCollection } from "../store/collection/vector-collection.js";

/*
 * --filter field=value, shared by the commands that select rows of a store: store search, store label,
 * and train/evaluate/cv --store.
 */

/**
 * A filter on a field that no row has can only match nothing; that is almost always a typo, so say
 * which fields exist instead of printing an empty result.
 */
export async function checkFilterFields(target: VectorCollection, filter: StoreFilter | undefined, specs: string[]): Promise<void> {
  if (!filter || (await target.count()) === 0) return;
  const fields = await target.metadataFields();
  const labels = await target.labelNames();
  const known = `Fields: ${[...(labels.length ? ["label"] : []), ...fields].join(", ") || "none"}${labels.length ? `; labels: ${labels.join(", ")}` : ""}.`;
  if (filter.label !== undefined && labels.length === 0) {
    throw new OptionsError("STORE_FILTER_FIELD", `--filter ${specs.find((s) => s.trim().startsWith("label"))}: no row in this store has a label. ${known}`, {
      hint: "Drop the label filter, or add labelled data.",
    });
  }
  for (const field of Object.keys(filter.metadata ?? {})) {
    if (!fields.includes(field)) {
      throw new OptionsError("STORE_FILTER_FIELD", `--filter ${JSON.stringify(field)}: no row in this store has that field. ${known}`, {
        hint: "Filter on one of those fields.",
      });
    }
  }
}

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `label=negative`, `source=movies.csv`, `line=12`, `label=negative,neutral`. "label" filters the label;
 * any other name a top-level metadata field. A value that reads as a JSON number/boolean/null matches
 * both that value and the string (the CLI cannot know which one the row stored).
 */
export function parseFilters(specs: string[]): StoreFilter | undefined {
  if (specs.length === 0) return undefined;
  const filter: { label?: FilterMatch; metadata: Record<string, FilterMatch> } = { metadata: {} };
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq <= 0) {
      throw new OptionsError("STORE_FILTER_SYNTAX", `--filter "${spec}" is not field=value.`, { hint: "For example --filter label=negative or --filter source=movies.csv." });
    }
    const field = spec.slice(0, eq).trim();
    const values: FilterScalar[] = [];
    for (const raw of spec.slice(eq + 1).split(",")) {
      values.push(raw);
      const typed = scalarOf(raw);
      if (typed !== undefined) values.push(typed);
    }
    const match: FilterMatch = values.length === 1 ? values[0] : { in: values };
    if (field === "label") filter.label = match;
    else filter.metadata[field] = match;
  }
  return filter;
}

function scalarOf(raw: string): FilterScalar | undefined {
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (raw === "null") return null;
  if (raw.trim() !== "" && Number.isFinite(Number(raw))) return Number(raw);
  return undefined;
}
