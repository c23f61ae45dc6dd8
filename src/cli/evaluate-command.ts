import type { Command } from "commander";
import { loadDataset } from "../data/load-dataset.js";
import { formatReport } from "../evaluate/format-report.js";
import { printJson, status } from "./cli-output.js";
import { type DatasetCliOptions, addDatasetOptions, datasetOptionsFrom } from "./dataset-options.js";
import { type EmbedderCliOptions, addEmbedderOptions, fetcherFrom } from "./embedder-options.js";
import { formatLoadStats } from "./format-load-stats.js";
import { loadModelForCli } from "./load-model.js";
import { addPredictJobsOption } from "./predict-jobs-option.js";
import { readBundleManifest } from "../model/model-bundle.js";
import { type StoreSourceCliOptions, addStoreSourceOptions, storeEvaluationData, storeRowsFromCli } from "./store-source.js";

import { type ReportCliOptions, addReportOption, checkReportPath, writeReport } from "./report-option.js";
import type { ScoredRows } from "../evaluate/scored-rows.js";

interface EvaluateCliOptions extends DatasetCliOptions, EmbedderCliOptions, StoreSourceCliOptions, ReportCliOptions {
  model: string;
  json?: boolean;
  quiet?: boolean;
  jobs: number;
}

export function registerEvaluateCommand(program: Command): void {
  const cmd = program
    .command("evaluate")
    .description("score a saved model on labelled files")
    .argument("[files...]", "labelled dataset files, or --store DIR")
    .requiredOption("-m, --model <dir>", "model bundle folder written by `sentivec train`")
    .option("--json", "print the report as JSON")
    .option("-q, --quiet", "no progress output");
  addDatasetOptions(cmd);
  addEmbedderOptions(cmd, { defaultSpec: false, fromBundle: true });
  addReportOption(cmd);
  addStoreSourceOptions(cmd, "evaluate on");
  addPredictJobsOption(cmd);
  cmd.action(async (files: string[], o: EvaluateCliOptions, command: Command) => {
    const quiet = o.json === true || o.quiet === true;
    checkReportPath(o);
    const fromStore = await storeRowsFromCli(files, o, command, "evaluate on", quiet);
    if (fromStore) {
      // The store's vectors: the model must have been trained in the store's space; nothing is embedded.
      const model = await loadModelForCli(o.model, o, { embedsText: false });
      const report = await model.evaluate(storeEvaluationData(model, fromStore, o.model));
      if (o.json) printJson({ model: o.model, embedder: model.embedderInfo, store: fromStore.dir, filter: o.filter, ignoredUnlabeled: fromStore.set.skippedUnlabeled, report });
      else console.log(formatReport(report, `Evaluation of ${o.model} on the store ${fromStore.dir}${o.filter.map((f) => ` --filter ${f}`).join("")}`));
      return;
    }
    // Without a label option the file is read as the model's training data was (--stars, --label-map...).
    const dataset = await loadDataset(files, datasetOptionsFrom(o, true, (await readBundleManifest(o.model)).labelScheme));
    status(formatLoadStats(dataset), quiet);
    // A dataset with its own vectors sends nothing, so it needs no embedder (nor the right --base-url).
    const precomputed = dataset.items.every((i) => i.vector !== undefined);
    const model = await loadModelForCli(o.model, o, { embedsText: !precomputed });
    const cached = precomputed ? undefined : fetcherFrom(o, model.textEmbedder());
    try {
      let scored: ScoredRows | undefined;
      const report = await model.evaluate(dataset, { fetcher: cached?.fetcher, onScored: (rows) => (scored = rows) });
      if (o.report !== undefined && scored) {
        await writeReport(o.report, { title: `${o.model} evaluated on ${files.join(", ")}`, report, rows: scored, dataset: { files, rows: dataset.items.length }, embedder: model.embedderInfo, bundle: { path: o.model, ...model.manifest } });
        status(`Wrote the HTML report ${o.report}`, quiet);
      }
      if (o.json) printJson({ model: o.model, embedder: model.embedderInfo, files, report });
      else console.log(formatReport(report, `Evaluation of ${o.model} on ${files.join(", ")}`));
    } finally {
      cached?.close();
    }
  });
}
