import { Random } from "../../src/util/random.js";

/** Gaussian-ish random vectors (sum of uniforms), seeded. */
export function randomVectors(n: number, dims: number, seed: number): Float32Array[] {
  const rng = new Random(seed);
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Float32Array(dims);
    for (let j = 0; j < dims; j++) v[j] = rng.next() + rng.next() + rng.next() - 1.5;
    out.push(v);
  }
  return out;
}

/** Cosine in float64, the reference the store's float32 SIMD scan is checked against. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j] * b[j];
    na += a[j] * a[j];
    nb += b[j] * b[j];
  }
  return dot / Math.sqrt(na * nb);
}

/** Brute force: score every row, sort by score desc then id asc, keep k. */
export function bruteForce(rows: { id: string; vector: ArrayLike<number> }[], q: ArrayLike<number>, k: number): { id: string; score: number }[] {
  return rows
    .map((r) => ({ id: r.id, score: cosine(r.vector, q) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, k);
}
