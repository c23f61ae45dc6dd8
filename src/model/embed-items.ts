import type { LabeledText } from "../data/labeled-text.js";
import type { EmbeddingFetcher, FetchUsage } from "../embed/embedding-fetcher.js";
import { type Matrix, toMatrix } from "../util/matrix.js";

export interface EmbeddedItems {
  X: Matrix;
  /** What embedding cost; absent when the dataset carried its own vectors. */
  usage?: FetchUsage;
}

/**
 * The feature matrix for a list of items: the dataset's own vectors when every item carries one
 * (used exactly as given), otherwise the texts embedded through the fetcher.
 */
export async function embedItems(items: LabeledText[], fetcher: EmbeddingFetcher | undefined, signal?: AbortSignal): Promise<EmbeddedItems> {
  if (items.length > 0 && items.every((i) => i.vector !== undefined)) {
    return { X: toMatrix(items.map((i) => i.vector!), "precomputed vectors") };
  }
  if (!fetcher) throw new Error("embedItems: texts need an embedder but none was given");
  const { vectors, usage } = await fetcher.fetch(items.map((i) => i.text), { signal });
  return { X: toMatrix(vectors, "embeddings"), usage };
}
