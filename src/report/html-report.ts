import type { EvaluationReport } from "../evaluate/evaluation-report.js";
import { argmax } from "../util/argmax.js";
import { confusionHeatmap } from "./confusion-heatmap.js";
import { probabilityHistogram } from "./probability-histogram.js";
import { reliabilityChart } from "./reliability-chart.js";
import { rocChart } from "./roc-chart.js";
import type { ScoredRows } from "../evaluate/scored-rows.js";
import { escapeXml } from "./svg.js";

export interface HtmlReportInput {
  /** Heading, e.g. "Test split of models/sentiment". */
  title: string;
  report: EvaluationReport;
  /** The scored rows the report was computed from (same order, same count). */
  rows: ScoredRows;
  /** The data scored: files and row counts, as the loader reported them. */
  dataset?: { files: string[]; rows: number; note?: string };
  /** The embedding space. */
  embedder: { id: string; dimensions: number };
  /** Where the model came from: its bundle folder and what the bundle records. */
  bundle?: {
    path: string;
    toolkitVersion?: string;
    createdAt?: string;
    generation?: number;
    checksum?: string;
    forest?: { engine?: string; params?: Record<string, unknown>; sha256?: string; bytes?: number };
    training?: { seed: number; testSize: number; trainRows: number; testRows: number };
    dataset?: { files: string[]; fingerprint: string; rows: number };
  };
  /** How many of the most confident mistakes to list. Default 12. */
  mistakes?: number;
  /** When the report was made. Default now. */
  createdAt?: Date;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1a1a1a}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0}th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}th{font-weight:600;background:#fafafa}
td.text{text-align:left;max-width:560px;white-space:pre-wrap;word-break:break-word}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:18px;align-items:start}
figure{margin:0}figcaption{color:#555;font-size:12px;margin-top:4px;max-width:440px}
svg.chart{max-width:100%;height:auto;font-family:inherit}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:6px 0}dt{color:#555}dd{margin:0;word-break:break-all}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
`;

/**
 * One self-contained HTML page for an evaluation: metrics, baselines, charts (confusion heatmap, ROC,
 * reliability with Brier score, probability histograms; inline SVG), the most confident mistakes with
 * their texts, and where the data, embeddings and model came from. No script, stylesheet, font or
 * image is fetched: the page opens offline and the same way in any browser.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { report, rows } = input;
  if (rows.yTrue.length !== report.n || rows.proba.length !== report.n) {
    throw new RangeError(`renderHtmlReport: the report covers ${report.n} rows but ${rows.yTrue.length} were given.`);
  }
  const brier = brierOf(report, rows);
  const created = input.createdAt ?? new Date();
  const body = [
    `<h1>${escapeXml(input.title)}</h1>`,
    `<p class="sub">${report.n} rows, ${report.labels.length} classes · sentivec report made ${escapeXml(created.toISOString())}</p>`,
    `<h2>Metrics</h2>`,
    metricsTable(report, brier),
    baselinesTable(report),
    `<h2>Charts</h2>`,
    `<div class="charts">`,
    figure(confusionHeatmap(report.labels, report.confusion), "Confusion matrix. Shade: share of the true class's rows; text: count and share."),
    figure(rocChart(rows), report.labels.length === 2 ? "ROC curve of the positive class's probability; dashed: chance." : "One-vs-rest ROC curves, one per class; dashed: chance."),
    figure(reliabilityChart(rows, brier), "Predicted probability against observed frequency in ten bins; grey bars: rows per bin; dashed: perfect calibration."),
    figure(probabilityHistogram(rows), "Where the model puts each true class's rows; overlap is where it is unsure."),
    `</div>`,
    `<h2>Most confident mistakes</h2>`,
    mistakesTable(rows, input.mistakes ?? 12),
    `<h2>Data, embeddings and model</h2>`,
    summary(input),
  ].join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeXml(input.title)}</title><style>${STYLE}</style></head>
<body>
${body}
</body></html>
`;
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${escapeXml(caption)}</figcaption></figure>`;
}

const f3 = (x: number) => x.toFixed(3);

function metricsTable(r: EvaluationReport, brier: number | null): string {
  const rows = r.perClass.map((c) => `<tr><td>${escapeXml(c.label)}</td><td>${f3(c.precision)}</td><td>${f3(c.recall)}</td><td>${f3(c.f1)}</td><td>${c.support}</td></tr>`);
  const extra: [string, number | null][] = [
    ["ROC-AUC" + (r.labels.length > 2 ? " (one-vs-rest, macro)" : ""), r.rocAuc],
    ["Brier score", brier],
  ];
  const logLoss = (r as { logLoss?: number | null }).logLoss;
  if (typeof logLoss === "number") extra.push(["log-loss", logLoss]);
  return `<table class="metrics"><thead><tr><th></th><th>precision</th><th>recall</th><th>f1</th><th>support</th></tr></thead><tbody>
${rows.join("\n")}
<tr><th>accuracy</th><td></td><td></td><td>${f3(r.accuracy)}</td><td>${r.n}</td></tr>
<tr><th>macro avg</th><td>${f3(r.macro.precision)}</td><td>${f3(r.macro.recall)}</td><td>${f3(r.macro.f1)}</td><td>${r.n}</td></tr>
<tr><th>weighted avg</th><td>${f3(r.weighted.precision)}</td><td>${f3(r.weighted.recall)}</td><td>${f3(r.weighted.f1)}</td><td>${r.n}</td></tr>
${extra.filter(([, v]) => v !== null).map(([name, v]) => `<tr><th>${escapeXml(name)}</th><td></td><td></td><td>${(v as number).toFixed(4)}</td><td></td></tr>`).join("\n")}
</tbody></table>`;
}

function baselinesTable(r: EvaluationReport): string {
  const baselines = r.baselines ?? [];
  if (baselines.length === 0) return `<p class="sub">No baselines were scored for these rows.</p>`;
  const line = (name: string, acc: number, f1: number, auc: number | null) => `<tr><td>${escapeXml(name)}</td><td>${f3(acc)}</td><td>${f3(f1)}</td><td>${auc === null ? "–" : f3(auc)}</td></tr>`;
  return `<h2>Baselines (same rows)</h2><table class="baselines"><thead><tr><th>model</th><th>accuracy</th><th>macro F1</th><th>ROC-AUC</th></tr></thead><tbody>
${line("this model", r.accuracy, r.macro.f1, r.rocAuc)}
${baselines.map((b) => line(b.name, b.accuracy, b.macroF1, b.rocAuc)).join("\n")}
</tbody></table>`;
}

/** Wrong predictions, most confident first: where the model is sure and wrong (often label noise). */
function mistakesTable(rows: ScoredRows, limit: number): string {
  const wrong: { i: number; pred: number; p: number }[] = [];
  for (let i = 0; i < rows.yTrue.length; i++) {
    const pred = argmax(rows.proba[i]);
    if (pred !== rows.yTrue[i]) wrong.push({ i, pred, p: rows.proba[i][pred] });
  }
  if (wrong.length === 0) return `<p class="sub">No mistakes: every row was predicted right.</p>`;
  wrong.sort((a, b) => b.p - a.p || a.i - b.i);
  const shown = wrong.slice(0, limit);
  return `<p class="sub">${wrong.length} of ${rows.yTrue.length} rows are wrong; the ${shown.length} most confident:</p>
<table class="mistakes"><thead><tr><th>text</th><th>true</th><th>predicted</th><th>probability</th></tr></thead><tbody>
${shown.map((m) => `<tr><td class="text">${escapeXml(rows.texts?.[m.i] ?? `(row ${m.i + 1}: no text, a precomputed vector)`)}</td><td>${escapeXml(rows.labels[rows.yTrue[m.i]])}</td><td>${escapeXml(rows.labels[m.pred])}</td><td>${m.p.toFixed(3)}</td></tr>`).join("\n")}
</tbody></table>`;
}

function summary(input: HtmlReportInput): string {
  const items: [string, string][] = [];
  if (input.dataset) {
    items.push(["scored files", input.dataset.files.join(", ")]);
    items.push(["rows loaded", String(input.dataset.rows) + (input.dataset.note ? ` (${input.dataset.note})` : "")]);
  }
  items.push(["embedder", `${input.embedder.id} (${input.embedder.dimensions} dimensions)`]);
  const b = input.bundle;
  if (b) {
    items.push(["model bundle", b.path]);
    if (b.toolkitVersion) items.push(["made by", `sentivec ${b.toolkitVersion}${b.createdAt ? `, ${b.createdAt}` : ""}`]);
    if (b.forest?.engine) items.push(["classifier", `${b.forest.engine}${b.forest.params ? ` ${JSON.stringify(b.forest.params)}` : ""}`]);
    if (b.forest?.sha256) items.push(["classifier file", `${b.forest.bytes ?? "?"} bytes, sha256 ${b.forest.sha256}`]);
    if (b.training) items.push(["training", `seed ${b.training.seed}, test size ${b.training.testSize}, ${b.training.trainRows} training rows, ${b.training.testRows} test rows`]);
    if (b.dataset) items.push(["trained on", `${b.dataset.files.join(", ")} (${b.dataset.rows} rows, fingerprint ${b.dataset.fingerprint || "none"})`]);
    if (b.generation !== undefined) items.push(["bundle save", `generation ${b.generation}${b.checksum ? `, checksum ${b.checksum}` : ""}`]);
  }
  return `<dl class="summary">${items.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join("")}</dl>`;
}

/**
 * The report's own Brier score when it has one (reports from evaluatePredictions with probabilities);
 * otherwise, for reports made before that field existed, the same definition from the rows: two
 * classes, mean (p_positive − y)²; more, mean over rows of Σ_k (p_k − [y = k])².
 */
function brierOf(report: EvaluationReport, rows: ScoredRows): number | null {
  const own = (report as { brier?: number | null }).brier;
  if (own !== undefined) return own;
  const K = rows.labels.length;
  let total = 0;
  for (let i = 0; i < rows.yTrue.length; i++) {
    const p = rows.proba[i];
    if (K === 2) total += (p[1] - (rows.yTrue[i] === 1 ? 1 : 0)) ** 2;
    else for (let k = 0; k < K; k++) total += (p[k] - (rows.yTrue[i] === k ? 1 : 0)) ** 2;
  }
  return rows.yTrue.length ? total / rows.yTrue.length : null;
}
