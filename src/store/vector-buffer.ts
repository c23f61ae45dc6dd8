import { type DotFunction, type WasmMemory, createSimdDot, createWasmMemory } from "./simd-dot-kernel.js";
import { l2NormalizeInto } from "./l2-normalize.js";
import { StoreError } from "./store-error.js";

const PAGE = 65536;
/** wasm32 linear memory tops out at 4 GiB (65536 pages). */
const MAX_PAGES = 65536;

export interface VectorBufferOptions {
  /** Rows to allocate up front. Default 16. */
  initialCapacity?: number;
  /** Use the WebAssembly SIMD kernel when available. Default true; false forces the JS loop. */
  simd?: boolean;
}

/**
 * Unit-length float32 rows in ONE contiguous buffer, `dims` floats per row, growing by doubling.
 *
 * The buffer lives in a WebAssembly.Memory when the runtime has SIMD, so the dot kernel reads rows in
 * place (no copy per search); the query sits in a scratch slot before row 0 of the same memory.
 * Without SIMD, or past wasm's 4 GiB, it is a plain Float32Array scanned by an unrolled JS loop.
 *
 * `data` is re-created whenever the buffer grows: views taken earlier then refer to a detached
 * (wasm) or stale (plain) buffer, so callers take views right before use.
 */
export class VectorBuffer {
  readonly dims: number;
  /** capacity × dims floats; row i at [i*dims, (i+1)*dims). */
  data: Float32Array;
  /** The normalised query the next dot() calls compare against. */
  query: Float32Array;
  capacity: number;
  private memory: WasmMemory | null = null;
  private dot: DotFunction | null = null;
  /** Byte offset of row 0 in the wasm memory. */
  private base = 0;
  private readonly rowBytes: number;

  constructor(dims: number, options: VectorBufferOptions = {}) {
    this.dims = dims;
    this.rowBytes = dims * 4;
    this.capacity = Math.max(1, Math.floor(options.initialCapacity ?? 16));
    // The query slot is rounded up to 64 bytes so every row starts 16-byte aligned when dims % 4 == 0.
    this.base = Math.ceil(this.rowBytes / 64) * 64;
    if (options.simd !== false && this.base + this.capacity * this.rowBytes <= MAX_PAGES * PAGE) {
      // Null when out of address space for another wasm memory: the plain buffer below still works.
      const memory = createWasmMemory(this.pagesFor(this.capacity), MAX_PAGES);
      const dot = memory && createSimdDot(memory);
      if (memory && dot) {
        this.memory = memory;
        this.dot = dot;
      }
    }
    this.data = new Float32Array(0);
    this.query = new Float32Array(0);
    if (this.memory) this.remapViews();
    else {
      this.data = new Float32Array(this.capacity * dims);
      this.query = new Float32Array(dims);
    }
  }

  /** Which scan the buffer uses: "wasm-simd" or "js". */
  get kernel(): "wasm-simd" | "js" {
    return this.dot ? "wasm-simd" : "js";
  }

  /** Makes room for at least `rows` rows: doubles, or jumps straight to `rows` if that is more. */
  ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    this.resize(Math.max(rows, this.capacity * 2), this.capacity);
  }

  /** Reallocates to exactly `rows` rows of capacity (at least 1), keeping the first `keep` rows. */
  resize(rows: number, keep: number): void {
    rows = Math.max(1, rows);
    keep = Math.min(keep, rows);
    if (this.memory && rows > this.capacity && this.base + rows * this.rowBytes <= MAX_PAGES * PAGE) {
      try {
        // Growing a wasm memory keeps its contents (in place on 64-bit hosts); only views need redoing.
        this.memory.grow(this.pagesFor(rows) - this.memory.buffer.byteLength / PAGE);
        this.capacity = rows;
        this.remapViews();
        return;
      } catch {
        // Could not grow: fall through to a fresh buffer.
      }
    }
    const old = this.data.subarray(0, keep * this.dims);
    const oldQuery = this.query;
    let moved = false;
    if (this.memory && this.base + rows * this.rowBytes <= MAX_PAGES * PAGE) {
      const memory = createWasmMemory(this.pagesFor(rows), MAX_PAGES);
      const dot = memory && createSimdDot(memory);
      if (memory && dot) {
        this.memory = memory;
        this.dot = dot;
        this.capacity = rows;
        this.remapViews();
        moved = true;
      }
    }
    if (!moved) {
      this.memory = null;
      this.dot = null;
      this.capacity = rows;
      this.data = new Float32Array(rows * this.dims);
      this.query = new Float32Array(this.dims);
    }
    this.data.set(old);
    this.query.set(oldQuery);
  }

  /** Normalises `src` into row i. */
  setRow(i: number, src: ArrayLike<number>, what: string, options: { allowZero?: boolean } = {}): void {
    l2NormalizeInto(src, this.data, i * this.dims, what, options);
  }

  /** Copies an already-normalised row (swap-remove moves the last row into a hole). */
  copyRow(from: number, to: number): void {
    const d = this.dims;
    this.data.copyWithin(to * d, from * d, (from + 1) * d);
  }

  /** A copy of row i. */
  row(i: number): Float32Array {
    return this.data.slice(i * this.dims, (i + 1) * this.dims);
  }

  /** The first `rows` rows as a view (no copy). */
  view(rows: number): Float32Array {
    return this.data.subarray(0, rows * this.dims);
  }

  /** Normalises a query into the scratch slot; dot(i) then compares against it. */
  setQuery(q: ArrayLike<number>, what: string, options: { allowZero?: boolean } = {}): void {
    if (q.length !== this.dims) {
      throw new StoreError("STORE_QUERY_DIMENSIONS", `${what} has ${q.length} dimensions but the store holds ${this.dims}.`, {
        hint: "Query with a vector from the same embedder the store was built with.",
      });
    }
    l2NormalizeInto(q, this.query, 0, what, options);
  }

  /**
   * Scores rows [0, rows) against the query into `out` (float64 scores). The hot loop of every
   * unfiltered search: one kernel call per row, rows read strictly in order.
   */
  scoreAll(rows: number, out: Float64Array): void {
    const dot = this.dot;
    if (dot) {
      const rb = this.rowBytes, d = this.dims;
      let p = this.base;
      for (let r = 0; r < rows; r++, p += rb) out[r] = dot(p, 0, d);
      return;
    }
    for (let r = 0; r < rows; r++) out[r] = this.dotJs(r);
  }

  /** Score of row i against the query. */
  score(i: number): number {
    return this.dot ? this.dot(this.base + i * this.rowBytes, 0, this.dims) : this.dotJs(i);
  }

  /** The portable path: four independent accumulators so additions overlap in the pipeline. */
  private dotJs(i: number): number {
    const a = this.data, q = this.query, d = this.dims;
    const off = i * d;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let j = 0;
    for (; j + 3 < d; j += 4) {
      const o = off + j;
      s0 += a[o] * q[j];
      s1 += a[o + 1] * q[j + 1];
      s2 += a[o + 2] * q[j + 2];
      s3 += a[o + 3] * q[j + 3];
    }
    for (; j < d; j++) s0 += a[off + j] * q[j];
    return s0 + s1 + s2 + s3;
  }

  private pagesFor(rows: number): number {
    return Math.max(1, Math.ceil((this.base + rows * this.rowBytes) / PAGE));
  }

  private remapViews(): void {
    const buf = this.memory!.buffer;
    this.query = new Float32Array(buf, 0, this.dims);
    this.data = new Float32Array(buf, this.base, this.capacity * this.dims);
  }
}
