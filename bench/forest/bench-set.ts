import type { Matrix } from "../../src/util/matrix.js";

/** One benchmark data set: both sides train and test on exactly these numbers. */
export interface BenchSet {
  name: string;
  train: Matrix;
  yTrain: Int32Array;
  test: Matrix;
  yTest: Int32Array;
}
