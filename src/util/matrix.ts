import { OptionsError } from "../errors.js";

/**
 * A dense row-major matrix of float32 features: the shape every stage passes vectors in.
 * The vector store hands out its buffer as one of these without copying; the forest reads it directly.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** rows × cols values, row i at [i*cols, (i+1)*cols). */
  readonly data: Float32Array;
}

/** Rows of a matrix as views (no copy). */
export function matrixRow(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/**
 * Accepts what users naturally have (number[][], Float32Array[], or a Matrix) and returns a Matrix.
 * Checks every row has the same length and every value is finite, naming the first offender.
 */
export function toMatrix(input: Matrix | ArrayLike<number>[], what = "input"): Matrix {
  if (isMatrix(input)) {
    checkFinite(input, what);
    return input;
  }
  const { rows, cols } = checkRows(input, what);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) data.set(input[i], i * cols);
  return { rows, cols, data };
}

/** Rows kept as they were given (no copy into one buffer), after the checks toMatrix makes. */
export interface RowList {
  readonly rows: number;
  readonly cols: number;
  readonly list: readonly ArrayLike<number>[];
}

/**
 * Checks rows as toMatrix does (same length, finite values) without copying them: for data too big
 * to hold twice, such as a million embeddings that already exist one array per row.
 */
export function checkRows(input: readonly ArrayLike<number>[], what = "input"): RowList {
  const rows = input.length;
  if (rows === 0) return { rows: 0, cols: 0, list: input };
  const cols = input[0].length;
  for (let i = 0; i < rows; i++) {
    const row = input[i];
    if (!row || row.length !== cols) {
      throw new OptionsError(
        "MATRIX_RAGGED",
        `${what}: row ${i} has ${row ? row.length : 0} values but row 0 has ${cols}.`,
        { hint: "Every vector must have the same number of dimensions." },
      );
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (!Number.isFinite(v)) {
        throw new OptionsError("MATRIX_NOT_FINITE", `${what}: row ${i}, column ${j} is ${v}.`, {
          hint: "Vectors must contain finite numbers only (no NaN or Infinity).",
        });
      }
    }
  }
  return { rows, cols, list: input };
}

export function isMatrix(x: unknown): x is Matrix {
  return (
    typeof x === "object" && x !== null && (x as Matrix).data instanceof Float32Array &&
    typeof (x as Matrix).rows === "number" && typeof (x as Matrix).cols === "number"
  );
}

function checkFinite(m: Matrix, what: string): void {
  if (m.data.length !== m.rows * m.cols) {
    throw new OptionsError("MATRIX_SHAPE", `${what}: data has ${m.data.length} values, expected ${m.rows}×${m.cols}.`);
  }
  const d = m.data;
  for (let k = 0; k < d.length; k++) {
    if (!Number.isFinite(d[k])) {
      const i = Math.floor(k / m.cols);
      throw new OptionsError("MATRIX_NOT_FINITE", `${what}: row ${i}, column ${k - i * m.cols} is ${d[k]}.`, {
        hint: "Vectors must contain finite numbers only (no NaN or Infinity).",
      });
    }
  }
}

/** A new matrix holding the given rows, in the given order (copies). */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float32Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
  }
  return { rows: indices.length, cols: m.cols, data: out };
}
