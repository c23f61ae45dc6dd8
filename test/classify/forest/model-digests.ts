// Fits a few forests that cover the tree builder's paths (two and three classes, Gini and entropy,
// minSamplesLeaf > 1, every feature per split with histogram subtraction, class weights, 16-bit codes,
// exact nodes)
// and prints the sha256 of each saved model: model-digests.test.ts pins them, so a change to how trees
// are grown or stored cannot change a model unnoticed.
import { createHash } from "node:crypto";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import type { ForestOptions } from "../../../src/classify/forest/forest-options.js";
import { noisyData } from "./forest-fixtures.js";

// The binned cases say exactFrom 0: they pin the binned builder, which they did when it was the default.
export const DIGEST_CASES: [string, ForestOptions, number][] = [
  ["2 classes, binned (the defaults before exactFrom 2000)", { nEstimators: 6, exactFrom: 0 }, 2],
  ["3 classes, entropy, minSamplesLeaf 3", { nEstimators: 6, criterion: "entropy", minSamplesLeaf: 3, exactFrom: 0 }, 3],
  ["2 classes, maxFeatures all (histogram subtraction)", { nEstimators: 3, maxFeatures: "all", exactFrom: 0 }, 2],
  ["3 classes, balanced_subsample", { nEstimators: 6, classWeight: "balanced_subsample", exactFrom: 0 }, 3],
  ["2 classes, maxBins 4000 (16-bit codes)", { nEstimators: 4, maxBins: 4000, exactFrom: 0 }, 2],
  ["3 classes, exactFrom 1000 (exact nodes above binned ones)", { nEstimators: 4, exactFrom: 1000 }, 3],
  ["2 classes, defaults (exactFrom 2000)", { nEstimators: 6 }, 2],
];

export function modelDigests(): Record<string, string> {
  const { X, y } = noisyData(5000, 512, 77);
  const y3 = Int32Array.from(y, (c, i) => (X.data[i * 512 + 20] > 0.4 ? 2 : c));
  const out: Record<string, string> = {};
  for (const [name, options, classes] of DIGEST_CASES) {
    const bytes = new RandomForestClassifier({ seed: 11, ...options }).fit(X, classes === 3 ? y3 : y).serialize();
    out[name] = createHash("sha256").update(bytes).digest("hex");
  }
  return out;
}

if (process.argv[1]?.endsWith("model-digests.ts")) console.log(JSON.stringify(modelDigests(), null, 2));
