import { describe, expect, it } from "vitest";
import { modelDigests } from "./model-digests.js";

// sha256 of each saved model, computed at main 8efbb9e (column-major and row-major codes, each drawn
// feature histogrammed alone) before the codes were kept once, row-major, and large nodes' histograms
// batched: how trees are grown or laid out in memory must not change a single byte of a model.
const PINNED: Record<string, string> = {
  "2 classes, binned (the defaults before exactFrom 2000)": "5b19224f6120ff7845f13fbbcdce6a45afb3c9386bf5de64395915739ceea8cd",
  "3 classes, entropy, minSamplesLeaf 3": "fa9440ca644ce3d04d01875432e138a9b1402dc9f8a037d600996e211fe3cb6a",
  "2 classes, maxFeatures all (histogram subtraction)": "71dca27803ae6e39eecbe7a714c662d4aaf7f8b1b6c3657d4b7cec5f38fa13ef",
  "3 classes, balanced_subsample": "ef961fc8c0ff314624feb7a1923e78ccf98302dd2505b501203d8ebc4bc06fca",
  "2 classes, maxBins 4000 (16-bit codes)": "7a7aab0e3baa4ea1edba687a4c393af54ef9770afcbe93516c52448766ce1de3",
  // Added with exactFrom (main 31167e6): the exact nodes' bytes, pinned from the option's first version.
  "3 classes, exactFrom 1000 (exact nodes above binned ones)": "a786888e93eaf93e9ef7a4ae246c0e6c6dabd4e5775ede918b4dd4793514a5c0",
  // Added when exactFrom 2000 became the default (exact nodes in the top 6 levels), pinned from then.
  "2 classes, defaults (exactFrom 2000)": "125323c6448eca514024882302af2485f6fba3100d763f86aeb4aad88e61dc2f",
};

describe("saved forests stay byte-identical across engine changes", () => {
  it("gives the pinned bytes for every case", () => {
    expect(modelDigests()).toEqual(PINNED);
  }, 60_000);
});
