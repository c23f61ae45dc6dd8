import type { Embedder } from "../embed/embedder.js";
import { embedderSpaceId } from "../embed/embedder-identity.js";
import { OptionsError } from "../errors.js";
import { SentimentModel } from "../model/sentiment-model.js";
import { type EmbedderCliOptions, embedderFrom } from "./embedder-options.js";

/**
 * Loads a bundle for predict/evaluate. Without --embedder the bundle's own embedder is rebuilt (for
 * OpenAI models: the recorded model and dimensions, at --base-url or OpenAI's endpoint, with the key
 * from the environment), and --dimensions, if given, must agree with the bundle; with --embedder the
 * model checks it matches and refuses otherwise. Either way a wrong server is refused here, before any
 * text is sent. With `embedsText: false` (evaluating a dataset that carries its own vectors) the
 * bundle's embedder is not rebuilt for the CLI, so a custom server's model needs no --base-url then.
 */
export async function loadModelForCli(dir: string, o: EmbedderCliOptions & { jobs?: number }, { embedsText = true } = {}): Promise<SentimentModel> {
  const explicit: Embedder | undefined = o.embedder ? embedderFrom(o) : undefined;
  return SentimentModel.load(dir, {
    embedder: explicit,
    nJobs: o.jobs,
    resolveEmbedder: (id, dimensions) => {
      if (o.dimensions !== undefined && o.dimensions !== dimensions) {
        throw new OptionsError("PREDICT_DIMENSIONS", `--dimensions ${o.dimensions} does not match the model in ${dir}, which was trained on ${dimensions}-dimensional vectors (${id}).`, {
          hint: "Leave out --dimensions: the model's own size is used.",
        });
      }
      // The space without its server: the server check (and its message) is the model's, at load.
      return !embedsText || id.startsWith("precomputed") ? undefined : embedderFrom({ ...o, dimensions: undefined }, embedderSpaceId(id));
    },
  });
}
