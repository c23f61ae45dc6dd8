import type { EmbedderLimits } from "../embedder.js";
import { EmbeddingError } from "../../errors.js";
import { planRequests, type PlanInput } from "../request-planner.js";
import type { BatchLimits } from "./batch-limits.js";

export interface PlannedLine<T extends PlanInput> {
  items: T[];
  tokens: number;
  /** Bytes of the request's line in the input file. */
  bytes: number;
}

export interface PlannedBatch<T extends PlanInput> {
  lines: PlannedLine<T>[];
  inputs: number;
  tokens: number;
  bytes: number;
}

export interface BatchPlan<T extends PlanInput> {
  batches: PlannedBatch<T>[];
  requests: number;
  tokens: number;
  /** Fewest requests the per-request limits allow (the synchronous planner's lower bound). */
  minimumRequests: number;
  /** Fewest batches the per-batch limits allow: max over inputs, requests, bytes and enqueued tokens. */
  minimumBatches: number;
}

/**
 * Packs texts into request lines with the synchronous fetcher's request planner (≤ 2048 inputs and
 * ≤ 300,000 tokens per request, each input within its limit), then the lines, in order, into batches
 * that respect the per-batch limits: requests, input-file bytes, embedding inputs and enqueued tokens.
 *
 * Requests are planned over the whole job, not per batch, so the request count is the planner's
 * (the minimum the per-request limits allow for SST-2); batches close greedily at the first limit a
 * line would break. `lineBytes` gives a request's line size in the input file.
 */
export function planBatches<T extends PlanInput>(
  items: T[],
  limits: EmbedderLimits,
  batchLimits: BatchLimits,
  lineBytes: (items: T[]) => number,
): BatchPlan<T> {
  const plan = planRequests(items, limits);
  const batches: PlannedBatch<T>[] = [];
  let cur: PlannedBatch<T> | undefined;
  for (const r of plan.requests) {
    const line: PlannedLine<T> = { items: r.items, tokens: r.tokens, bytes: lineBytes(r.items) };
    const n = line.items.length;
    if (n > batchLimits.maxInputsPerBatch || line.bytes > batchLimits.maxBytesPerFile || line.tokens > batchLimits.maxEnqueuedTokens) {
      throw new EmbeddingError(
        "BATCH_LINE_TOO_BIG",
        `One request of ${n} texts (${line.tokens} tokens, ${line.bytes} bytes) does not fit in a batch (at most ${batchLimits.maxInputsPerBatch} inputs, ${batchLimits.maxBytesPerFile} bytes, ${batchLimits.maxEnqueuedTokens} enqueued tokens).`,
        { hint: "Raise --max-enqueued-tokens to your organisation's limit, or lower --max-tokens-per-request." },
      );
    }
    const fits =
      cur !== undefined &&
      cur.lines.length + 1 <= batchLimits.maxRequestsPerBatch &&
      cur.inputs + n <= batchLimits.maxInputsPerBatch &&
      cur.bytes + line.bytes <= batchLimits.maxBytesPerFile &&
      cur.tokens + line.tokens <= batchLimits.maxEnqueuedTokens;
    if (!fits) {
      cur = { lines: [], inputs: 0, tokens: 0, bytes: 0 };
      batches.push(cur);
    }
    cur!.lines.push(line);
    cur!.inputs += n;
    cur!.tokens += line.tokens;
    cur!.bytes += line.bytes;
  }
  const bytes = batches.reduce((s, b) => s + b.bytes, 0);
  const over = (total: number, cap: number) => (Number.isFinite(cap) ? Math.ceil(total / cap) : 0);
  const minimumBatches = items.length === 0 ? 0 : Math.max(
    over(items.length, batchLimits.maxInputsPerBatch),
    over(plan.requests.length, batchLimits.maxRequestsPerBatch),
    over(bytes, batchLimits.maxBytesPerFile),
    over(plan.tokens, batchLimits.maxEnqueuedTokens),
    1,
  );
  return { batches, requests: plan.requests.length, tokens: plan.tokens, minimumRequests: plan.lowerBound, minimumBatches };
}
