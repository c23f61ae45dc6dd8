import { OptionsError } from "../errors.js";

export interface DedupedTexts {
  /** Each distinct text once, in order of first appearance. */
  unique: string[];
  /** For each input, its position in `unique`. */
  slot: number[];
  /** For each unique text, the index of its first appearance in the input (named in errors). */
  firstIndex: number[];
}

/**
 * Stage 1 of a fetch: identical texts are embedded once. Also refuses what no embedding API takes,
 * before anything is sent: a non-string, or an empty string (OpenAI answers 400 for the whole
 * request, so one "" would sink up to 2,047 good texts with it). The error names the text's index;
 * the CLI's dataset loader already stops at (or, with --skip-bad-rows, skips) blank rows by line.
 */
export function dedupeTexts(texts: readonly string[]): DedupedTexts {
  const ids = new Map<string, number>();
  const unique: string[] = [];
  const firstIndex: number[] = [];
  const slot = new Array<number>(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    if (typeof t !== "string") throw new OptionsError("EMBED_INPUT", `Text at index ${i} is ${t === null ? "null" : typeof t}, not a string.`);
    if (t === "") {
      throw new OptionsError("EMBED_EMPTY_TEXT", `Text at index ${i} is empty, and embedding APIs refuse empty inputs.`, {
        hint: "Remove it, or give it some text (CLI: --skip-bad-rows skips blank rows of a dataset).",
      });
    }
    let u = ids.get(t);
    if (u === undefined) {
      u = unique.length;
      ids.set(t, u);
      unique.push(t);
      firstIndex.push(i);
    }
    slot[i] = u;
  }
  return { unique, slot, firstIndex };
}
