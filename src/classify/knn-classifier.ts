import { BundleError, ModelError, OptionsError } from "../errors.js";
import type { Classifier } from "./classifier.js";
import { checkFitInput, checkPredictInput } from "./forest/validate.js";
import { type Matrix, toMatrix } from "../util/matrix.js";
import { TopK } from "../store/top-k.js";
import { VectorBuffer } from "../store/vector-buffer.js";
import { argmax } from "../util/argmax.js";

export interface KnnOptions {
  /** Neighbours that vote. Default 15 (capped at the number of training rows). */
  k?: number;
  /**
   * "uniform" (default): each neighbour one vote. "distance": votes weighted 1 / cosine distance; an
   * exact match (distance 0) then decides alone, as in scikit-learn.
   */
  weights?: "uniform" | "distance";
}

/** Magic header of serialize(): recognisable bytes, then a version. */
const MAGIC = "sentivec-knn\n";
const FORMAT_VERSION = 1;
/** Distances below this count as exact matches (float32 dot of identical unit vectors is 1 ± 1e-7). */
const EXACT = 1e-6;

/**
 * k-nearest-neighbours by cosine similarity: the simple baseline shown next to the forest. fit()
 * stores the rows normalised in the same SIMD-scanned buffer the VectorStore uses, so predicting is
 * one exact top-k scan per row; predictProba is each class's share of the (weighted) votes.
 * Neighbours tied on similarity are taken in training-row order, so results are deterministic.
 */
export class KnnClassifier implements Classifier {
  readonly engine = "knn";
  readonly params: Readonly<Required<KnnOptions>>;
  nClasses = 0;
  nFeatures = 0;
  private rows = 0;
  private buf: VectorBuffer | undefined;
  private labels = new Int32Array(0);

  constructor(options: KnnOptions = {}) {
    const k = options.k ?? 15;
    const weights = options.weights ?? "uniform";
    if (!Number.isInteger(k) || k < 1) throw new OptionsError("KNN_K", `k must be a whole number ≥ 1; got ${k}.`);
    if (weights !== "uniform" && weights !== "distance") {
      throw new OptionsError("KNN_WEIGHTS", `weights must be "uniform" or "distance"; got ${JSON.stringify(weights)}.`);
    }
    this.params = { k, weights };
  }

  fit(X: Matrix | ArrayLike<number>[], y: ArrayLike<number>): this {
    const m = toMatrix(X, "training vectors");
    const { nClasses } = checkFitInput(m, y);
    const buf = new VectorBuffer(m.cols, { initialCapacity: m.rows });
    for (let i = 0; i < m.rows; i++) {
      buf.setRow(i, m.data.subarray(i * m.cols, (i + 1) * m.cols), `training row ${i}`, { allowZero: true });
    }
    this.buf = buf;
    this.labels = Int32Array.from(y);
    this.rows = m.rows;
    this.nClasses = nClasses;
    this.nFeatures = m.cols;
    return this;
  }

  predictProba(X: Matrix | ArrayLike<number>[]): Float64Array[] {
    const buf = this.trained();
    const m = checkPredictInput(toMatrix(X, "vectors to predict"), this.nFeatures);
    const k = Math.min(this.params.k, this.rows);
    const scores = new Float64Array(this.rows);
    const out: Float64Array[] = [];
    for (let i = 0; i < m.rows; i++) {
      buf.setQuery(m.data.subarray(i * m.cols, (i + 1) * m.cols), `row ${i} to predict`, { allowZero: true });
      buf.scoreAll(this.rows, scores);
      const top = new TopK(k, (a, b) => a < b);
      for (let r = 0; r < this.rows; r++) top.push(scores[r], r);
      out.push(this.vote(top.drain()));
    }
    return out;
  }

  predict(X: Matrix | ArrayLike<number>[]): Int32Array {
    return Int32Array.from(this.predictProba(X), argmax);
  }

