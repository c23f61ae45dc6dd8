/**
 * A tiny WebAssembly module with one function, dot(a, b, n): the dot product of two float32 runs
 * in linear memory, four 128-bit lanes at a time. Plain JavaScript reads a Float32Array one element at
 * a time into doubles and tops out at ~1 float/ns on one core; SIMD reads 16 floats per iteration and
 * reaches memory bandwidth, which is what "exact search as fast as reading the vectors" needs.
 *
 * The bytes are assembled here (not shipped as a .wasm file) so that tsc, tsx, vitest and tslab's
 * CommonJS compile all load it the same way, with no file lookup and no `import.meta`.
 *
 * Accumulation is in float32 (four lanes × four accumulators), so a score can differ from a float64
 * reference by ~1e-7; identical vectors always score identically, which is what tie-breaking needs.
 */

/** dot(aByteOffset, bByteOffset, n) over the memory the kernel was instantiated with. */
export type DotFunction = (aByteOffset: number, bByteOffset: number, n: number) => number;

/**
 * The slice of the WebAssembly JS API used here. Declared locally because the project compiles with
 * lib ES2022 and @types/node 20, neither of which types the WebAssembly global.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let cachedModule: object | null | undefined;

/** The compiled module, or null when this runtime has no WebAssembly SIMD (callers fall back to JS). */
function simdDotModule(): object | null {
  if (cachedModule !== undefined) return cachedModule;
  try {
    const bytes = assembleDotModule();
    cachedModule = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    cachedModule = null;
  }
  return cachedModule;
}

/** True when the SIMD kernel can run here. */
export function simdAvailable(): boolean {
  return simdDotModule() !== null;
}

/** A new linear memory of `initial` pages (64 KiB each) that may grow to `maximum`; null if none can be had. */
export function createWasmMemory(initial: number, maximum: number): WasmMemory | null {
  if (!wasm || !simdAvailable()) return null;
  try {
    return new wasm.Memory({ initial, maximum });
  } catch {
    // Out of address space for another memory (each reserves several GiB of virtual space).
    return null;
  }
}

/** Instantiates dot() over `memory`; null when SIMD is unavailable. */
export function createSimdDot(memory: WasmMemory): DotFunction | null {
  const module = simdDotModule();
  if (!module || !wasm) return null;
  const instance = new wasm.Instance(module, { env: { mem: memory } });
  return instance.exports.dot as DotFunction;
}

// ---- assembler: just enough of the binary format for one function ----

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const i32 = (n: number): number[] => [0x41, ...sleb(n)];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const I32_ADD = 0x6a, I32_AND = 0x71, I32_SHL = 0x74, I32_LT_U = 0x49, I32_GE_U = 0x4f;
const F32_LOAD = 0x2a, F32_ADD = 0x92, F32_MUL = 0x94;
const V128_LOAD = (offset: number): number[] => [...simd(0x00), 4, ...uleb(offset)];
const F32X4_ADD = simd(0xe4), F32X4_MUL = simd(0xe6);
const F32X4_LANE = (lane: number): number[] => [...simd(0x1f), lane];
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = [0x0b], BR_IF = (depth: number): number[] => [0x0d, depth];

function assembleDotModule(): Uint8Array {
  // params: 0 a, 1 b, 2 n; locals: 3 end, 4..7 accumulators, 8 scalar sum
  const A = 0, B = 1, N = 2, E = 3, ACC = [4, 5, 6, 7], S = 8;
  const advance = (bytes: number): number[] => [
    ...get(A), ...i32(bytes), I32_ADD, ...set(A), ...get(B), ...i32(bytes), I32_ADD, ...set(B),
  ];
  const body = [
    ...vec([[1, I32], [4, V128], [1, F32]]),
    // end = a + (n & ~15) * 4: the SIMD part covers whole groups of 16 floats
    ...get(A), ...get(N), ...i32(-16), I32_AND, ...i32(2), I32_SHL, I32_ADD, ...set(E),
    ...BLOCK, ...get(A), ...get(E), I32_GE_U, ...BR_IF(0),
    ...LOOP,
    ...[0, 1, 2, 3].flatMap((k) => [
      ...get(ACC[k]), ...get(A), ...V128_LOAD(16 * k), ...get(B), ...V128_LOAD(16 * k), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC[k]),
    ]),
    ...advance(64),
    ...get(A), ...get(E), I32_LT_U, ...BR_IF(0),
    ...END,
    ...END,
    // fold the four accumulators, then their four lanes
    ...get(ACC[0]), ...get(ACC[1]), ...F32X4_ADD, ...get(ACC[2]), ...get(ACC[3]), ...F32X4_ADD, ...F32X4_ADD, ...set(ACC[0]),
    ...get(ACC[0]), ...F32X4_LANE(0), ...get(ACC[0]), ...F32X4_LANE(1), F32_ADD,
    ...get(ACC[0]), ...F32X4_LANE(2), F32_ADD, ...get(ACC[0]), ...F32X4_LANE(3), F32_ADD, ...set(S),
    // scalar tail: the last n % 16 floats
    ...get(E), ...get(N), ...i32(15), I32_AND, ...i32(2), I32_SHL, I32_ADD, ...set(E),
    ...BLOCK, ...get(A), ...get(E), I32_GE_U, ...BR_IF(0),
    ...LOOP,
    ...get(S), ...get(A), F32_LOAD, 2, 0, ...get(B), F32_LOAD, 2, 0, F32_MUL, F32_ADD, ...set(S),
    ...advance(4),
    ...get(A), ...get(E), I32_LT_U, ...BR_IF(0),
    ...END,
    ...END,
    ...get(S),
    ...END,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32]]), ...vec([[F32]])]])),
    // imported memory "env"."mem", at least 1 page
    ...section(2, vec([[...name("env"), ...name("mem"), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name("dot"), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}
