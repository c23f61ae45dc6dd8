/**
 * Isotonic regression as scikit-learn's IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1):
 * the non-decreasing step fit of targets on scores by pool-adjacent-violators (equal scores pooled
 * first), predicted by linear interpolation between the fitted points and clipped outside them.
 */
export class IsotonicCalibrator {
  constructor(readonly x: number[], readonly y: number[]) {}

  static fit(scores: ArrayLike<number>, isPositive: ArrayLike<boolean>): IsotonicCalibrator {
    const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
    // Blocks: [x, mean target, weight]; equal scores start as one block.
    const bx: number[] = [], by: number[] = [], bw: number[] = [];
    for (const i of order) {
      const t = isPositive[i] ? 1 : 0;
      const last = bx.length - 1;
      if (last >= 0 && bx[last] === scores[i]) {
        by[last] = (by[last] * bw[last] + t) / (bw[last] + 1);
        bw[last]++;
      } else {
        bx.push(scores[i]);
        by.push(t);
        bw.push(1);
      }
    }
    // Pool adjacent violators: merged blocks keep each x, sharing one level.
    const level: number[] = [], weight: number[] = [], start: number[] = [];
    for (let k = 0; k < bx.length; k++) {
      level.push(by[k]);
      weight.push(bw[k]);
      start.push(k);
      while (level.length > 1 && level[level.length - 2] > level[level.length - 1]) {
        const w = weight[weight.length - 2] + weight[weight.length - 1];
        const v = (level[level.length - 2] * weight[weight.length - 2] + level[level.length - 1] * weight[weight.length - 1]) / w;
        level.pop();
        weight.pop();
        start.pop();
        level[level.length - 1] = v;
        weight[weight.length - 1] = w;
      }
    }
    const fitted = new Array<number>(bx.length);
    for (let b = 0; b < start.length; b++) {
      const end = b + 1 < start.length ? start[b + 1] : bx.length;
      for (let k = start[b]; k < end; k++) fitted[k] = level[b];
    }
    return new IsotonicCalibrator(bx, fitted);
  }

  predict(score: number): number {
    const { x, y } = this;
    if (x.length === 0) return 0.5;
    if (score <= x[0]) return y[0];
    if (score >= x[x.length - 1]) return y[y.length - 1];
    let lo = 0, hi = x.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid] <= score) lo = mid;
      else hi = mid;
    }
    const f = (score - x[lo]) / (x[hi] - x[lo]);
    return y[lo] + f * (y[hi] - y[lo]);
  }

  toJSON(): { x: number[]; y: number[] } {
    return { x: this.x, y: this.y };
  }
}
