import type { EmbedderLimits } from "./embedder.js";
import { EmbeddingError, OptionsError } from "../errors.js";

export interface PlanInput {
  /** Where the text sits in the caller's list (reported in errors). */
  index: number;
  /**
   * Token count of the text: exact, or (with `exact: false`) an upper bound that the packer
   * replaces by the exact count only when the bound would close a request early. 0 when the
   * embedder cannot count tokens.
   */
  tokens: number;
  /** Whether `tokens` is exact. Default true. */
  exact?: boolean;
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
 * request and tokens per request, one text at a time, so requests can be sent while later texts are
 * still being counted.
 *
 * Greedy "fill the current request until the next item would not fit" is optimal among plans that
 * keep the texts in order (contiguous runs): by induction, after k requests greedy has placed at
 * least as many items as any other contiguous plan after k requests, because greedy's k-th request
 * starts no later and both constraints are monotone (a shorter run that fits stays fitting). So greedy
 * never needs more requests than the best contiguous plan. Reordering (bin packing) could in theory
 * save a request when the token cap binds, but it is NP-hard and rarely matters: the count cap binds
 * first unless the average input exceeds 300,000 / 2048 ≈ 146 tokens.
 *
 * Upper bounds: items may arrive with a cheap upper bound on their tokens (the UTF-8 byte length for
 * byte-level BPE). When the next item does not fit by the bounds, the packer asks `refine` for exact
 * counts of the current request's bounded items (and of the next item) before deciding. A request
 * therefore closes only when the exact sums say it must, so the plan is the exact greedy plan, yet
 * exact counting happens only in requests where the token cap actually comes into play.
 */
export class GreedyRequestPacker<T extends PlanInput> {
  private current: PlannedRequest<T> | undefined;
  private total = 0;
  private count = 0;

  constructor(
    private readonly limits: EmbedderLimits,
    /** Exact token count of an item whose `tokens` is only a bound. */
    private readonly refine?: (item: T) => number,
  ) {
    if (!(limits.maxInputsPerRequest >= 1)) {
      throw new OptionsError("PLAN_LIMITS", `Embedder limit maxInputsPerRequest must be at least 1, got ${limits.maxInputsPerRequest}.`);
    }
  }

  /** Adds the next item; returns the request that this item closed, if any. */
  add(item: T): PlannedRequest<T> | undefined {
    const { maxInputsPerRequest: maxInputs, maxTokensPerRequest: maxTokens, maxTokensPerInput } = this.limits;
    if (item.exact === false && item.tokens > Math.min(maxTokensPerInput, maxTokens)) this.exact(item);
    if (item.tokens > maxTokensPerInput || item.tokens > maxTokens) {
      throw new EmbeddingError(
        "EMBED_INPUT_TOO_LONG",
        `Text at index ${item.index} has ${item.tokens} tokens; the embedder accepts at most ${Math.min(maxTokensPerInput, maxTokens)} per input.`,
        { hint: "Shorten it, or pass truncate: true (CLI: --truncate) to cut over-long texts to the limit." },
      );
    }
    let closed: PlannedRequest<T> | undefined;
    const cur = this.current;
    if (cur) {
      let full = cur.items.length >= maxInputs;
      if (!full && cur.tokens + item.tokens > maxTokens) {
        // The bounds say no; see whether the exact counts say yes.
        for (const it of cur.items) {
          if (it.exact === false) cur.tokens -= it.tokens - this.exact(it);
        }
        if (item.exact === false) this.exact(item);
        full = cur.tokens + item.tokens > maxTokens;
      }
      if (full) {
        closed = cur;
        this.current = undefined;
      }
    }
    if (!this.current) this.current = { items: [], tokens: 0 };
    this.current.items.push(item);
    this.current.tokens += item.tokens;
    this.count++;
    return closed;
  }

  /** Closes and returns the last request (undefined when nothing is pending). */
  finish(): PlannedRequest<T> | undefined {
    const last = this.current;
    this.current = undefined;
    return last;
  }

  /** Requests-so-far bound: max(ceil(n / maxInputs), ceil(tokens / maxTokens)) over all items added. */
  lowerBound(totalTokens: number): number {
    if (this.count === 0) return 0;
    const byTokens = Number.isFinite(this.limits.maxTokensPerRequest) ? Math.ceil(totalTokens / this.limits.maxTokensPerRequest) : 0;
    return Math.max(Math.ceil(this.count / this.limits.maxInputsPerRequest), byTokens);
  }

  private exact(item: T): number {
    if (item.exact === false && this.refine) {
      item.tokens = this.refine(item);
      item.exact = true;
    }
    return item.tokens;
  }
}

/** The whole greedy plan at once (items with exact counts, or bounds plus `refine`). */
export function planRequests<T extends PlanInput>(items: T[], limits: EmbedderLimits, refine?: (item: T) => number): RequestPlan<T> {
  const packer = new GreedyRequestPacker<T>(limits, refine);
  const requests: PlannedRequest<T>[] = [];
  for (const item of items) {
    const closed = packer.add(item);
    if (closed) requests.push(closed);
  }
  const last = packer.finish();
  if (last) requests.push(last);
  const tokens = requests.reduce((s, r) => s + r.tokens, 0);
  return { requests, tokens, lowerBound: packer.lowerBound(tokens) };
}

export interface LengthCheck {
  /** Indices (into the caller's list) of texts over the per-input limit, with their token counts. */
  tooLong: { index: number; tokens: number }[];
}

/**
 * Finds inputs over the per-input token limit. Without truncation the first one is an error naming
 * its index and count (and how many more there are), so the user can find it in their data — before
 * any request is sent. Items must carry exact counts wherever their bound exceeds the limit.
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
