import type { Embedder } from "../embed/embedder.js";
import { SentimentModel } from "../model/sentiment-model.js";
import { type EmbedderCliOptions, embedderFrom } from "./embedder-options.js";

/**
 * Loads a bundle for predict/evaluate. Without --embedder the bundle's own embedder id is used
 * (for OpenAI models: the recorded model and dimensions, with --base-url and the key from the
 * environment); with --embedder the model checks it matches and refuses otherwise.
 */
export async function loadModelForCli(dir: string, o: EmbedderCliOptions): Promise<SentimentModel> {
  const explicit: Embedder | undefined = o.embedder ? embedderFrom(o) : undefined;
  return SentimentModel.load(dir, {
    embedder: explicit,
    resolveEmbedder: (id) => (id.startsWith("precomputed") ? undefined : embedderFrom({ ...o, dimensions: undefined }, id)),
  });
}
