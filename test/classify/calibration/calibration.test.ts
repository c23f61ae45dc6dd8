import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CalibratedClassifier } from "../../../src/classify/calibration/calibrated-classifier.js";
import { IsotonicCalibrator } from "../../../src/classify/calibration/isotonic-calibrator.js";
import { SigmoidCalibrator } from "../../../src/classify/calibration/sigmoid-calibrator.js";
import { LogisticRegression } from "../../../src/classify/linear/logistic-regression.js";
import { readClassifier } from "../../../src/classify/read-classifier.js";
import { createClassifier } from "../../../src/classify/forest/create-classifier.js";
import { brierScore } from "../../../src/evaluate/probability-scores.js";

// scikit-learn 1.2.1's figures on these scores, from fixtures/make-calibration-fixture.py.
const fx = JSON.parse(readFileSync(new URL("./fixtures/calibration-fixture.json", import.meta.url), "utf8")) as {
  scores: number[]; y: number[]; a: number; b: number; queries: number[]; isotonic: number[];
};
const positive = fx.y.map((v) => v === 1);

describe("calibrators against scikit-learn", () => {
  it("sigmoid: the same Platt parameters as _sigmoid_calibration", () => {
    const c = SigmoidCalibrator.fit(fx.scores, positive);
    expect(c.a).toBeCloseTo(fx.a, 4);
    expect(c.b).toBeCloseTo(fx.b, 4);
  });

  it("isotonic: the same predictions as IsotonicRegression(out_of_bounds='clip'), inside and outside the scores", () => {
    const c = IsotonicCalibrator.fit(fx.scores, positive);
    fx.queries.forEach((q, i) => expect(c.predict(q)).toBeCloseTo(fx.isotonic[i], 12));
  });

  it("isotonic is non-decreasing", () => {
    const c = IsotonicCalibrator.fit(fx.scores, positive);
    for (let i = 1; i < c.y.length; i++) expect(c.y[i]).toBeGreaterThanOrEqual(c.y[i - 1]);
  });
});

/** Two overlapping classes, 20% positive, where a forest's vote shares are overconfident. */
function data(n: number, seed: number): { X: number[][]; y: number[] } {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const X: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = rand() < 0.2 ? 1 : 0;
    X.push([gauss() + c, gauss() - c * 0.5, gauss()]);
    y.push(c);
  }
  return { X, y };
}

describe("CalibratedClassifier", () => {
  const train = data(600, 1), test = data(600, 2);

  for (const method of ["sigmoid", "isotonic"] as const) {
    it(`${method}: better Brier score on new rows than the raw forest, and survives serialisation`, () => {
      const make = () => createClassifier({ nEstimators: 30, seed: 3 });
      const raw = make().fit(train.X, train.y);
      const cal = CalibratedClassifier.create(make, { method, folds: 3, seed: 3 }).fit(train.X, train.y);
      const before = brierScore(test.y, raw.predictProba(test.X));
      const after = brierScore(test.y, cal.predictProba(test.X));
      expect(after).toBeLessThan(before);
      // The base under the calibration is the same forest as one fitted on all rows.
      expect(cal.uncalibrated.predictProba(test.X)).toEqual(raw.predictProba(test.X));
      expect(cal.outOfFold).toHaveLength(train.y.length);
      const back = readClassifier(cal.serialize());
      expect(back).toBeInstanceOf(CalibratedClassifier);
      expect(back.predictProba(test.X)).toEqual(cal.predictProba(test.X));
    });
  }

  it("calibrates each class one-vs-rest for more classes; rows sum to 1", () => {
    const y3 = train.X.map((x) => (x[2] > 0.5 ? 2 : x[0] > 0.5 ? 1 : 0));
    const cal = CalibratedClassifier.create(() => new LogisticRegression({ C: 1 }), { method: "isotonic", folds: 3 }).fit(train.X, y3);
    for (const p of cal.predictProba(test.X)) {
      expect(p).toHaveLength(3);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it("refuses a class too small for out-of-fold scores, and corrupt bytes", () => {
    const make = () => new LogisticRegression({ C: 1 });
    expect(() => CalibratedClassifier.create(make, { method: "sigmoid" }).fit([[0], [1], [2]], [0, 0, 1])).toThrow(/sigmoid calibration needs at least 2 training rows of every class/);
    const bytes = CalibratedClassifier.create(make, { method: "sigmoid", folds: 2 }).fit(train.X, train.y).serialize();
    expect(() => readClassifier(bytes.subarray(0, 30))).toThrow(/corrupt: truncated/);
  });
});
