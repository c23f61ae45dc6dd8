import type { Dataset } from "../data/labeled-text.js";
import { formatWhere } from "../errors.js";

/** One or two lines saying what was loaded and what was dropped, so nothing disappears silently. */
export function formatLoadStats(d: Dataset): string {
  const s = d.stats;
  const counts = d.labels.map((l) => `${d.items.filter((i) => i.label === l).length} ${l}`).join(" / ");
  const dropped: string[] = [];
  if (s.duplicatesRemoved) dropped.push(`${s.duplicatesRemoved} duplicate texts${s.conflictingDuplicates ? ` (${s.conflictingDuplicates} with a different label)` : ""}`);
  if (s.neutralDropped) dropped.push(`${s.neutralDropped} neutral (3-star)`);
  if (s.badRowsSkipped) dropped.push(`${s.badRowsSkipped} bad row${s.badRowsSkipped === 1 ? "" : "s"}`);
  let out = `Loaded ${s.kept} of ${s.rows} rows from ${d.files.length} file${d.files.length === 1 ? "" : "s"}${counts ? ` (${counts})` : ""}`;
  if (dropped.length) out += `; dropped ${dropped.join(", ")}`;
  for (const b of s.badRows) out += `\n  skipped ${formatWhere(b)}: ${b.reason}`;
  if (s.badRowsSkipped > s.badRows.length) out += `\n  ... and ${s.badRowsSkipped - s.badRows.length} more`;
  return out;
}
