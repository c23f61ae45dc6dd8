import { Matrix, solve } from "ml-matrix";

/**
 * The small ridge regression that spreads lexicon valences to every word of the offline embedder's
 * table (scripts/build-glove-table.ts), shared with the feature bench (bench/glove-features) so that
 * the bench measures the same spread the build ships.
 */
export interface RidgeModel {
  w: number[];
  b: number;
}

/** Ridge regression with an unpenalised intercept. */
export function ridge(X: number[][], y: number[], alpha: number): RidgeModel {
  const n = X.length;
  const d = X[0].length;
  const mean = new Array<number>(d).fill(0);
  for (const row of X) for (let j = 0; j < d; j++) mean[j] += row[j] / n;
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const Xc = new Matrix(X.map((row) => row.map((v, j) => v - mean[j])));
  const A = Xc.transpose().mmul(Xc);
  for (let j = 0; j < d; j++) A.set(j, j, A.get(j, j) + alpha);
  const rhs = Xc.transpose().mmul(Matrix.columnVector(y.map((v) => v - yMean)));
  const w = solve(A, rhs).to1DArray();
  const b = yMean - w.reduce((s, wj, j) => s + wj * mean[j], 0);
  return { w, b };
}

export function ridgePredict(model: RidgeModel, x: ArrayLike<number>): number {
  let s = model.b;
  for (let j = 0; j < x.length; j++) s += model.w[j] * x[j];
  return s;
}

/** The penalty from `alphas` with the least 5-fold CV squared error (folds by index mod 5); logs each. */
export function chooseRidgeAlpha(X: number[][], y: number[], alphas: readonly number[], log: (line: string) => void = console.error): number {
  let best = alphas[0];
  let bestError = Number.POSITIVE_INFINITY;
  for (const alpha of alphas) {
    let error = 0;
    for (let fold = 0; fold < 5; fold++) {
      const trainIdx = X.map((_, i) => i).filter((i) => i % 5 !== fold);
      const testIdx = X.map((_, i) => i).filter((i) => i % 5 === fold);
      const m = ridge(trainIdx.map((i) => X[i]), trainIdx.map((i) => y[i]), alpha);
      for (const i of testIdx) error += (ridgePredict(m, X[i]) - y[i]) ** 2;
    }
    log(`  ridge alpha ${alpha}: CV mean squared error ${(error / X.length).toFixed(5)}`);
    if (error < bestError) {
      bestError = error;
      best = alpha;
    }
  }
  return best;
}
