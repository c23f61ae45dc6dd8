import { BundleError, OptionsError } from "../../errors.js";
import { argmax } from "../../util/argmax.js";
import { type Matrix, toMatrix } from "../../util/matrix.js";
import type { Classifier, FitOptions } from "../classifier.js";
import { outOfFoldProba } from "../out-of-fold-proba.js";
import { IsotonicCalibrator } from "./isotonic-calibrator.js";
import { SigmoidCalibrator } from "./sigmoid-calibrator.js";

export const CALIBRATION_METHODS = ["sigmoid", "isotonic"] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

export interface CalibrationOptions {
  method: CalibrationMethod;
  /** Folds for the out-of-fold scores. Default 5 (scikit-learn's cv=5). */
  folds?: number;
  /** Seed of the folds. Default 42. */
  seed?: number;
}

type Calibrator = SigmoidCalibrator | IsotonicCalibrator;

const MAGIC = "sentivec-calibrated\n";
const FORMAT_VERSION = 1;

/**
 * A classifier whose probabilities are calibrated as scikit-learn's CalibratedClassifierCV(ensemble=False)
 * does: the base classifier's probabilities for every training row come from k models that did not see
 * it; a calibrator per class (one-vs-rest; only the positive class for two) is fitted on them; the base
 * is then refitted on all rows. Predicted probabilities are the calibrated ones, normalised to sum to 1.
 * (scikit-learn calibrates decision_function where a classifier has one; every classifier here exposes
 * probabilities, so those are calibrated.)
 */
export class CalibratedClassifier implements Classifier {
  readonly engine: string;
  nClasses = 0;
  nFeatures = 0;
  /** Calibrated out-of-fold probabilities of the training rows, after fit (not saved): for choosing a threshold. */
  outOfFold: Float64Array[] | undefined;
  private calibrators: Calibrator[] = [];
  private readonly folds: number;
  private readonly seed: number;

  constructor(
    private base: Classifier,
    private readonly make: (() => Classifier) | undefined,
    readonly method: CalibrationMethod,
    options: { folds?: number; seed?: number } = {},
  ) {
    if (!CALIBRATION_METHODS.includes(method)) {
      throw new OptionsError("CALIBRATION_METHOD", `Unknown calibration method ${JSON.stringify(method)}.`, { hint: 'Use "sigmoid" or "isotonic".' });
    }
    this.folds = options.folds ?? 5;
    this.seed = options.seed ?? 42;
    if (!Number.isInteger(this.folds) || this.folds < 2) throw new OptionsError("CALIBRATION_FOLDS", `Calibration folds must be a whole number ≥ 2; got ${this.folds}.`);
    this.engine = base.engine;
  }

  /** `make` builds a fresh, unfitted copy of the base classifier for each fold. */
  static create(make: () => Classifier, options: CalibrationOptions): CalibratedClassifier {
    return new CalibratedClassifier(make(), make, options.method, options);
  }

  get params(): Readonly<Record<string, unknown>> {
    return { ...this.base.params, calibration: { method: this.method, folds: this.folds } };
  }

  /** The classifier under the calibration (its probabilities are the "before" of a report). */
  get uncalibrated(): Classifier {
    return this.base;
  }

  fit(X: Matrix | ArrayLike<number>[], y: ArrayLike<number>, options: FitOptions = {}): this {
    if (!this.make) throw new OptionsError("CALIBRATION_REFIT", "A loaded calibrated classifier cannot be refitted.", { hint: "Build a new one with CalibratedClassifier.create." });
    const m = toMatrix(X, "training vectors");
    const labels = Int32Array.from(y);
    let K = 0;
    for (const c of labels) K = Math.max(K, c + 1);
    const oof = outOfFoldProba(this.make, m, labels, K, this.folds, this.seed, `${this.method} calibration`);
    this.calibrators = [];
    for (const k of K === 2 ? [1] : Array.from({ length: K }, (_, c) => c)) {
      const scores = oof.map((p) => p[k]);
      const positive = Array.from(labels, (c) => c === k);
      this.calibrators.push(this.method === "sigmoid" ? SigmoidCalibrator.fit(scores, positive) : IsotonicCalibrator.fit(scores, positive));
    }
    this.base.fit(m, labels, options);
    this.nClasses = this.base.nClasses;
    this.nFeatures = this.base.nFeatures;
    this.outOfFold = oof.map((p) => this.calibrate(p));
    return this;
  }

