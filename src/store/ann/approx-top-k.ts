import { TopK } from "../top-k.js";
import type { HnswIndex } from "./hnsw-index.js";

/** A filtered search grows its candidate list by this factor per round when too few candidates match. */
const GROW = 4;
/** ...up to this many candidates (or a tenth of the rows, if fewer); past that a filtered scan is the cheaper way. */
const MAX_CANDIDATES = 8192;

export interface ApproxRequest {
  k: number;
  /** Candidate list size of the graph search (usearch's expansion). */
  ef: number;
  /** Rows in the store (= in the index). */
  size: number;
  /** Exact cosine of the query with a row: candidates are re-scored from the store's own f32 vectors. */
  score(row: number): number;
  /** The filter, or null for none. */
  accept: ((row: number) => boolean) | null;
  /** Tie order: true when row a ranks ahead of row b on an equal score (the store orders by id). */
  before(a: number, b: number): boolean;
}

/**
 * The k best rows by exact score among the index's candidates for `query`, best first; or null when the
 * graph could not supply k matching rows within its budget, and the caller must scan exactly instead.
 *
 * With a filter, candidates that fail it are dropped, and the candidate list grows (×4 a round) until k
 * rows match; a filter that matches a small share of the rows would need most of the graph, so past
 * MAX_CANDIDATES (or a tenth of the rows) the answer is null and the exact filtered scan is used.
 * An exact result is therefore always available as the last resort: a filter never returns too few.
 */
export function approxTopK(index: HnswIndex, query: Float32Array, req: ApproxRequest): { score: number; row: number }[] | null {
  const k = Math.min(req.k, req.size);
  if (k === 0) return [];
  const budget = Math.max(req.ef, k, Math.min(MAX_CANDIDATES, Math.ceil(req.size / 10)));
  let want = Math.max(req.ef, k);
  for (;;) {
    const rows = index.candidates(query, want);
    const top = new TopK(k, req.before);
    let matched = 0;
    for (const row of rows) {
      if (row >= req.size || (req.accept !== null && !req.accept(row))) continue;
      matched++;
      top.push(req.score(row), row);
    }
    if (matched >= k) return top.drain();
    // Fewer than k matched: ask the graph for more, unless it already gave all it had or the budget is spent.
    if (rows.length < want || want >= budget) return null;
    want = Math.min(budget, want * GROW);
  }
}
