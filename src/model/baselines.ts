import type { ClassifierKind } from "../classify/classifier-spec.js";
import { KnnClassifier } from "../classify/knn-classifier.js";
import { LogisticRegression } from "../classify/linear/logistic-regression.js";
import { type BaselineScore, baselineScore, evaluatePredictions } from "../evaluate/evaluation-report.js";
import { argmax } from "../util/argmax.js";

/** One baseline's answers on some scored rows: what train reports on its split and cv pools over folds. */
export interface BaselinePredictions {
  name: string;
  yPred: number[];
  proba: Float64Array[];
}

/**
 * The learned baselines beside a model, fitted on the same training rows and scored on the same test
 * rows: a kNN (does the model earn its keep over the nearest neighbours?) and, unless the model is one
 * itself, logistic regression (C=1 on standardized features: one fit, no inner search, so the baseline
 * stays cheap; on dense semantic features it often ties the forest at a fraction of the cost).
 */
export function learnedBaselines(trainRows: Float32Array[], yTrain: number[], testRows: Float32Array[], kind: ClassifierKind): BaselinePredictions[] {
  const knn = new KnnClassifier().fit(trainRows, yTrain);
  const out = [answers(`kNN (k=${knn.params.k}, cosine)`, knn.predictProba(testRows))];
  if (kind !== "logistic") out.push(answers("logistic regression (C=1, standardized)", new LogisticRegression({ C: 1 }).fit(trainRows, yTrain).predictProba(testRows)));
  return out;
}

/** A baseline's report line from its answers to rows whose true classes are `yTrue`. */
export function scoreBaseline(p: BaselinePredictions, labels: string[], yTrue: ArrayLike<number>): BaselineScore {
  return baselineScore(p.name, evaluatePredictions({ labels, yTrue, yPred: p.yPred, proba: p.proba }));
}

function answers(name: string, proba: Float64Array[]): BaselinePredictions {
  return { name, yPred: proba.map(argmax), proba };
}
