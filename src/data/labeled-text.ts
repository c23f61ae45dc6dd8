import type { LabelScheme } from "./parse-label.js";
/** One example: a text, its sentiment label (absent for unlabelled data), and optionally its own vector. */
export interface LabeledText {
  text: string;
  /** Normalised label name ("negative" / "positive"), or undefined for unlabelled rows. */
  label?: string;
  /** A precomputed embedding carried by the dataset, used as is instead of embedding the text. */
  vector?: Float32Array;
  /** Where the row came from, for error messages and reports. */
  source: { file: string; line?: number; record?: number };
}

/** Counts from loading, so the user sees what was dropped and why. */
export interface LoadStats {
  /** Data rows read (header excluded). */
  rows: number;
  /** Rows kept after every filter. */
  kept: number;
  /** Rows dropped because their text repeats an earlier row's (exact match). */
  duplicatesRemoved: number;
  /** Of those, how many carried a different label than the kept copy. */
  conflictingDuplicates: number;
  /** Rows dropped as neutral (3 stars with `labels: "stars"`). */
  neutralDropped: number;
  /** Bad rows skipped because `skipBadRows` was on. */
  badRowsSkipped: number;
  /** The first few skipped bad rows, with their reasons. */
  badRows: { file: string; line?: number; record?: number; field?: string; reason: string }[];
}

export interface Dataset {
  items: LabeledText[];
  /** Distinct label names, sorted; the class index of a label is its position here. */
  labels: string[];
  stats: LoadStats;
  /** The files the items came from. */
  files: string[];
  /** sha256 over every kept (label, text, vector) in order: names the exact training data in a model bundle. */
  fingerprint: string;
  /** How the label column was read (set by loadDataset); model bundles record it. */
  labelScheme?: LabelScheme;
}
