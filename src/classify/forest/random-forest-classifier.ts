import { availableParallelism } from "node:os";
import { BundleError } from "../../errors.js";
import { checkRows, isMatrix, type Matrix, type RowList, toMatrix } from "../../util/matrix.js";
import { Random } from "../../util/random.js";
import type { Classifier, FitOptions } from "../classifier.js";
import type { ForestOptions } from "./forest-options.js";
import { DecisionTree } from "./decision-tree.js";
import { FeatureBinner } from "./feature-binner.js";
import { type ForestParams, resolveForestParams, resolveJobs } from "./forest-params.js";
import { deserializeForest, isSerializedForest, serializeForest } from "./forest-serializer.js";
import { growTrees } from "./grow-trees.js";
import { drawBootstrap, type GrownTree, type TreeBuildData } from "./tree-builder.js";
import { drawBalancedBootstrap } from "./bootstrap-sample.js";
import { checkFitInput, checkPredictInput, resolveMaxFeatures } from "./validate.js";
import { argmax } from "../../util/argmax.js";
import type { PackedForest } from "./packed-forest.js";
import { predictForest } from "./predict-forest.js";

/**
 * sentivec's own random forest (Breiman's, as in scikit-learn): bootstrap samples, CART trees grown
 * to purity on a fresh random feature subset at every split, probabilities = mean of the leaves'
 * class distributions. Splits are searched over ≤256 quantile bins per feature, learned once per fit.
 *
 * Options (defaults): nEstimators 100, maxFeatures "sqrt", maxDepth unlimited, minSamplesLeaf 1,
 * minSamplesSplit 2, criterion "gini", classWeight null, bootstrap true, oobScore false, seed 42,
 * nJobs 1 (threads for fitting and for predicting large batches; does not change the model or the
 * predictions, so it is kept out of `params` and the saved bytes).
 */
export class RandomForestClassifier implements Classifier {
  readonly engine = "sentivec";
  readonly params: Readonly<ForestParams>;
  readonly nJobs: number;
  nClasses = 0;
  nFeatures = 0;
  /** Impurity-based importance per feature (mean decrease in impurity), summing to 1. */
  featureImportances = new Float64Array(0);
  /** Out-of-bag accuracy, when fitted with `oobScore: true`. */
  oobScore: number | null = null;
  private trees: DecisionTree[] = [];
  /** The trees' memory: they are views into it, and prediction threads share it. */
  private forest: PackedForest | undefined;

  constructor(options: ForestOptions = {}) {
    this.params = resolveForestParams(options);
    this.nJobs = resolveJobs(options.nJobs, availableParallelism());
  }

  get treeCount(): number {
    return this.trees.length;
  }

  /**
   * Rows given as an array (Float32Array[] or number[][]) are read where they are, not copied into one
   * matrix first: training a million 512-dimensional embeddings then needs them in memory once.
   */
  fit(X: Matrix | ArrayLike<number>[], y: ArrayLike<number>, options: FitOptions = {}): this {
    const m = isMatrix(X) ? toMatrix(X, "training vectors") : checkRows(X, "training vectors");
    const { nClasses } = checkFitInput(m, y);
    const p = this.params;
    const { binner, codes, nBins } = FeatureBinner.fitTransform(m, { shared: this.nJobs > 1, maxBins: p.maxBins });
    const labels = Int32Array.from(y);
    const data: TreeBuildData = {
      codes,
      nBins,
      nSamples: m.rows,
      nFeatures: m.cols,
      nClasses,
      y: labels,
      classWeight: classWeights(labels, nClasses, p.classWeight),
      // No node can reach exactFrom rows on a smaller set: then neither values nor a copy of them.
      ...(p.exactFrom && m.rows >= p.exactFrom ? exactValues(m, this.nJobs > 1) : {}),
    };
    // Every tree's seed is fixed up front, so which thread grows it cannot matter.
    const rng = new Random(p.seed);
    const seeds = new Uint32Array(p.nEstimators);
    for (let t = 0; t < seeds.length; t++) seeds[t] = rng.fork();
    const grown = growTrees(
      data,
      {
        maxFeatures: resolveMaxFeatures(p.maxFeatures, m.cols),
        maxDepth: p.maxDepth ?? Number.POSITIVE_INFINITY,
        minSamplesLeaf: p.minSamplesLeaf,
        minSamplesSplit: p.minSamplesSplit,
        criterion: p.criterion,
        bootstrap: p.bootstrap,
        subsampleClassWeights: p.classWeight === "balanced_subsample",
        exactFrom: p.exactFrom ?? 0,
      },
      seeds,
      this.nJobs,
      options.onProgress,
    );

    // scikit-learn's MDI: each tree's importances normalised to 1, averaged, normalised again.
    const imp = new Float64Array(m.cols);
    const trees: DecisionTree[] = new Array(grown.length);
    for (let t = 0; t < grown.length; t++) {
      addNormalised(imp, grown[t].importances);
      trees[t] = DecisionTree.fromGrown(grown[t], nClasses, binner.edges);
      // Let each grown tree go as soon as it is converted, so both forms of the forest are never all
      // held at once (on 100k×512 that is tens of MB of peak memory).
      (grown as (GrownTree | undefined)[])[t] = undefined;
    }
    this.setTrees(trees, nClasses);
    this.nFeatures = m.cols;
    normalise(imp);
    this.featureImportances = imp;
    this.oobScore = p.oobScore ? this.outOfBagAccuracy(m, labels, seeds) : null;
    return this;
  }

