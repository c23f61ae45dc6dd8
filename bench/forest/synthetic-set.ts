import { Random } from "../../src/util/random.js";
import type { BenchSet } from "./bench-set.js";

/**
 * A Gaussian-mixture set shaped like scikit-learn's make_classification: 10 informative Gaussian features
 * (two clusters per class, centred at hypercube corners ±1), 10 redundant linear mixes of them, the rest
 * noise, 2% of labels replaced by another class. `shape` changes the informative count and the centres'
 * distance (class separation) for harder sets. Train n rows, test n/2 rows (at least 1000), from one
 * seeded stream. Two-class sets are the same numbers as before `classes` existed.
 */
export function makeSyntheticSet(n: number, d: number, seed: number, classes = 2, shape: { informative?: number; separation?: number } = {}): BenchSet {
  const tuned = shape.informative !== undefined || shape.separation !== undefined;
  const r = new Random(seed * 7919 + n * 31 + d + (classes > 2 ? classes * 1_000_003 : 0) + (tuned ? 17 : 0));
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const informative = Math.min(shape.informative ?? 10, d);
  const sep = shape.separation ?? 1;
  const redundant = Math.min(10, d - informative);
  const nClusters = 2 * classes;
  const centres: number[][] = [];
  for (let c = 0; c < nClusters; c++) centres.push(Array.from({ length: informative }, () => (r.next() < 0.5 ? -sep : sep)));
  const mix: number[][] = Array.from({ length: redundant }, () => Array.from({ length: informative }, () => r.next() * 2 - 1));
  const make = (rows: number): { X: Float32Array; y: Int32Array } => {
    const X = new Float32Array(rows * d);
    const y = new Int32Array(rows);
    const inf = new Float64Array(informative);
    for (let i = 0; i < rows; i++) {
      const cluster = r.int(nClusters);
      let label = cluster % classes;
      for (let j = 0; j < informative; j++) inf[j] = centres[cluster][j] + gauss();
      for (let j = 0; j < informative; j++) X[i * d + j] = inf[j];
      for (let j = 0; j < redundant; j++) {
        let s = 0;
        for (let k = 0; k < informative; k++) s += mix[j][k] * inf[k];
        X[i * d + informative + j] = s;
      }
      for (let j = informative + redundant; j < d; j++) X[i * d + j] = gauss();
      if (r.next() < 0.02) label = classes === 2 ? 1 - label : (label + 1 + r.int(classes - 1)) % classes;
      y[i] = label;
    }
    return { X, y };
  };
  const train = make(n);
  const test = make(Math.max(1000, n >> 1));
  return {
    name: `synthetic ${n}×${d}${classes > 2 ? `, ${classes} classes` : ""}${tuned ? ` (${informative} informative, centres ±${sep})` : ""}`,
    train: { rows: n, cols: d, data: train.X },
    yTrain: train.y,
    test: { rows: test.y.length, cols: d, data: test.X },
    yTest: test.y,
  };
}
