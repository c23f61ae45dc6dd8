import { BundleError, ModelError, OptionsError } from "../../errors.js";
import { stratifiedKFold } from "../../data/stratified-k-fold.js";
import { argmax } from "../../util/argmax.js";
import { type Matrix, selectRows, toMatrix } from "../../util/matrix.js";
import type { Classifier, FitOptions } from "../classifier.js";
import { checkFitInput, checkPredictInput } from "../forest/validate.js";
import { minimizeLbfgs } from "./lbfgs.js";

export interface LogisticRegressionOptions {
  /**
   * Inverse L2 strength, as scikit-learn's C. Default "auto": the value of `Cs` with the lowest mean
   * log-loss in an inner stratified cross-validation on the training rows (as LogisticRegressionCV,
   * scored by log-loss because the probabilities are what the model hands out).
   */
  C?: number | "auto";
  /** Candidates for C = "auto". Default 10^-3 … 10^3, one per decade. */
  Cs?: number[];
  /** Folds of the inner cross-validation for C = "auto". Default 3 (fewer when a class is smaller). */
  innerFolds?: number;
  /**
   * Centre and scale each feature to unit variance before the penalty applies (scikit-learn's
   * StandardScaler in front), so no feature is penalised for its units. Default true.
   */
  standardize?: boolean;
  /** "balanced" weighs each class's rows by n / (K · n_class), as scikit-learn does. Default null. */
  classWeight?: "balanced" | null;
  /** L-BFGS iteration cap per fit. Default 500. */
  maxIterations?: number;
  /** Seed of the inner folds. Default 42. */
  seed?: number;
}

const MAGIC = "sentivec-logistic\n";
const FORMAT_VERSION = 1;
const DEFAULT_CS = [1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];

interface Fitted {
  /** Weights in the standardized space: one row per score (1 row for two classes, K rows otherwise), D wide. */
  coef: Float64Array;
  intercept: Float64Array;
  mean: Float64Array;
  scale: Float64Array;
}

/**
 * L2-regularised logistic regression: binary (one weight vector, as scikit-learn does for two classes)
 * or multinomial (softmax, K weight vectors) for more, fitted by L-BFGS on
 *   Σ_i w_i · loss_i + ||W||² / (2C)
 * with the intercepts unpenalised: scikit-learn's objective, so the coefficients agree with its
 * LogisticRegression(solver="lbfgs") on the same (standardized) data.
 */
export class LogisticRegression implements Classifier {
  readonly engine = "logistic";
  nClasses = 0;
  nFeatures = 0;
  /** The C used for the final fit (the chosen one when C is "auto"). */
  chosenC: number | undefined;
  /** Mean inner-CV log-loss of each candidate C, when C was "auto". */
  cSearch: { C: number; logLoss: number }[] | undefined;
  private readonly options: Required<Omit<LogisticRegressionOptions, "classWeight">> & { classWeight: "balanced" | null };
  private fitted: Fitted | undefined;

  constructor(options: LogisticRegressionOptions = {}) {
    const C = options.C ?? "auto";
    if (C !== "auto" && !(typeof C === "number" && Number.isFinite(C) && C > 0)) {
      throw new OptionsError("LOGISTIC_C", `C must be a positive number or "auto"; got ${JSON.stringify(C)}.`);
    }
    const Cs = options.Cs ?? DEFAULT_CS;
    if (!Array.isArray(Cs) || Cs.length === 0 || !Cs.every((c) => Number.isFinite(c) && c > 0)) {
      throw new OptionsError("LOGISTIC_C", "Cs must be a non-empty list of positive numbers.");
    }
    const innerFolds = options.innerFolds ?? 3;
    if (!Number.isInteger(innerFolds) || innerFolds < 2) throw new OptionsError("LOGISTIC_FOLDS", `innerFolds must be a whole number ≥ 2; got ${innerFolds}.`);
    const maxIterations = options.maxIterations ?? 500;
    if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new OptionsError("LOGISTIC_ITERATIONS", `maxIterations must be a whole number ≥ 1; got ${maxIterations}.`);
    const classWeight = options.classWeight ?? null;
    if (classWeight !== null && classWeight !== "balanced") throw new OptionsError("LOGISTIC_CLASS_WEIGHT", `classWeight must be "balanced" or null; got ${JSON.stringify(classWeight)}.`);
    this.options = { C, Cs: [...Cs].sort((a, b) => a - b), innerFolds, standardize: options.standardize ?? true, classWeight, maxIterations, seed: options.seed ?? 42 };
  }