  predictProba(X: Matrix | ArrayLike<number>[]): Float64Array[] {
    this.trained();
    const m = checkPredictInput(toMatrix(X, "vectors to predict"), this.nFeatures);
    const K = this.nClasses;
    const sums = predictForest(this.forest!, m, this.nJobs);
    const out: Float64Array[] = new Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      // Rows are views into one buffer: one allocation, not one per row.
      const p = sums.subarray(i * K, (i + 1) * K);
      normalise(p);
      out[i] = p;
    }
    return out;
  }

  predict(X: Matrix | ArrayLike<number>[]): Int32Array {
    return Int32Array.from(this.predictProba(X), argmax);
  }

  serialize(): Uint8Array {
    this.trained();
    return serializeForest({
      params: this.params,
      nClasses: this.nClasses,
      nFeatures: this.nFeatures,
      trees: this.trees,
      featureImportances: this.featureImportances,
      oobScore: this.oobScore,
    });
  }

  static isSerialized(bytes: Uint8Array): boolean {
    return isSerializedForest(bytes);
  }

  /** `options.nJobs`: threads for predicting large batches (default 1); the predictions are the same for any. */
  static deserialize(bytes: Uint8Array, options: { nJobs?: number } = {}): RandomForestClassifier {
    const model = deserializeForest(bytes);
    // A file without exactFrom was fitted without exact nodes, whatever today's default.
    const c = new RandomForestClassifier({ ...model.params, maxDepth: model.params.maxDepth ?? undefined, exactFrom: model.params.exactFrom ?? 0, nJobs: options.nJobs });
    c.setTrees(model.trees, model.nClasses);
    c.nFeatures = model.nFeatures;
    c.featureImportances = model.featureImportances;
    c.oobScore = model.oobScore;
    return c;
  }

  /** Accuracy of each training row predicted only by trees whose bootstrap left it out. */
  private outOfBagAccuracy(m: Matrix | RowList, labels: Int32Array, seeds: Uint32Array): number {
    const K = this.nClasses;
    const votes = new Float64Array(m.rows * K);
    const counts = new Int32Array(m.rows);
    this.trees.forEach((tree, t) => {
      // Bootstrap draws come first from each tree's generator, so replaying them gives its sample.
      if (this.params.bootstrap === "balanced") drawBalancedBootstrap(new Random(seeds[t]), labels, K, counts);
      else drawBootstrap(new Random(seeds[t]), m.rows, counts);
      for (let i = 0; i < m.rows; i++) {
        if (counts[i] !== 0) continue;
        if (isMatrix(m)) tree.addProba(m.data, i * m.cols, votes, i * K);
        else {
          const row = m.list[i];
          tree.addProba(row instanceof Float32Array ? row : Float32Array.from(row), 0, votes, i * K);
        }
      }
    });
    let scored = 0;
    let correct = 0;
    for (let i = 0; i < m.rows; i++) {
      const row = votes.subarray(i * K, (i + 1) * K);
      if (row.every((v) => v === 0)) continue;
      scored++;
      if (argmax(row) === labels[i]) correct++;
    }
    return scored === 0 ? 0 : correct / scored;
  }

  private setTrees(trees: DecisionTree[], nClasses: number): void {
    const packed = DecisionTree.pack(trees, nClasses);
    this.forest = packed.forest;
    this.trees = packed.trees;
    this.nClasses = nClasses;
  }

  private trained(): void {
    if (this.trees.length === 0) {
      throw new BundleError("FOREST_UNTRAINED", "This forest has not been trained.", { hint: "Call fit(X, y) first." });
    }
  }
}

/** scikit-learn's "balanced": n / (nClasses × count of the class). */
function classWeights(y: Int32Array, nClasses: number, mode: ForestParams["classWeight"]): Float64Array {
  const w = new Float64Array(nClasses).fill(1);
  if (mode !== "balanced") return w;
  const counts = new Float64Array(nClasses);
  for (const c of y) counts[c]++;
  for (let c = 0; c < nClasses; c++) if (counts[c] > 0) w[c] = y.length / (nClasses * counts[c]);
  return w;
}

function addNormalised(into: Float64Array, values: Float64Array): void {
  let s = 0;
  for (const v of values) s += v;
  if (s > 0) for (let i = 0; i < values.length; i++) into[i] += values[i] / s;
}

function normalise(p: Float64Array): void {
  let s = 0;
  for (const v of p) s += v;
  if (s > 0) for (let i = 0; i < p.length; i++) p[i] /= s;
}

/**
 * The training rows' raw values for exact nodes, without a copy where the trees' threads can read the
 * caller's own: a matrix on one thread or already in shared memory, or a list of rows on one thread.
 * Worker threads need them in one shared array, so with nJobs > 1 anything else is copied once.
 */
function exactValues(m: Matrix | RowList, threads: boolean): Pick<TreeBuildData, "values" | "valueRows"> {
  if (isMatrix(m) && (!threads || m.data.buffer instanceof SharedArrayBuffer)) return { values: m.data };
  if (!isMatrix(m) && !threads) return { valueRows: m.list };
  const out = new Float32Array(new SharedArrayBuffer(m.rows * m.cols * 4));
  if (isMatrix(m)) out.set(m.data);
  else for (let i = 0; i < m.rows; i++) out.set(m.list[i], i * m.cols);
  return { values: out };
}
