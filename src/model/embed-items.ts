import type { LabeledText } from "../data/labeled-text.js";
import type { EmbeddingFetcher, FetchUsage } from "../embed/embedding-fetcher.js";
import { checkRows } from "../util/matrix.js";

export interface EmbeddedItems {
  /** One vector per item, in item order (the dataset's own arrays, or the fetcher's; never copied). */
  rows: Float32Array[];
  /** Dimensions of every row. */
  cols: number;
  /** What embedding cost; absent when the dataset carried its own vectors. */
  usage?: FetchUsage;
}

/**
 * The feature vectors for a list of items: the dataset's own vectors when every item carries one
 * (used exactly as given), otherwise the texts embedded through the fetcher.
 *
 * Rows stay separate arrays rather than one matrix: the forest reads them in place, so a million
 * 512-dimensional rows (2 GB) are held once, not once as rows and again as a matrix copy.
 */
export async function embedItems(items: LabeledText[], fetcher: EmbeddingFetcher | undefined, signal?: AbortSignal): Promise<EmbeddedItems> {
  if (items.length > 0 && items.every((i) => i.vector !== undefined)) {
    const rows = items.map((i) => i.vector!);
    return { rows, cols: checkRows(rows, "precomputed vectors").cols };
  }
  if (!fetcher) throw new Error("embedItems: texts need an embedder but none was given");
  const { vectors, usage } = await fetcher.fetch(items.map((i) => i.text), { signal });
  return { rows: vectors, cols: checkRows(vectors, "embeddings").cols, usage };
}

/** The rows at the given indices (the same arrays, not copies). */
export function pickRows(rows: readonly Float32Array[], indices: readonly number[]): Float32Array[] {
  return indices.map((i) => rows[i]);
}
