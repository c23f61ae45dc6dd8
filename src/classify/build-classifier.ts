import { OptionsError } from "../errors.js";
import type { Classifier } from "./classifier.js";
import { CLASSIFIER_KINDS, type ClassifierSpec } from "./classifier-spec.js";
import { createClassifier } from "./forest/create-classifier.js";
import { LogisticRegression } from "./linear/logistic-regression.js";

/** A fresh, untrained classifier of the spec's kind; `seed` applies unless the kind's options set one. */
export function buildClassifier(spec: ClassifierSpec = {}, seed = 42): Classifier {
  const kind = spec.kind ?? "forest";
  switch (kind) {
    case "forest":
      return createClassifier({ seed, ...spec.forest });
    case "logistic":
      return new LogisticRegression({ seed, ...spec.logistic });
    default:
      throw new OptionsError("CLASSIFIER_KIND", `Unknown classifier "${kind as string}".`, { hint: `Use ${CLASSIFIER_KINDS.map((k) => `"${k}"`).join(" or ")}.` });
  }
}
