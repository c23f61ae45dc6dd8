import { DataError, type ErrorWhere, OptionsError } from "../errors.js";

/**
 * How label values are read:
 * - "binary": 1/0, true/false, pos/neg, positive/negative;
 * - "stars": 1–5 ratings, 1–2 negative, 4–5 positive, 3 dropped (two classes);
 * - "stars3": 1–2 negative, 3 neutral, 4–5 positive;
 * - "stars5": five classes named "1" … "5";
 * - "any": every distinct value (trimmed) is a class, as written;
 * - { map }: raw value (trimmed) → class name; a value mapped to null is dropped (and counted).
 * The scheme is recorded in model bundles, so a model reads new files the way it read its training data.
 */
export type LabelScheme = "binary" | "stars" | "stars3" | "stars5" | "any" | LabelMap;

export interface LabelMap {
  map: Record<string, string | null>;
}

export const NEGATIVE = "negative";
export const NEUTRAL = "neutral";
export const POSITIVE = "positive";

const BINARY: Record<string, string> = {
  "1": POSITIVE, true: POSITIVE, pos: POSITIVE, positive: POSITIVE,
  "0": NEGATIVE, false: NEGATIVE, neg: NEGATIVE, negative: NEGATIVE,
};

/**
 * How to name each scheme in a hint. The library's words by default; the CLI passes its option names
 * (`--stars 3`), so each user is told what to type where they are.
 */
export type LabelWording = Record<"stars" | "stars3" | "stars5" | "any" | "map", string>;

export const LIBRARY_LABEL_WORDING: LabelWording = {
  stars: 'labels: "stars"',
  stars3: 'labels: "stars3"',
  stars5: 'labels: "stars5"',
  any: 'labels: "any"',
  map: "labels: { map: {...} }",
};

/**
 * Reads one raw label value. Returns the class name, or null for a value the scheme drops (3 stars
 * under "stars", a value mapped to null), which the loader counts. Throws a DataError naming the value
 * and what is accepted.
 */
export function parseLabel(raw: unknown, scheme: LabelScheme, where: ErrorWhere, wording: LabelWording = LIBRARY_LABEL_WORDING): string | null {
  if (scheme === "stars" || scheme === "stars3" || scheme === "stars5") {
    const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw.trim()) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= 5) {
      if (scheme === "stars5") return String(n);
      return n <= 2 ? NEGATIVE : n >= 4 ? POSITIVE : scheme === "stars3" ? NEUTRAL : null;
    }
    throw new DataError("DATA_UNKNOWN_LABEL", `Unknown star rating ${JSON.stringify(raw)}.`, {
      where,
      hint: `Star ratings must be whole numbers 1–5 (${scheme === "stars" ? "1–2 negative, 3 dropped, 4–5 positive" : scheme === "stars3" ? "1–2 negative, 3 neutral, 4–5 positive" : "each its own class"}).`,
    });
  }
  const key = typeof raw === "boolean" || typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : undefined;
  if (scheme === "any") {
    if (key !== undefined && key !== "") return key;
    throw new DataError("DATA_UNKNOWN_LABEL", `The label is ${key === "" ? "empty" : JSON.stringify(raw) ?? "missing"}.`, {
      where,
      hint: "Every row needs a label (any text); fix the row or skip bad rows.",
    });
  }
  if (typeof scheme === "object") {
    if (key !== undefined && Object.hasOwn(scheme.map, key)) return scheme.map[key];
    throw new DataError("DATA_UNKNOWN_LABEL", `Label value ${JSON.stringify(raw)} is not in the label map (${Object.keys(scheme.map).map((k) => JSON.stringify(k)).join(", ")}).`, {
      where,
      hint: "Add it to the map, or map it to nothing to drop such rows.",
    });
  }
  const label = key === undefined ? undefined : BINARY[key.toLowerCase()];
  if (label) return label;
  const stars = typeof raw === "string" && /^[2-5]$/.test(raw.trim()) || (typeof raw === "number" && Number.isInteger(raw) && raw >= 2 && raw <= 5);
  const suggest = stars
    ? ` It looks like a star rating: use ${wording.stars} for two classes, ${wording.stars3} for three or ${wording.stars5} for five.`
    : ` For other labels use ${wording.any} (each value its own class) or ${wording.map}.`;
  throw new DataError("DATA_UNKNOWN_LABEL", `Unknown label value ${JSON.stringify(raw)}.`, {
    where,
    hint: `Accepted: 1/0, true/false, pos/neg, positive/negative.${suggest}`,
  });
}

/**
 * Parses a label map written "1,2=negative;3=neutral;4,5=positive": groups separated by ";", each
 * "values=class", values separated by ",". "3=" drops rows whose label is 3. `what` names the option in
 * messages ("--label-map").
 */
export function parseLabelMap(spec: string, what = "the label map"): LabelMap {
  const map: Record<string, string | null> = {};
  const groups = spec.split(";").map((g) => g.trim()).filter((g) => g !== "");
  const example = 'write it as "1,2=negative;3=neutral;4,5=positive" (a value mapped to nothing, "3=", is dropped)';
  if (groups.length === 0) throw new OptionsError("LABEL_MAP", `${what} is empty; ${example}.`);
  for (const group of groups) {
    const eq = group.indexOf("=");
    if (eq < 0) throw new OptionsError("LABEL_MAP", `${what}: "${group}" has no "="; ${example}.`);
    const name = group.slice(eq + 1).trim();
    if (name.includes("=")) throw new OptionsError("LABEL_MAP", `${what}: "${group}" has more than one "="; ${example}.`);
    const values = group.slice(0, eq).split(",").map((v) => v.trim());
    if (values.some((v) => v === "")) throw new OptionsError("LABEL_MAP", `${what}: "${group}" has an empty value before "="; ${example}.`);
    for (const v of values) {
      if (Object.hasOwn(map, v)) throw new OptionsError("LABEL_MAP", `${what}: value "${v}" is mapped twice; map each value once.`);
      map[v] = name === "" ? null : name;
    }
  }
  const classes = new Set(Object.values(map).filter((c) => c !== null));
  if (classes.size < 2) throw new OptionsError("LABEL_MAP", `${what} names ${classes.size === 0 ? "no class" : `only one class (${[...classes][0]})`}; a classifier needs at least two.`);
  return { map };
}

/** A short human description of a scheme, for reports and `model info`-style output. */
export function describeLabelScheme(scheme: LabelScheme): string {
  if (typeof scheme === "object") {
    return Object.entries(scheme.map).map(([v, c]) => `${v}=${c ?? ""}`).join(";");
  }
  return scheme;
}

/** Checks a scheme read from a bundle or given by a library caller. */
export function isLabelScheme(s: unknown): s is LabelScheme {
  if (s === "binary" || s === "stars" || s === "stars3" || s === "stars5" || s === "any") return true;
  if (typeof s !== "object" || s === null || typeof (s as LabelMap).map !== "object" || (s as LabelMap).map === null) return false;
  return Object.values((s as LabelMap).map).every((v) => v === null || typeof v === "string");
}
