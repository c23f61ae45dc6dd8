import type { Classifier, FitOptions } from "../classify/classifier.js";

/** One "fit" progress event: units (trees for a forest) done of total. */
export interface FitProgressEvent {
  stage: "fit";
  done: number;
  total: number;
}

/**
 * The "fit" stage's events for one `Classifier.fit`: a start at once (binning a large matrix takes a
 * while before the first tree), the classifier's own steps, and an end (`done === total`) even from a
 * classifier that reports none (it then counts as one unit). Pass `onProgress` to fit, call `end()` after.
 */
export function fitProgress(classifier: Classifier, onProgress: ((p: FitProgressEvent) => void) | undefined): { onProgress?: FitOptions["onProgress"]; end: () => void } {
  if (onProgress === undefined) return { end: () => {} };
  const trees = classifier.params.nEstimators;
  let last = { done: 0, total: typeof trees === "number" && trees > 0 ? trees : 1 };
  onProgress({ stage: "fit", ...last });
  return {
    onProgress: (done, total) => {
      // The forest's own "0 of N" repeats the start event.
      if (done === 0 && last.done === 0 && total === last.total) return;
      last = { done, total };
      onProgress({ stage: "fit", done, total });
    },
    end: () => {
      if (last.done !== last.total) onProgress({ stage: "fit", done: last.total, total: last.total });
    },
  };
}
