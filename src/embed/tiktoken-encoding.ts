import type { Tiktoken, TiktokenBPE } from "js-tiktoken/lite";
import { OptionsError } from "../errors.js";
import { requireModule } from "../util/module-require.js";

/** Encodings we ship ranks for. OpenAI's embedding models all use cl100k_base. */
export type TiktokenEncodingName = "cl100k_base";

/**
 * Ranks by encoding, loaded on first use: importing js-tiktoken's ranks costs ~20 ms that an offline
 * command should not pay. (tslab compiles notebook imports with Node10 resolution, which cannot see
 * these "exports" subpaths at type level; loading them by name at run time sidesteps that.)
 */
const RANKS: Record<TiktokenEncodingName, () => TiktokenBPE> = {
  cl100k_base: () => ranksOf(requireModule("js-tiktoken/ranks/cl100k_base")),
};
/** The CommonJS build exports the ranks object itself; an ES module interop wraps it in `default`. */
function ranksOf(m: TiktokenBPE | { default: TiktokenBPE }): TiktokenBPE {
  return "default" in m ? m.default : m;
}

const loaded = new Map<TiktokenEncodingName, Tiktoken>();

/**
 * The js-tiktoken encoder for `name`, built on first use and shared afterwards. Building the encoder
 * parses the ranks (~300 ms), so that waits until a token is actually counted — the warm-cache path
 * never pays it.
 */
export function getTiktoken(name: TiktokenEncodingName): Tiktoken {
  let enc = loaded.get(name);
  if (!enc) {
    const ranks = RANKS[name];
    if (!ranks) throw new OptionsError("EMBED_ENCODING", `Unknown tiktoken encoding "${name}".`, { hint: 'Use "cl100k_base".' });
    enc = new (requireModule<typeof import("js-tiktoken/lite")>("js-tiktoken/lite").Tiktoken)(ranks());
    loaded.set(name, enc);
  }
  return enc;
}

/**
 * Token ids of `text` as the API counts them. Special-token strings such as "<|endoftext|>" are
 * ordinary text to the embeddings endpoint, so they are encoded as text rather than rejected.
 */
export function encodeTokens(name: TiktokenEncodingName, text: string): number[] {
  return getTiktoken(name).encode(text, [], []);
}

export function countTiktokens(name: TiktokenEncodingName, text: string): number {
  return encodeTokens(name, text).length;
}

/** `text` cut to its first `maxTokens` tokens (unchanged when already short enough). */
export function truncateTiktokens(name: TiktokenEncodingName, text: string, maxTokens: number): string {
  const ids = encodeTokens(name, text);
  return ids.length <= maxTokens ? text : getTiktoken(name).decode(ids.slice(0, maxTokens));
}
