import type { RandomForestClassifier as MlRandomForest } from "ml-random-forest";
import { requireModule } from "../../util/module-require.js";
import { BundleError } from "../../errors.js";
import { type Matrix, toMatrix } from "../../util/matrix.js";
import type { Classifier } from "../classifier.js";
import type { ForestOptions } from "./forest-options.js";
import { checkFitInput, checkMaxFeatures, checkPredictInput, resolveMaxFeatures } from "./validate.js";
import { argmax } from "../../util/argmax.js";

const FORMAT = "sentivec/ml-random-forest";
const FORMAT_VERSION = 1;

/**
 * ml-random-forest 2.1.0 behind our Classifier interface. Kept selectable for comparison; it is slow
 * (every threshold costs a pass over the rows) and samples features once per tree, not per split.
 *
 * Two fixes over using the package directly: probabilities are counted from the per-tree votes
 * (its own predictProbability drops the first tree's vote), and out-of-bag scoring is turned off
 * (with few trees it throws "input must not be empty").
 */
export class MlRandomForestClassifier implements Classifier {
  readonly engine = "ml-random-forest";
  readonly params: Readonly<
    Required<Pick<ForestOptions, "nEstimators" | "maxFeatures" | "minSamplesLeaf" | "minSamplesSplit" | "seed">> & { maxDepth: number | null }
  >;
  nClasses = 0;
  nFeatures = 0;
  private model: MlRandomForest | undefined;

  constructor(options: ForestOptions = {}) {
    this.params = {
      nEstimators: options.nEstimators ?? 100,
      maxFeatures: options.maxFeatures ?? "sqrt",
      maxDepth: options.maxDepth ?? null,
      minSamplesLeaf: options.minSamplesLeaf ?? 1,
      minSamplesSplit: options.minSamplesSplit ?? 2,
      seed: options.seed ?? 42,
    };
    checkMaxFeatures(this.params.maxFeatures);
  }

  fit(X: Matrix | ArrayLike<number>[], y: ArrayLike<number>): this {
    const m = toMatrix(X, "training vectors");
    const { nClasses } = checkFitInput(m, y);
    const perTree = resolveMaxFeatures(this.params.maxFeatures, m.cols);
    this.model = new (mlRandomForest())({
      nEstimators: this.params.nEstimators,
      // An integer count, except 1: ml-random-forest reads the number 1 as the fraction 1.0 (every feature),
      // so one feature of several is passed as a fraction whose floor(fraction × columns) is 1.
      maxFeatures: perTree === 1 && m.cols > 1 ? 1.5 / m.cols : perTree,
      seed: this.params.seed,
      noOOB: true,
      useSampleBagging: true,
      replacement: true,
      treeOptions: {
        maxDepth: this.params.maxDepth ?? Number.POSITIVE_INFINITY,
        minNumSamples: this.params.minSamplesSplit,
      },
    } as ConstructorParameters<typeof MlRandomForest>[0]);
    this.model.train(toRows(m), Array.from(y));
    this.nClasses = nClasses;
    this.nFeatures = m.cols;
    return this;
  }

  predictProba(X: Matrix | ArrayLike<number>[]): Float64Array[] {
    const model = this.trained();
    const m = checkPredictInput(toMatrix(X, "vectors to predict"), this.nFeatures);
    if (m.rows === 0) return [];
    // One row per input, one column per tree: each tree's vote.
    const votes = (model as unknown as { predictionValues(x: number[][]): { rows: number; getRow(i: number): number[] } })
      .predictionValues(toRows(m));
    const out: Float64Array[] = [];
    for (let i = 0; i < votes.rows; i++) {
      const row = votes.getRow(i);
      const p = new Float64Array(this.nClasses);
      for (const v of row) p[v] += 1;
      for (let c = 0; c < p.length; c++) p[c] /= row.length;
      out.push(p);
    }
    return out;
  }

  predict(X: Matrix | ArrayLike<number>[]): Int32Array {
    return Int32Array.from(this.predictProba(X), argmax);
  }

  serialize(): Uint8Array {
    const model = this.trained();
    const doc = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      nClasses: this.nClasses,
      nFeatures: this.nFeatures,
      params: this.params,
      model: model.toJSON(),
    };
    return new TextEncoder().encode(JSON.stringify(doc));
  }

  static isSerialized(bytes: Uint8Array): boolean {
    const head = new TextDecoder().decode(bytes.subarray(0, 64));
    return head.startsWith(`{"format":"${FORMAT}"`);
  }

  static deserialize(bytes: Uint8Array): MlRandomForestClassifier {
    let doc: {
      formatVersion: number; nClasses: number; nFeatures: number;
      params: ForestOptions; model: Parameters<typeof MlRandomForest.load>[0];
    };
    try {
      doc = JSON.parse(new TextDecoder().decode(bytes));
    } catch (cause) {
      throw new BundleError("FOREST_CORRUPT", "The ml-random-forest model is not valid JSON (truncated or corrupt).", {
        hint: "Train the model again.",
        cause,
      });
    }
    if (doc.formatVersion !== FORMAT_VERSION) {
      throw new BundleError("FOREST_VERSION", `Unknown ml-random-forest model format version ${doc.formatVersion}.`, {
        hint: `This sentivec reads version ${FORMAT_VERSION}; train the model again or upgrade sentivec.`,
      });
    }
    const c = new MlRandomForestClassifier({ ...doc.params, maxDepth: doc.params.maxDepth ?? undefined });
    c.model = mlRandomForest().load(doc.model);
    c.nClasses = doc.nClasses;
    c.nFeatures = doc.nFeatures;
    return c;
  }

  private trained(): MlRandomForest {
    if (!this.model) throw new BundleError("FOREST_UNTRAINED", "This forest has not been trained.", { hint: "Call fit(X, y) first." });
    return this.model;
  }
}

function toRows(m: Matrix): number[][] {
  const rows: number[][] = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) rows[i] = Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  return rows;
}

/** The package's class, loaded when this engine is first used (only bundles that chose it need it). */
function mlRandomForest(): typeof MlRandomForest {
  return requireModule<typeof import("ml-random-forest")>("ml-random-forest").RandomForestClassifier;
}
