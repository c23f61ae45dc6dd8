/**
 * Embeds each text into a view of one shared buffer, for the offline embedders. A separate ArrayBuffer
 * per vector costs ~200 bytes of bookkeeping each, 200 MB over a million texts; views into one slab
 * do not.
 */
export function embedIntoSlab(texts: string[], dimensions: number, embedInto: (text: string, out: Float32Array) => Float32Array): Float32Array[] {
  const slab = new Float32Array(texts.length * dimensions);
  return texts.map((t, i) => embedInto(t, slab.subarray(i * dimensions, (i + 1) * dimensions)));
}
