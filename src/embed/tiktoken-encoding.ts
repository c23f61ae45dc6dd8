import { Tiktoken } from "js-tiktoken/lite";
// tslab compiles notebook imports with Node10 module resolution, which ignores package "exports" and so
// cannot see this subpath (tsc, tsx, vitest and Node itself all can). The import is fine at run time.
// @ts-ignore -- only tslab reports an error here
import cl100kBase from "js-tiktoken/ranks/cl100k_base";
import { OptionsError } from "../errors.js";

/** Encodings we ship ranks for. OpenAI's embedding models all use cl100k_base. */
export type TiktokenEncodingName = "cl100k_base";

const RANKS = { cl100k_base: cl100kBase } as const;
const loaded = new Map<TiktokenEncodingName, Tiktoken>();

/**
 * The js-tiktoken encoder for `name`, built on first use and shared afterwards. Importing the ranks
 * costs ~10 ms, but building the encoder parses them (~300 ms), so that waits until a token is
 * actually counted — the warm-cache path never pays it.
 */
export function getTiktoken(name: TiktokenEncodingName): Tiktoken {
  let enc = loaded.get(name);
  if (!enc) {
    const ranks = RANKS[name];
    if (!ranks) throw new OptionsError("EMBED_ENCODING", `Unknown tiktoken encoding "${name}".`, { hint: 'Use "cl100k_base".' });
    enc = new Tiktoken(ranks);
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