  get params(): Readonly<Record<string, unknown>> {
    return { ...this.options, ...(this.chosenC === undefined ? {} : { chosenC: this.chosenC }) };
  }

  /** Coefficients in the standardized feature space (rows: 1 for two classes, else K), and intercepts. */
  get coefficients(): { coef: number[][]; intercept: number[] } {
    const f = this.trained();
    const rows = f.intercept.length;
    return {
      coef: Array.from({ length: rows }, (_, r) => Array.from(f.coef.subarray(r * this.nFeatures, (r + 1) * this.nFeatures))),
      intercept: Array.from(f.intercept),
    };
  }

  fit(X: Matrix | ArrayLike<number>[], y: ArrayLike<number>, options: FitOptions = {}): this {
    const m = toMatrix(X, "training vectors");
    const { nClasses } = checkFitInput(m, y);
    const labels = Int32Array.from(y);
    let C: number;
    if (this.options.C === "auto") {
      const search = this.searchC(m, labels, nClasses, options);
      this.cSearch = search;
      C = search.reduce((best, s) => (s.logLoss < best.logLoss - 1e-12 ? s : best)).C;
    } else {
      C = this.options.C;
    }
    this.fitted = fitLogistic(m, labels, nClasses, C, this.options);
    this.chosenC = C;
    this.nClasses = nClasses;
    this.nFeatures = m.cols;
    return this;
  }

  predictProba(X: Matrix | ArrayLike<number>[]): Float64Array[] {
    const f = this.trained();
    const m = checkPredictInput(toMatrix(X, "vectors to predict"), this.nFeatures);
    return scoreRows(m, f, this.nClasses);
  }

  predict(X: Matrix | ArrayLike<number>[]): Int32Array {
    return Int32Array.from(this.predictProba(X), argmax);
  }

  /** MAGIC, then JSON: shapes, options, and every weight (JSON numbers round-trip float64 exactly). */
  serialize(): Uint8Array {
    const f = this.trained();
    const body = {
      version: FORMAT_VERSION,
      nClasses: this.nClasses,
      nFeatures: this.nFeatures,
      options: this.options,
      chosenC: this.chosenC,
      cSearch: this.cSearch,
      coef: Array.from(f.coef),
      intercept: Array.from(f.intercept),
      mean: Array.from(f.mean),
      scale: Array.from(f.scale),
    };
    return new TextEncoder().encode(MAGIC + JSON.stringify(body));
  }

  static isSerialized(bytes: Uint8Array): boolean {
    const magic = new TextEncoder().encode(MAGIC);
    return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  }