  /**
   * MAGIC, u32 version, u32 header length, JSON header, zero padding to 4 bytes, then int32 labels
   * and float32 unit rows, little-endian.
   */
  serialize(): Uint8Array {
    const buf = this.trained();
    const header = new TextEncoder().encode(JSON.stringify({ nClasses: this.nClasses, nFeatures: this.nFeatures, rows: this.rows, params: this.params }));
    const magic = new TextEncoder().encode(MAGIC);
    const headEnd = align4(magic.length + 8 + header.length);
    const total = headEnd + this.rows * 4 + this.rows * this.nFeatures * 4;
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    out.set(magic, 0);
    view.setUint32(magic.length, FORMAT_VERSION, true);
    view.setUint32(magic.length + 4, header.length, true);
    out.set(header, magic.length + 8);
    for (let i = 0; i < this.rows; i++) view.setInt32(headEnd + 4 * i, this.labels[i], true);
    const vecStart = headEnd + this.rows * 4;
    const data = buf.view(this.rows);
    for (let i = 0; i < data.length; i++) view.setFloat32(vecStart + 4 * i, data[i], true);
    return out;
  }

  static isSerialized(bytes: Uint8Array): boolean {
    const magic = new TextEncoder().encode(MAGIC);
    if (bytes.length < magic.length) return false;
    for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
    return true;
  }

  static deserialize(bytes: Uint8Array): KnnClassifier {
    if (!KnnClassifier.isSerialized(bytes)) {
      throw new BundleError("KNN_NOT_KNN", "These bytes are not a serialized kNN classifier (wrong header).", { hint: "Train the model again." });
    }
    const magicLen = MAGIC.length;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const truncated = (): BundleError =>
      new BundleError("KNN_TRUNCATED", `The kNN classifier data is truncated (${bytes.length} bytes).`, { hint: "Train the model again." });
    if (bytes.length < magicLen + 8) throw truncated();
    const version = view.getUint32(magicLen, true);
    if (version !== FORMAT_VERSION) {
      throw new BundleError("KNN_VERSION", `kNN format version ${version} is not one this sentivec reads (${FORMAT_VERSION}).`, { hint: "Train the model again or upgrade sentivec." });
    }
    const headerLen = view.getUint32(magicLen + 4, true);
    if (bytes.length < magicLen + 8 + headerLen) throw truncated();
    let header: { nClasses: number; nFeatures: number; rows: number; params: KnnOptions };
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(magicLen + 8, magicLen + 8 + headerLen)));
    } catch (cause) {
      throw new BundleError("KNN_CORRUPT", "The kNN classifier header is corrupt.", { hint: "Train the model again.", cause });
    }
    const { nClasses, nFeatures, rows } = header;
    const headEnd = align4(magicLen + 8 + headerLen);
    if (bytes.length !== headEnd + rows * 4 + rows * nFeatures * 4) throw truncated();
    const c = new KnnClassifier(header.params);
    const buf = new VectorBuffer(nFeatures, { initialCapacity: rows });
    const labels = new Int32Array(rows);
    for (let i = 0; i < rows; i++) labels[i] = view.getInt32(headEnd + 4 * i, true);
    const vecStart = headEnd + rows * 4;
    const data = buf.view(rows);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(vecStart + 4 * i, true);
    c.buf = buf;
    c.labels = labels;
    c.rows = rows;
    c.nClasses = nClasses;
    c.nFeatures = nFeatures;
    return c;
  }

  private vote(neighbours: { score: number; row: number }[]): Float64Array {
    const p = new Float64Array(this.nClasses);
    if (this.params.weights === "distance") {
      const exact = neighbours.filter((n) => 1 - n.score < EXACT);
      if (exact.length > 0) for (const n of exact) p[this.labels[n.row]] += 1;
      else for (const n of neighbours) p[this.labels[n.row]] += 1 / (1 - n.score);
    } else {
      for (const n of neighbours) p[this.labels[n.row]] += 1;
    }
    let sum = 0;
    for (let c = 0; c < p.length; c++) sum += p[c];
    for (let c = 0; c < p.length; c++) p[c] /= sum;
    return p;
  }

  private trained(): VectorBuffer {
    if (!this.buf) throw new ModelError("KNN_UNTRAINED", "This kNN classifier has not been trained.", { hint: "Call fit(X, y) first." });
    return this.buf;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