  predictProba(X: Matrix | ArrayLike<number>[]): Float64Array[] {
    return this.base.predictProba(X).map((p) => this.calibrate(p));
  }

  predict(X: Matrix | ArrayLike<number>[]): Int32Array {
    return Int32Array.from(this.predictProba(X), argmax);
  }

  /** MAGIC, u32 version, u32 JSON length, JSON (method, calibrators), then the base classifier's bytes. */
  serialize(): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify({ method: this.method, folds: this.folds, seed: this.seed, calibrators: this.calibrators.map((c) => c.toJSON()) }));
    const base = this.base.serialize();
    const magic = new TextEncoder().encode(MAGIC);
    const out = new Uint8Array(magic.length + 8 + json.length + base.length);
    const view = new DataView(out.buffer);
    out.set(magic, 0);
    view.setUint32(magic.length, FORMAT_VERSION, true);
    view.setUint32(magic.length + 4, json.length, true);
    out.set(json, magic.length + 8);
    out.set(base, magic.length + 8 + json.length);
    return out;
  }

  static isSerialized(bytes: Uint8Array): boolean {
    const magic = new TextEncoder().encode(MAGIC);
    return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  }

  /** `readBase` reads the wrapped classifier's bytes (any kind). */
  static deserialize(bytes: Uint8Array, readBase: (bytes: Uint8Array) => Classifier): CalibratedClassifier {
    const bad = (what: string) => new BundleError("CALIBRATION_CORRUPT", `The calibrated classifier's bytes are corrupt: ${what}.`, { hint: "Train the model again." });
    if (!CalibratedClassifier.isSerialized(bytes)) throw bad("wrong header");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const at = MAGIC.length;
    if (bytes.length < at + 8) throw bad("truncated");
    if (view.getUint32(at, true) !== FORMAT_VERSION) throw bad(`format version ${view.getUint32(at, true)}`);
    const len = view.getUint32(at + 4, true);
    if (at + 8 + len > bytes.length) throw bad("truncated");
    let head: { method: CalibrationMethod; folds: number; seed: number; calibrators: ({ a: number; b: number } | { x: number[]; y: number[] })[] };
    try {
      head = JSON.parse(new TextDecoder().decode(bytes.subarray(at + 8, at + 8 + len)));
    } catch {
      throw bad("header is not JSON");
    }
    const base = readBase(bytes.subarray(at + 8 + len));
    const model = new CalibratedClassifier(base, undefined, head.method, head);
    const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
    model.calibrators = head.calibrators.map((c) => {
      if ("a" in c && finite(c.a) && finite(c.b)) return new SigmoidCalibrator(c.a, c.b);
      if ("x" in c && Array.isArray(c.x) && Array.isArray(c.y) && c.x.length === c.y.length && c.x.every(finite) && c.y.every(finite)) return new IsotonicCalibrator(c.x, c.y);
      throw bad("a calibrator is malformed");
    });
    if (model.calibrators.length !== (base.nClasses === 2 ? 1 : base.nClasses)) throw bad("calibrator count does not match the classes");
    model.nClasses = base.nClasses;
    model.nFeatures = base.nFeatures;
    return model;
  }

  private calibrate(p: ArrayLike<number>): Float64Array {
    const K = p.length;
    if (K === 2) {
      const q = this.calibrators[0].predict(p[1]);
      return Float64Array.of(1 - q, q);
    }
    const out = Float64Array.from({ length: K }, (_, k) => this.calibrators[k].predict(p[k]));
    const sum = out.reduce((a, b) => a + b, 0);
    // All calibrators at 0 (possible with isotonic): scikit-learn then answers uniformly.
    if (sum === 0) return out.fill(1 / K);
    for (let k = 0; k < K; k++) out[k] /= sum;
    return out;
  }
}
