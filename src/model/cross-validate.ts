import type { Dataset } from "../data/labeled-text.js";
import { checkSeed } from "../data/split-options.js";
import { stratifiedKFold } from "../data/stratified-k-fold.js";
import type { Embedder } from "../embed/embedder.js";
import { EmbeddingFetcher } from "../embed/embedding-fetcher.js";
import { GloveLexEmbedder } from "../embed/glove-lex-embedder.js";
import { type EvaluationReport, evaluatePredictions, majorityBaseline } from "../evaluate/evaluation-report.js";
import type { ForestOptions } from "../classify/forest/forest-options.js";
import { applyThreshold } from "../classify/threshold/choose-threshold.js";
import { type DecisionOptions, fitClassifier } from "./fit-classifier.js";
import type { ClassifierKind } from "../classify/classifier-spec.js";
import type { LogisticRegressionOptions } from "../classify/linear/logistic-regression.js";
import { argmax } from "../util/argmax.js";
import { type BaselinePredictions, learnedBaselines, scoreBaseline } from "./baselines.js";
import { embedItems, pickRows } from "./embed-items.js";

export interface CrossValidateOptions extends DecisionOptions {
  /** Default 5. */
  folds?: number;
  /** Seed for the folds and the forests. Default 42. */
  seed?: number;
  embedder?: Embedder;
  fetcher?: EmbeddingFetcher;
  /** The classifier: "forest" (default) or "logistic". */
  classifier?: ClassifierKind;
  forest?: ForestOptions;
  logistic?: LogisticRegressionOptions;
  /**
   * Also score the kNN and logistic-regression baselines in each fold, pooled like the model's own
   * predictions (default true); the majority-class baseline is always there.
   */
  baseline?: boolean;
  /** Called after each fold. */
  onFold?: (fold: number, report: EvaluationReport) => void;
  /** Embedding progress (when the fetcher is built here), then each fold's fit tree by tree (see TrainProgress). */
  onProgress?: (p: CrossValidateProgress) => void;
  signal?: AbortSignal;
}

/** A TrainProgress event with the fold it belongs to (0-based; absent while embedding) and the fold count. */
export interface CrossValidateProgress {
  stage: "embed" | "fit" | "evaluate";
  done: number;
  total: number;
  fold?: number;
  folds: number;
}

export interface CrossValidationResult {
  folds: EvaluationReport[];
  /** Mean and (population) standard deviation of fold accuracies. */
  accuracy: { mean: number; std: number };
  macroF1: { mean: number; std: number };
  /** Predictions of every row pooled over folds, each made by the model that did not see it. */
  pooled: EvaluationReport;
}

/**
 * Stratified k-fold cross-validation: the data is embedded once, then each fold trains a fresh forest
 * on k−1 parts and scores the held-out part.
 */
export async function crossValidate(dataset: Dataset, options: CrossValidateOptions = {}): Promise<CrossValidationResult> {
  const seed = checkSeed(options.seed ?? 42);
  const labels = dataset.labels;
  const classOf = new Map(labels.map((l, i) => [l, i]));
  const y = Int32Array.from(dataset.items, (i) => classOf.get(i.label!)!);
  const splits = stratifiedKFold(dataset.items.map((i) => i.label!), { folds: options.folds ?? 5, seed });
  const precomputed = dataset.items.every((i) => i.vector !== undefined);
  const folds = splits.length;
  const fetcher = precomputed
    ? undefined
    : (options.fetcher ??
      new EmbeddingFetcher(options.embedder ?? new GloveLexEmbedder(), {
        onProgress: (p) => options.onProgress?.({ stage: "embed", done: p.done, total: p.total, folds }),
      }));
  const { rows } = await embedItems(dataset.items, fetcher, options.signal);
  const reports: EvaluationReport[] = [];
  const pooledTrue: number[] = [], pooledPred: number[] = [], pooledProba: Float64Array[] = [];
  const pooledBaselines: BaselinePredictions[] = [];
  splits.forEach(({ train, test }, f) => {
    options.signal?.throwIfAborted();
    // Calibration and an automatic threshold are fitted inside the fold, on its training part only.
    const { classifier, threshold } = fitClassifier(pickRows(rows, train), Int32Array.from(train, (i) => y[i]), labels, { kind: options.classifier, forest: options.forest, logistic: options.logistic }, options, seed,
      options.onProgress && ((p) => options.onProgress!({ ...p, fold: f, folds })));
    const testRows = pickRows(rows, test);
    const proba = classifier.predictProba(testRows);
    const yTrue = test.map((i) => y[i]);
    if (options.baseline !== false) {
      learnedBaselines(pickRows(rows, train), train.map((i) => y[i]), testRows, options.classifier ?? "forest").forEach((b, j) => {
        pooledBaselines[j] ??= { name: b.name, yPred: [], proba: [] };
        for (let k = 0; k < b.yPred.length; k++) {
          pooledBaselines[j].yPred.push(b.yPred[k]);
          pooledBaselines[j].proba.push(b.proba[k]);
        }
      });
    }
    const yPred = threshold ? Array.from(applyThreshold(proba, threshold.value)) : proba.map(argmax);
    const report = evaluatePredictions({ labels, yTrue, yPred, proba });
    if (threshold) report.threshold = threshold.value;
    reports.push(report);
    // Element by element: push(...xs) passes every row as an argument and overflows the stack above ~120k.
    for (let k = 0; k < test.length; k++) {
      pooledTrue.push(yTrue[k]);
      pooledPred.push(yPred[k]);
      pooledProba.push(proba[k]);
    }
    options.onFold?.(f, report);
  });
  const pooled = evaluatePredictions({ labels, yTrue: pooledTrue, yPred: pooledPred, proba: pooledProba });
  return {
    folds: reports,
    accuracy: meanStd(reports.map((r) => r.accuracy)),
    macroF1: meanStd(reports.map((r) => r.macro.f1)),
    pooled: { ...pooled, baselines: [majorityBaseline(labels, pooledTrue), ...pooledBaselines.map((b) => scoreBaseline(b, labels, pooledTrue))] },
  };
}

function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, std };
}
