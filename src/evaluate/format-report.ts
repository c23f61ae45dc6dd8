import { type EvaluationReport, majorityShortfall } from "./evaluation-report.js";

const f3 = (x: number): string => x.toFixed(3);

/** The report as a plain-text table, in the layout of scikit-learn's classification_report. */
export function formatReport(report: EvaluationReport, title = "Evaluation"): string {
  // reduce, not Math.max(...xs): a spread of many labels (or K² confusion cells) overflows the call stack.
  const nameWidth = report.labels.reduce((w, l) => Math.max(w, l.length), 12) + 2;
  const row = (name: string, cells: string[]) => name.padStart(nameWidth) + cells.map((c) => c.padStart(11)).join("");
  const lines: string[] = [];
  lines.push(`${title} (${report.n} rows)`);
  lines.push(row("", ["precision", "recall", "f1", "support"]));
  for (const c of report.perClass) lines.push(row(c.label, [f3(c.precision), f3(c.recall), f3(c.f1), String(c.support)]));
  lines.push("");
  lines.push(row("accuracy", ["", "", f3(report.accuracy), String(report.n)]));
  lines.push(row("macro avg", [f3(report.macro.precision), f3(report.macro.recall), f3(report.macro.f1), String(report.n)]));
  lines.push(row("weighted avg", [f3(report.weighted.precision), f3(report.weighted.recall), f3(report.weighted.f1), String(report.n)]));
  if (report.balancedAccuracy !== undefined) lines.push(row("balanced acc", ["", "", f3(report.balancedAccuracy), String(report.n)]));
  if (report.rocAuc !== null) {
    if (report.labels.length > 2 && report.rocAucWeighted != null) {
      // One-vs-rest, averaged plainly and by prevalence, as scikit-learn's roc_auc_score(multi_class="ovr").
      lines.push(row("ROC-AUC ovr", ["", "", f3(report.rocAuc), ""]) + "   macro");
      lines.push(row("ROC-AUC ovr", ["", "", f3(report.rocAucWeighted), ""]) + "   weighted");
    } else {
      lines.push(row("ROC-AUC", ["", "", f3(report.rocAuc), ""]));
    }
  }
  if (report.brier != null && report.logLoss != null) {
    lines.push(row("Brier score", ["", "", f3(report.brier), ""]) + (report.uncalibrated ? `   before ${report.uncalibrated.method} calibration: ${f3(report.uncalibrated.brier)}` : ""));
    lines.push(row("log-loss", ["", "", f3(report.logLoss), ""]) + (report.uncalibrated ? `   before ${report.uncalibrated.method} calibration: ${f3(report.uncalibrated.logLoss)}` : ""));
  }
  if (report.threshold !== undefined) lines.push(`Decision threshold: "${report.labels[1]}" when its probability ≥ ${report.threshold.toFixed(3)}`);
  lines.push("");
  lines.push("Confusion matrix (rows: true, columns: predicted)");
  let cellWidth = report.labels.reduce((w, l) => Math.max(w, l.length + 2), 8);
  for (const r of report.confusion) for (const v of r) cellWidth = Math.max(cellWidth, String(v).length + 2);
  lines.push("".padStart(nameWidth) + report.labels.map((l) => l.padStart(cellWidth)).join(""));
  report.confusion.forEach((r, t) => lines.push(report.labels[t].padStart(nameWidth) + r.map((v) => String(v).padStart(cellWidth)).join("")));
  if (report.baselines?.length) lines.push("");
  for (const b of report.baselines ?? []) {
    const balanced = b.balancedAccuracy === undefined ? "" : `, balanced ${f3(b.balancedAccuracy)}`;
    lines.push(`Baseline ${b.name}: accuracy ${f3(b.accuracy)}${balanced}, macro F1 ${f3(b.macroF1)}${b.rocAuc === null ? "" : `, ROC-AUC ${f3(b.rocAuc)}`}`);
  }
  for (const s of majorityShortfall(report)) {
    lines.push(`WARNING: ${s.metric} ${f3(s.model)} does not beat the majority-class baseline (${f3(s.baseline)}).`);
  }
  return lines.join("\n");
}
