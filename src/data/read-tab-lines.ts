import { DataError } from "../errors.js";
import type { RawTable } from "./raw-record.js";

/**
 * Headerless `sentence<TAB>label` files (the UCI sentiment sentences). Each line is split on its LAST
 * tab and quotes are plain characters: a quote-aware CSV parse would swallow the lines after an
 * unbalanced `"` and silently lose rows.
 * Columns are named "text" and "label".
 */
export function readTabLines(file: string, content: string): RawTable {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.every((l) => l.trim() === "")) {
    throw new DataError("DATA_EMPTY", "The file is empty.", { where: { file }, hint: "Expected one `sentence<TAB>label` per line." });
  }
  const records: RawTable["records"] = [];
  lines.forEach((raw, i) => {
    const lineText = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (lineText.trim() === "") return;
    const tab = lineText.lastIndexOf("\t");
    if (tab < 0) {
      records.push({ fields: {}, line: i + 1, problem: "no tab: expected `sentence<TAB>label`" });
      return;
    }
    records.push({ fields: { text: lineText.slice(0, tab), label: lineText.slice(tab + 1) }, line: i + 1 });
  });
  return { columns: ["text", "label"], records };
}
