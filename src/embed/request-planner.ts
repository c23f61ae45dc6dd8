import type { EmbedderLimits } from "./embedder.js";
import { EmbeddingError, OptionsError } from "../errors.js";

export interface PlanInput {
  /** Where the text sits in the caller's list (reported in errors). */
  index: number;
  /** Token count of the text; 0 when the embedder cannot count. */
  tokens: number;
}

export interface PlannedRequest<T extends PlanInput = PlanInput> {
  items: T[];
  tokens: number;
}

export interface RequestPlan<T extends PlanInput = PlanInput> {
  requests: PlannedRequest<T>[];
  tokens: number;
  /**
   * max(ceil(inputs / maxInputsPerRequest), ceil(tokens / maxTokensPerRequest)): no plan of any
   * shape can use fewer requests. The greedy plan meets it unless token sizes are very uneven.
   */
  lowerBound: number;
}

/**
 * Packs texts, in order, into the fewest requests that respect the embedder's limits on inputs per
 * request and tokens per request. Inputs over the per-input limit must have been handled before
 * (see `checkInputLengths`); one found here is an error.
 *
 * Greedy "fill the current request until the next item would not fit" is optimal among plans that
 * keep the texts in order (contiguous runs): by induction, after k requests greedy has placed at
 * least as many items as any other contiguous plan after k requests, because greedy's k-th request
 * starts no later and both constraints are monotone (a shorter-or-equal run that fits stays fitting).
 * So greedy never needs more requests than the best contiguous plan. Reordering (bin packing) could
 * in theory save a request when the token cap binds, but it is NP-hard and rarely matters: the count
 * cap binds first unless the average input exceeds 300,000 / 2048 ≈ 146 tokens.
 */
export function planRequests<T extends PlanInput>(items: T[], limits: EmbedderLimits): RequestPlan<T> {
  const maxInputs = limits.maxInputsPerRequest;
  const maxTokens = limits.maxTokensPerRequest;
  if (!(maxInputs >= 1)) {
    throw new OptionsError("PLAN_LIMITS", `Embedder limit maxInputsPerRequest must be at least 1, got ${maxInputs}.`);
  }
  const requests: PlannedRequest<T>[] = [];
  let current: PlannedRequest<T> | undefined;
  let total = 0;
  for (const item of items) {
    if (item.tokens > limits.maxTokensPerInput || item.tokens > maxTokens) {
      throw new EmbeddingError(
        "EMBED_INPUT_TOO_LONG",
        `Text at index ${item.index} has ${item.tokens} tokens; the limit is ${Math.min(limits.maxTokensPerInput, maxTokens)}.`,
        { hint: "Shorten it or pass truncate: true (CLI: --truncate)." },
      );
    }
    total += item.tokens;
    if (!current || current.items.length >= maxInputs || current.tokens + item.tokens > maxTokens) {
      current = { items: [], tokens: 0 };
      requests.push(current);
    }
    current.items.push(item);
    current.tokens += item.tokens;
  }
  const lowerBound = items.length === 0 ? 0 : Math.max(Math.ceil(items.length / maxInputs), Number.isFinite(maxTokens) ? Math.ceil(total / maxTokens) : 0);
  return { requests, tokens: total, lowerBound };
}

export interface LengthCheck {
  /** Indices (into the caller's list) of texts over the per-input limit, with their token counts. */
  tooLong: { index: number; tokens: number }[];
}

/**
 * Finds inputs over the per-input token limit. Without truncation the first one is an error naming
 * its index and count (and how many more there are), so the user can find it in their data.
 */
export function checkInputLengths(items: PlanInput[], limits: EmbedderLimits, { truncate }: { truncate: boolean }): LengthCheck {
  const tooLong = items.filter((i) => i.tokens > limits.maxTokensPerInput).map(({ index, tokens }) => ({ index, tokens }));
  if (tooLong.length && !truncate) {
    const first = tooLong[0];
    const more = tooLong.length > 1 ? ` (${tooLong.length - 1} more text(s) are over the limit too)` : "";
    throw new EmbeddingError(
      "EMBED_INPUT_TOO_LONG",
      `Text at index ${first.index} has ${first.tokens} tokens; the embedder accepts at most ${limits.maxTokensPerInput} per input${more}.`,
      { hint: "Shorten it, or pass truncate: true (CLI: --truncate) to cut over-long texts to the limit." },
    );
  }
  return { tooLong };
}
