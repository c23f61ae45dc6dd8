import { BundleError, OptionsError } from "../../errors.js";
import type { Classifier } from "../classifier.js";
import type { ForestOptions } from "./forest-options.js";
import { MlRandomForestClassifier } from "./ml-random-forest-classifier.js";
import { RandomForestClassifier } from "./random-forest-classifier.js";

/** The engine used when options name none: our own forest (fast histogram CART, per-split feature sampling). */
export const DEFAULT_ENGINE: NonNullable<ForestOptions["engine"]> = "sentivec";

/** A fresh, untrained forest of the engine the options name. */
export function createClassifier(options: ForestOptions = {}): Classifier {
  const engine = options.engine ?? DEFAULT_ENGINE;
  switch (engine) {
    case "sentivec":
      return new RandomForestClassifier(options);
    case "ml-random-forest":
      return new MlRandomForestClassifier(options);
    default:
      throw new OptionsError("FOREST_ENGINE", `Unknown forest engine "${engine as string}".`, {
        hint: 'Use "sentivec" or "ml-random-forest".',
      });
  }
}

/** Reads bytes written by any engine's `serialize()`, recognising the engine from the header. */
export function deserializeClassifier(bytes: Uint8Array, options: { nJobs?: number } = {}): Classifier {
  if (RandomForestClassifier.isSerialized(bytes)) return RandomForestClassifier.deserialize(bytes, options);
  if (MlRandomForestClassifier.isSerialized(bytes)) return MlRandomForestClassifier.deserialize(bytes);
  throw new BundleError("FOREST_UNKNOWN_FORMAT", "The forest file is not in a format this sentivec knows (corrupt, or from another tool).", {
    hint: "Train the model again.",
  });
}