  static deserialize(bytes: Uint8Array): LogisticRegression {
    const bad = (what: string) => new BundleError("LOGISTIC_CORRUPT", `The logistic regression bytes are corrupt: ${what}.`, { hint: "Train the model again." });
    if (!LogisticRegression.isSerialized(bytes)) throw bad("wrong header");
    let body: { version: number; nClasses: number; nFeatures: number; options: LogisticRegressionOptions; chosenC?: number; cSearch?: { C: number; logLoss: number }[]; coef: number[]; intercept: number[]; mean: number[]; scale: number[] };
    try {
      body = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length)));
    } catch {
      throw bad("not JSON");
    }
    if (body.version !== FORMAT_VERSION) throw bad(`format version ${body.version}, this sentivec reads ${FORMAT_VERSION}`);
    const { nClasses: K, nFeatures: D } = body;
    const rows = K === 2 ? 1 : K;
    if (!Number.isInteger(K) || K < 2 || !Number.isInteger(D) || D < 1) throw bad("shape");
    const finite = (a: unknown, n: number) => Array.isArray(a) && a.length === n && a.every((v) => typeof v === "number" && Number.isFinite(v));
    if (!finite(body.coef, rows * D) || !finite(body.intercept, rows) || !finite(body.mean, D) || !finite(body.scale, D)) throw bad("weights missing or not finite");
    const model = new LogisticRegression(body.options);
    model.fitted = { coef: Float64Array.from(body.coef), intercept: Float64Array.from(body.intercept), mean: Float64Array.from(body.mean), scale: Float64Array.from(body.scale) };
    model.nClasses = K;
    model.nFeatures = D;
    model.chosenC = body.chosenC;
    model.cSearch = body.cSearch;
    return model;
  }

  private trained(): Fitted {
    if (!this.fitted) throw new ModelError("NOT_FITTED", "The logistic regression is not trained yet.", { hint: "Call fit(X, y) first." });
    return this.fitted;
  }

  /** Mean held-out log-loss of every candidate C over stratified inner folds. */
  private searchC(m: Matrix, y: Int32Array, K: number, options: FitOptions): { C: number; logLoss: number }[] {
    const counts = new Array<number>(K).fill(0);
    for (const c of y) counts[c]++;
    const smallest = counts.reduce((a, b) => Math.min(a, b));
    const folds = Math.min(this.options.innerFolds, smallest);
    // Too few rows of a class to hold any out: the middle candidate, C = 1 by default.
    if (folds < 2) return [{ C: this.options.Cs[Math.floor(this.options.Cs.length / 2)], logLoss: NaN }];
    const splits = stratifiedKFold(y, { folds, seed: this.options.seed });
    const total = this.options.Cs.length * folds;
    const losses = new Float64Array(this.options.Cs.length);
    let done = 0;
    for (const { train, test } of splits) {
      const Xtr = selectRows(m, train), Xte = selectRows(m, test);
      const ytr = Int32Array.from(train, (i) => y[i]);
      let warm: Fitted | undefined;
      this.options.Cs.forEach((C, ci) => {
        // Along the path from strong to weak penalty, each fit starts from the previous solution.
        warm = fitLogistic(Xtr, ytr, K, C, this.options, warm);
        const proba = scoreRows(Xte, warm, K);
        let loss = 0;
        for (let r = 0; r < test.length; r++) loss -= Math.log(Math.max(proba[r][y[test[r]]], 1e-15));
        losses[ci] += loss / y.length;
        options.onProgress?.(++done, total + 1);
      });
    }
    return this.options.Cs.map((C, ci) => ({ C, logLoss: losses[ci] }));
  }
}

/** Scores (probabilities) of standardized-space weights on raw rows. */
function scoreRows(m: Matrix, f: Fitted, K: number): Float64Array[] {
  const D = m.cols;
  const R = f.intercept.length;
  const { v, b } = rawWeights(f, D);
  const out: Float64Array[] = [];
  const z = new Float64Array(R);
  for (let i = 0; i < m.rows; i++) {
    const off = i * D;
    for (let r = 0; r < R; r++) {
      let s = b[r];
      const w = r * D;
      for (let j = 0; j < D; j++) s += v[w + j] * m.data[off + j];
      z[r] = s;
    }
    out.push(R === 1 ? binaryProba(z[0]) : softmax(z, K));
  }
  return out;
}

function binaryProba(z: number): Float64Array {
  const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  return Float64Array.of(1 - p, p);
}

function softmax(z: Float64Array, K: number): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, z[k]);
  const p = new Float64Array(K);
  let sum = 0;
  for (let k = 0; k < K; k++) sum += p[k] = Math.exp(z[k] - max);
  for (let k = 0; k < K; k++) p[k] /= sum;
  return p;
}

/** Weights that apply to raw rows: v = w / scale, b' = b − v·mean (standardizing without a copy of X). */
function rawWeights(f: { coef: Float64Array; intercept: Float64Array; mean: Float64Array; scale: Float64Array }, D: number): { v: Float64Array; b: Float64Array } {
  const R = f.intercept.length;
  const v = new Float64Array(R * D), b = Float64Array.from(f.intercept);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < D; j++) {
      const vj = f.coef[r * D + j] / f.scale[j];
      v[r * D + j] = vj;
      b[r] -= vj * f.mean[j];
    }
  }
  return { v, b };
}

