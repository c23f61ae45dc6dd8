import { type LabelScheme, isLabelScheme } from "../data/parse-label.js";
import { canonicalJson } from "../util/canonical-json.js";
import { StoreError } from "./store-error.js";

/**
 * A store's record of how `store add` read its files' labels, shared by both backends: each scheme
 * once, in the order first seen. A model trained on the store records the scheme only when there is
 * exactly one: rows read as "stars" and rows read as "binary" leave the model's scheme unknown, and
 * `evaluate` then asks for the flag, as it does for a model trained before schemes were recorded.
 */
export function withLabelScheme(schemes: readonly LabelScheme[], scheme: LabelScheme): LabelScheme[] {
  if (!isLabelScheme(scheme)) {
    throw new StoreError("STORE_LABEL_SCHEME", `${JSON.stringify(scheme)} is not a label scheme.`, { hint: 'Pass "binary", "stars", "stars3", "stars5", "any" or { map: {...} }.' });
  }
  const key = canonicalJson(scheme);
  return schemes.some((s) => canonicalJson(s) === key) ? [...schemes] : [...schemes, scheme];
}

/** `{ labelScheme }` for a training set when the store knows exactly one scheme, else nothing. */
export function singleLabelScheme(schemes: readonly LabelScheme[] | undefined): { labelScheme?: LabelScheme } {
  return schemes !== undefined && schemes.length === 1 ? { labelScheme: schemes[0] } : {};
}

/** Whether a manifest's `labelSchemes` (absent in older stores) is well formed. */
export function validLabelSchemes(schemes: unknown): boolean {
  return schemes === undefined || (Array.isArray(schemes) && schemes.every(isLabelScheme));
}
