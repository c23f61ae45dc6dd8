import { DataError, type ErrorWhere } from "../errors.js";

/** How label values are read. "binary": 1/0, true/false, pos/neg, positive/negative. "stars": 1–5 ratings. */
export type LabelScheme = "binary" | "stars";

export const NEGATIVE = "negative";
export const POSITIVE = "positive";

const BINARY: Record<string, string> = {
  "1": POSITIVE, true: POSITIVE, pos: POSITIVE, positive: POSITIVE,
  "0": NEGATIVE, false: NEGATIVE, neg: NEGATIVE, negative: NEGATIVE,
};

/**
 * Reads one raw label value. Returns the label name, or null for a neutral star rating (3), which the
 * loader drops and counts. Throws a DataError naming the value and what is accepted.
 */
export function parseLabel(raw: unknown, scheme: LabelScheme, where: ErrorWhere): string | null {
  if (scheme === "stars") {
    const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw.trim()) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= 5) return n <= 2 ? NEGATIVE : n >= 4 ? POSITIVE : null;
    throw new DataError("DATA_UNKNOWN_LABEL", `Unknown star rating ${JSON.stringify(raw)}.`, {
      where,
      hint: "Star ratings must be whole numbers 1–5 (1–2 negative, 3 dropped, 4–5 positive).",
    });
  }
  const key = typeof raw === "boolean" || typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim().toLowerCase() : undefined;
  const label = key === undefined ? undefined : BINARY[key];
  if (label) return label;
  const starsHint = typeof raw === "string" && /^[2-5]$/.test(raw.trim()) ? " It looks like a star rating: pass labels \"stars\" (--stars)." : "";
  throw new DataError("DATA_UNKNOWN_LABEL", `Unknown label value ${JSON.stringify(raw)}.`, {
    where,
    hint: `Accepted: 1/0, true/false, pos/neg, positive/negative.${starsHint}`,
  });
}
