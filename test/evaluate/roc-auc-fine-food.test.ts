import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluatePredictions } from "../../src/evaluate/evaluation-report.js";
import { argmax } from "../../src/util/argmax.js";

// Held-out probabilities of forests trained on the shipped fine-food reviews (3 and 5 star classes), and
// scikit-learn 1.2.1's roc_auc_score(multi_class="ovr") on them: fixtures/make-fine-food-auc.ts and
// fixtures/fine-food-auc.py. Forest probabilities are vote shares, so they tie often: the ties are the point.
const fixture = JSON.parse(readFileSync(new URL("fixtures/fine-food-auc.json", import.meta.url), "utf8")) as Record<
  string,
  { labels: string[]; yTrue: number[]; proba: number[][]; sklearn: { macro: number; weighted: number } }
>;

describe("one-vs-rest ROC-AUC on the fine-food star classes, against scikit-learn", () => {
  for (const [scheme, d] of Object.entries(fixture)) {
    it(`${scheme}: the report's macro and prevalence-weighted ROC-AUC equal scikit-learn's`, () => {
      // Renormalised as fine-food-auc.py does for scikit-learn (the stored rows are rounded).
      const proba = d.proba.map((p) => {
        const s = p.reduce((a, b) => a + b, 0);
        return Float64Array.from(p, (v) => v / s);
      });
      const r = evaluatePredictions({ labels: d.labels, yTrue: d.yTrue, yPred: proba.map(argmax), proba });
      expect(r.rocAuc).toBeCloseTo(d.sklearn.macro, 12);
      expect(r.rocAucWeighted).toBeCloseTo(d.sklearn.weighted, 12);
    });
  }
});
