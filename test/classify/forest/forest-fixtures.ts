import type { Matrix } from "../../../src/util/matrix.js";
import { Random } from "../../../src/util/random.js";

/** XOR of the signs of two features, points kept away from the axes so the rule is unambiguous. */
export function xorData(n: number, seed: number): { X: number[][]; y: number[] } {
  const r = new Random(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = (0.1 + r.next()) * (r.next() < 0.5 ? -1 : 1);
    const b = (0.1 + r.next()) * (r.next() < 0.5 ? -1 : 1);
    X.push([a, b]);
    y.push(a > 0 !== b > 0 ? 1 : 0);
  }
  return { X, y };
}

/** Classes separated by a margin along every feature (a noise-free set any single split can start on). */
export function separableData(n: number, d: number, nClasses: number, seed: number): { X: Matrix; y: Int32Array } {
  const r = new Random(seed);
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % nClasses;
    y[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = c * 10 + r.next() * 9;
  }
  return { X: { rows: n, cols: d, data }, y };
}

/** A noisy linear rule over the first 8 features of d, like the benchmark's synthetic sets. */
export function noisyData(n: number, d: number, seed: number): { X: Matrix; y: Int32Array } {
  const r = new Random(seed);
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = r.next() * 2 - 1;
      data[i * d + j] = v;
      if (j < 8) s += j % 2 ? v : -v;
    }
    y[i] = s + (r.next() - 0.5) * 0.5 > 0 ? 1 : 0;
  }
  return { X: { rows: n, cols: d, data }, y };
}
