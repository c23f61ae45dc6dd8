import { minimizeLbfgs } from "../linear/lbfgs.js";

/**
 * Platt scaling as scikit-learn's _sigmoid_calibration: p = 1 / (1 + exp(A·f + B)) fitted by maximum
 * likelihood on scores f against targets smoothed to (n₁+1)/(n₁+2) and 1/(n₀+2) (Platt 1999), which
 * keeps a separable fold from pushing A to infinity.
 */
export class SigmoidCalibrator {
  constructor(readonly a: number, readonly b: number) {}

  static fit(scores: ArrayLike<number>, isPositive: ArrayLike<boolean>): SigmoidCalibrator {
    let n1 = 0;
    for (let i = 0; i < isPositive.length; i++) if (isPositive[i]) n1++;
    const n0 = isPositive.length - n1;
    const hi = (n1 + 1) / (n1 + 2), lo = 1 / (n0 + 2);
    const t = Float64Array.from({ length: scores.length }, (_, i) => (isPositive[i] ? hi : lo));
    const x0 = Float64Array.of(0, Math.log((n0 + 1) / (n1 + 1)));
    const r = minimizeLbfgs((x, g) => {
      const [A, B] = [x[0], x[1]];
      let loss = 0, gA = 0, gB = 0;
      for (let i = 0; i < scores.length; i++) {
        const z = A * scores[i] + B; // p = σ(−z)
        // −[t·log σ(−z) + (1−t)·log σ(z)], each log written stably.
        const logP = -softplus(z), log1mP = -softplus(-z);
        loss -= t[i] * logP + (1 - t[i]) * log1mP;
        const p = sigmoid(-z);
        const d = t[i] - p; // ∂loss/∂z
        gA += d * scores[i];
        gB += d;
      }
      g[0] = gA;
      g[1] = gB;
      return loss;
    }, x0, { tolerance: 1e-10, maxIterations: 200 });
    return new SigmoidCalibrator(r.x[0], r.x[1]);
  }

  predict(score: number): number {
    return sigmoid(-(this.a * score + this.b));
  }

  toJSON(): { a: number; b: number } {
    return { a: this.a, b: this.b };
  }
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
