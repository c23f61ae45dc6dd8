/**
 * The memory floor at full speed: a WebAssembly SIMD pass summing a float32 array, 16 floats per
 * iteration in four f32x4 accumulators. It reads each byte once and does the least possible work
 * per byte, so no exact search over the same bytes can beat it. Bench-only (assembled like
 * src/store/simd-dot-kernel.ts, which has the commented version of this encoding).
 */
interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const uleb = (n: number): number[] => {
  const o: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return o;
};
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];

/** A float32 array in its own wasm memory, and sum() over all of it. n must be a multiple of 16. */
export function createSimdSum(n: number): { data: Float32Array; sum: () => number } {
  if (n % 16 !== 0) throw new Error("n must be a multiple of 16");
  // sum(p, end) -> f32; locals 2..5 v128 accumulators
  const get = (i: number): number[] => [0x20, i];
  const set = (i: number): number[] => [0x21, i];
  const body = [
    ...vec([[4, 0x7b]]),
    0x02, 0x40, ...get(0), ...get(1), 0x4f, 0x0d, 0,
    0x03, 0x40,
    ...[0, 1, 2, 3].flatMap((k) => [...get(2 + k), ...get(0), ...simd(0), 4, ...uleb(16 * k), ...simd(0xe4), ...set(2 + k)]),
    ...get(0), 0x41, 0xc0, 0x00, 0x6a, ...set(0), // p += 64 (i32.const 64 is two bytes in signed LEB128)
    ...get(0), ...get(1), 0x49, 0x0d, 0,
    0x0b, 0x0b,
    ...get(2), ...get(3), ...simd(0xe4), ...get(4), ...get(5), ...simd(0xe4), ...simd(0xe4), ...set(2),
    ...get(2), ...simd(0x1f), 0, ...get(2), ...simd(0x1f), 1, 0x92, ...get(2), ...simd(0x1f), 2, 0x92, ...get(2), ...simd(0x1f), 3, 0x92,
    0x0b,
  ];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[0x7f], [0x7f]]), ...vec([[0x7d]])]])),
    ...section(2, vec([[...name("env"), ...name("mem"), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name("sum"), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
  const memory = new wasm.Memory({ initial: Math.ceil((n * 4) / 65536) + 1 });
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { mem: memory } });
  const sum = instance.exports.sum as (p: number, end: number) => number;
  const data = new Float32Array(memory.buffer, 0, n);
  return { data, sum: () => sum(0, n * 4) };
}
