/**
 * US dollars per 1M input tokens for known embedding models, keyed by the embedder id without its
 * "@dimensions" suffix (the price does not depend on the size asked for). From OpenAI's pricing page
 * (standard tier); the Batch API costs half. Override per call when prices change or for other servers.
 */
export const EMBEDDING_PRICES_PER_MILLION: Readonly<Record<string, number>> = {
  "openai:text-embedding-3-small": 0.02,
  "openai:text-embedding-3-large": 0.13,
  "openai:text-embedding-ada-002": 0.1,
};

/**
 * Price per 1M tokens for an embedder id: the override, the table, 0 for local embedders, else
 * undefined. The table is OpenAI's list price, so it applies to OpenAI's own endpoint only: an id with
 * a server fingerprint ("...@256~1a2b3c4d", any other server) has no known price unless one is given.
 */
export function pricePerMillionTokens(embedderId: string, override?: number | Readonly<Record<string, number>>): number | undefined {
  if (typeof override === "number") return override;
  if (/~[0-9a-f]{8}$/i.test(embedderId)) return override?.[embedderId];
  const base = embedderId.replace(/@\d+$/, "");
  const table = { ...EMBEDDING_PRICES_PER_MILLION, ...override };
  if (base in table) return table[base];
  if (base.startsWith("local:")) return 0;
  return undefined;
}

/** Estimated dollars for `tokens` tokens, or undefined when the model's price is not known. */
export function estimateCost(embedderId: string, tokens: number, override?: number | Readonly<Record<string, number>>): number | undefined {
  const price = pricePerMillionTokens(embedderId, override);
  return price === undefined ? undefined : (tokens / 1_000_000) * price;
}
