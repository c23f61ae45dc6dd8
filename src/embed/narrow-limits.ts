import { OptionsError } from "../errors.js";
import type { EmbedderLimits } from "./embedder.js";

/** Smaller request sizes than the provider allows (CLI: --max-inputs-per-request, --max-tokens-per-request). */
export interface LimitOverrides {
  maxInputsPerRequest?: number;
  maxTokensPerRequest?: number;
}

const FLAGS: Record<keyof LimitOverrides, string> = {
  maxInputsPerRequest: "--max-inputs-per-request",
  maxTokensPerRequest: "--max-tokens-per-request",
};

/**
 * The provider's limits narrowed by the caller's: for servers (or proxies, or accounts) that accept
 * less than the provider documents. An override may only narrow, never widen, since a request over the
 * provider's limit is refused whole. The per-input token limit follows a smaller per-request one: an
 * input that fits no request can only be truncated or reported, before anything is sent.
 */
export function narrowLimits(provider: EmbedderLimits, overrides: LimitOverrides = {}, { countsTokens = true, embedderId = "this embedder" } = {}): EmbedderLimits {
  const out = { ...provider };
  for (const key of Object.keys(FLAGS) as (keyof LimitOverrides)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new OptionsError("EMBED_LIMITS", `${FLAGS[key]} must be a positive integer, got ${value}.`);
    }
    if (key === "maxTokensPerRequest" && !countsTokens) {
      throw new OptionsError("EMBED_LIMITS", `${FLAGS[key]} applies to embedders that count tokens; ${embedderId} does not.`, {
        hint: `Leave out ${FLAGS[key]}, or use --max-inputs-per-request.`,
      });
    }
    if (value > provider[key]) {
      throw new OptionsError("EMBED_LIMITS", `${FLAGS[key]} ${value} is above what ${embedderId} accepts (${provider[key]}).`, {
        hint: `Give at most ${provider[key]}; the option can only lower the limit.`,
      });
    }
    out[key] = value;
  }
  out.maxTokensPerInput = Math.min(out.maxTokensPerInput, out.maxTokensPerRequest);
  return out;
}