function fitLogistic(
  m: Matrix, y: Int32Array, K: number, C: number,
  o: { standardize: boolean; classWeight: "balanced" | null; maxIterations: number }, warm?: Fitted,
): Fitted {
  const n = m.rows, D = m.cols, X = m.data;
  const mean = new Float64Array(D), scale = new Float64Array(D).fill(1);
  if (o.standardize) {
    for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) mean[j] += X[i * D + j];
    for (let j = 0; j < D; j++) mean[j] /= n;
    const v = new Float64Array(D);
    for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) v[j] += (X[i * D + j] - mean[j]) ** 2;
    // A constant feature keeps scale 1, as StandardScaler does.
    for (let j = 0; j < D; j++) scale[j] = v[j] > 0 ? Math.sqrt(v[j] / n) : 1;
  }
  const counts = new Float64Array(K);
  for (const c of y) counts[c]++;
  const classW = Float64Array.from(counts, (c) => (o.classWeight === "balanced" ? n / (K * c) : 1));
  const R = K === 2 ? 1 : K;
  // Unknowns: R rows of D weights, then R intercepts.
  const x0 = new Float64Array(R * D + R);
  if (warm && warm.intercept.length === R) {
    x0.set(warm.coef, 0);
    x0.set(warm.intercept, R * D);
  }
  const G = new Float64Array(R * D), Rsum = new Float64Array(R), z = new Float64Array(R);
  const objective = (x: Float64Array, grad: Float64Array): number => {
    const { v, b } = rawWeights({ coef: x.subarray(0, R * D), intercept: x.subarray(R * D), mean, scale }, D);
    G.fill(0);
    Rsum.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const off = i * D, w = classW[y[i]];
      for (let r = 0; r < R; r++) {
        let s = b[r];
        const wr = r * D;
        for (let j = 0; j < D; j++) s += v[wr + j] * X[off + j];
        z[r] = s;
      }
      if (R === 1) {
        const t = y[i] === 1 ? 1 : -1;
        const tz = t * z[0];
        // log(1 + e^(−tz)), stable on both sides.
        loss += w * (tz > 0 ? Math.log1p(Math.exp(-tz)) : -tz + Math.log1p(Math.exp(tz)));
        const p = z[0] >= 0 ? 1 / (1 + Math.exp(-z[0])) : Math.exp(z[0]) / (1 + Math.exp(z[0]));
        z[0] = w * (p - (y[i] === 1 ? 1 : 0));
      } else {
        let max = -Infinity;
        for (let k = 0; k < K; k++) max = Math.max(max, z[k]);
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp(z[k] - max);
        const lse = max + Math.log(sum);
        loss += w * (lse - z[y[i]]);
        for (let k = 0; k < K; k++) z[k] = w * (Math.exp(z[k] - lse) - (k === y[i] ? 1 : 0));
      }
      for (let r = 0; r < R; r++) {
        const dz = z[r];
        if (dz === 0) continue;
        Rsum[r] += dz;
        const wr = r * D;
        for (let j = 0; j < D; j++) G[wr + j] += dz * X[off + j];
      }
    }
    // Back to the standardized space: d/dw_j = (Σ dz·x_j − mean_j Σ dz) / scale_j. Divided by n
    // throughout (same minimiser) so the tolerance means the same for any n.
    let reg = 0;
    for (let r = 0; r < R; r++) {
      for (let j = 0; j < D; j++) {
        const k = r * D + j;
        grad[k] = ((G[k] - mean[j] * Rsum[r]) / scale[j] + x[k] / C) / n;
        reg += x[k] * x[k];
      }
      grad[R * D + r] = Rsum[r] / n;
    }
    return (loss + reg / (2 * C)) / n;
  };
  const result = minimizeLbfgs(objective, x0, { maxIterations: o.maxIterations, tolerance: 1e-9 });
  for (let k = 0; k < result.x.length; k++) {
    if (!Number.isFinite(result.x[k])) throw new ModelError("LOGISTIC_DIVERGED", "Logistic regression produced non-finite weights.", { hint: "Use a smaller C." });
  }
  return { coef: result.x.slice(0, R * D), intercept: result.x.slice(R * D), mean, scale };
}
