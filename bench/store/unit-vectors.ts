/** Seeded random unit vectors for the store benchmarks: sums of two uniforms, normalised (xorshift32). */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** n × dims floats, each row of unit length; the same seed gives the same vectors in every benchmark. */
export function unitVectors(n: number, dims: number, seed: number): Float32Array {
  const rnd = xorshift(seed);
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    let ss = 0;
    for (let j = 0; j < dims; j++) {
      const v = rnd() + rnd() - 1;
      out[i * dims + j] = v;
      ss += v * v;
    }
    const inv = 1 / Math.sqrt(ss);
    for (let j = 0; j < dims; j++) out[i * dims + j] *= inv;
  }
  return out;
}
