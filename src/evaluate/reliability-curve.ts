/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Bin edges: predicted probabilities in [from, to) (the last bin includes 1). */
  from: number;
  to: number;
  /** Rows whose probability fell in the bin. */
  count: number;
  /** Mean predicted probability of those rows (NaN for an empty bin). */
  meanPredicted: number;
  /** Fraction of those rows where the event happened (NaN for an empty bin). */
  observed: number;
}

export interface ReliabilityCurve {
  bins: ReliabilityBin[];
  /** Expected calibration error: the count-weighted mean |observed − predicted| over bins. */
  ece: number;
}

/**
 * Calibration of probabilities as a reliability diagram plots it: predictions are binned by probability
 * (equal-width bins, scikit-learn's calibration_curve with strategy "uniform"), and each bin's mean
 * probability is set against how often the event really happened. `happened[i]` is 1 when row i's
 * event occurred (binary: the positive class is the true one; multi-class: the predicted class is
 * right, with `probability` the top class's probability, the "confidence" diagram).
 */
export function reliabilityCurve(probability: ArrayLike<number>, happened: ArrayLike<number>, nBins = 10): ReliabilityCurve {
  if (probability.length !== happened.length) throw new RangeError(`reliabilityCurve: ${probability.length} probabilities but ${happened.length} outcomes.`);
  if (!Number.isInteger(nBins) || nBins < 1) throw new RangeError(`reliabilityCurve: nBins must be a positive integer, got ${nBins}.`);
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  const count = new Int32Array(nBins);
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`reliabilityCurve: probability ${p} of row ${i} is not in [0, 1].`);
    const b = Math.min(nBins - 1, Math.floor(p * nBins));
    sumP[b] += p;
    sumY[b] += happened[i] ? 1 : 0;
    count[b]++;
  }
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < nBins; b++) {
    const meanPredicted = count[b] ? sumP[b] / count[b] : Number.NaN;
    const observed = count[b] ? sumY[b] / count[b] : Number.NaN;
    if (count[b]) ece += (count[b] / probability.length) * Math.abs(observed - meanPredicted);
    bins.push({ from: b / nBins, to: (b + 1) / nBins, count: count[b], meanPredicted, observed });
  }
  return { bins, ece: probability.length ? ece : Number.NaN };
}
