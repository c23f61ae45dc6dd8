import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LogisticRegression } from "../../../src/classify/linear/logistic-regression.js";
import { minimizeLbfgs } from "../../../src/classify/linear/lbfgs.js";

// Data and scikit-learn 1.2.1's coefficients, made once by fixtures/make-logistic-fixture.py.
const fixture = JSON.parse(readFileSync(new URL("./fixtures/logistic-fixture.json", import.meta.url), "utf8")) as {
  X: number[][]; y2: number[]; y3: number[];
  cases: { name: string; labels: "y2" | "y3"; C: number; classWeight: "balanced" | null; coef: number[][]; intercept: number[]; proba: number[][] }[];
};

describe("minimizeLbfgs", () => {
  it("finds the minimum of an ill-conditioned quadratic", () => {
    const a = [1, 100, 0.01];
    const r = minimizeLbfgs((x, g) => {
      let f = 0;
      for (let i = 0; i < 3; i++) {
        f += 0.5 * a[i] * (x[i] - i) ** 2;
        g[i] = a[i] * (x[i] - i);
      }
      return f;
    }, new Float64Array(3), { tolerance: 1e-12 });
    expect(r.converged).toBe(true);
    Array.from(r.x).forEach((v, i) => expect(v).toBeCloseTo(i, 6));
  });
});

describe("LogisticRegression against scikit-learn", () => {
  for (const c of fixture.cases) {
    it(`matches scikit-learn's coefficients: ${c.name}`, () => {
      const y = fixture[c.labels];
      const lr = new LogisticRegression({ C: c.C, classWeight: c.classWeight }).fit(fixture.X, y);
      const { coef, intercept } = lr.coefficients;
      expect(coef.length).toBe(c.coef.length);
      coef.forEach((row, r) => row.forEach((v, j) => expect(v).toBeCloseTo(c.coef[r][j], 4)));
      intercept.forEach((v, r) => expect(v).toBeCloseTo(c.intercept[r], 4));
      const proba = lr.predictProba(fixture.X.slice(0, 5));
      proba.forEach((p, i) => Array.from(p).forEach((v, k) => expect(v).toBeCloseTo(c.proba[i][k], 5)));
    });
  }

  it("round-trips through serialize with identical probabilities", () => {
    const lr = new LogisticRegression({ C: "auto" }).fit(fixture.X, fixture.y3);
    const back = LogisticRegression.deserialize(lr.serialize());
    expect(back.nClasses).toBe(3);
    expect(back.chosenC).toBe(lr.chosenC);
    expect(back.predictProba(fixture.X)).toEqual(lr.predictProba(fixture.X));
  });

  it("chooses C by inner cross-validation: the lowest mean held-out log-loss wins", () => {
    const lr = new LogisticRegression({ Cs: [1e-4, 1, 1e4] }).fit(fixture.X, fixture.y2);
    const search = lr.cSearch!;
    expect(search.map((s) => s.C)).toEqual([1e-4, 1, 1e4]);
    const best = search.reduce((a, b) => (b.logLoss < a.logLoss ? b : a));
    expect(lr.chosenC).toBe(best.C);
    // An almost unregularised-away model (C=1e-4) predicts near the prior: clearly worse.
    expect(search[0].logLoss).toBeGreaterThan(search[1].logLoss);
  });

  it("refuses a bad C and corrupt bytes", () => {
    expect(() => new LogisticRegression({ C: -1 })).toThrow(/C must be a positive number/);
    const bytes = new LogisticRegression({ C: 1 }).fit(fixture.X, fixture.y2).serialize();
    const cut = bytes.subarray(0, bytes.length - 10);
    expect(() => LogisticRegression.deserialize(cut)).toThrow(/corrupt/);
  });
});
