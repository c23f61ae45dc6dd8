import { Random } from "../../src/util/random.js";
import type { BenchSet } from "./bench-set.js";

/**
 * A two-class set shaped like scikit-learn's make_classification: 10 informative Gaussian features
 * (two clusters per class at hypercube corners), 10 redundant linear mixes of them, the rest noise,
 * 2% of labels flipped. Train n rows, test n/2 rows (at least 1000), from one seeded stream.
 */
export function makeSyntheticSet(n: number, d: number, seed: number): BenchSet {
  const r = new Random(seed * 7919 + n * 31 + d);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const informative = Math.min(10, d);
  const redundant = Math.min(10, d - informative);
  const centres: number[][] = [];
  for (let c = 0; c < 4; c++) centres.push(Array.from({ length: informative }, () => (r.next() < 0.5 ? -1 : 1)));
  const mix: number[][] = Array.from({ length: redundant }, () => Array.from({ length: informative }, () => r.next() * 2 - 1));
  const make = (rows: number): { X: Float32Array; y: Int32Array } => {
    const X = new Float32Array(rows * d);
    const y = new Int32Array(rows);
    const inf = new Float64Array(informative);
    for (let i = 0; i < rows; i++) {
      const cluster = r.int(4);
      let label = cluster & 1;
      for (let j = 0; j < informative; j++) inf[j] = centres[cluster][j] + gauss();
      for (let j = 0; j < informative; j++) X[i * d + j] = inf[j];
      for (let j = 0; j < redundant; j++) {
        let s = 0;
        for (let k = 0; k < informative; k++) s += mix[j][k] * inf[k];
        X[i * d + informative + j] = s;
      }
      for (let j = informative + redundant; j < d; j++) X[i * d + j] = gauss();
      if (r.next() < 0.02) label = 1 - label;
      y[i] = label;
    }
    return { X, y };
  };
  const train = make(n);
  const test = make(Math.max(1000, n >> 1));
  return {
    name: `synthetic ${n}×${d}`,
    train: { rows: n, cols: d, data: train.X },
    yTrain: train.y,
    test: { rows: test.y.length, cols: d, data: test.X },
    yTest: test.y,
  };
}
