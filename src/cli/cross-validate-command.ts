import type { Command } from "commander";
import { loadDataset } from "../data/load-dataset.js";
import { formatReport } from "../evaluate/format-report.js";
import { crossValidate } from "../model/cross-validate.js";
import { printJson, status } from "./cli-output.js";
import { type DatasetCliOptions, addDatasetOptions, datasetOptionsFrom } from "./dataset-options.js";
import { type EmbedderCliOptions, addEmbedderOptions, embedderFrom, fetcherFrom } from "./embedder-options.js";
import { type ForestCliOptions, addForestOptions, forestOptionsFrom } from "./forest-options.js";
import { type ClassifierCliOptions, addClassifierOptions, decisionOptionsFrom, logisticOptionsFrom } from "./classifier-options.js";
import { formatLoadStats } from "./format-load-stats.js";
import { parseSeed, parseWholeNumber } from "./number-options.js";
import { progressDisplay } from "./progress-display.js";
import { type StoreSourceCliOptions, addStoreSourceOptions, storeRowsFromCli } from "./store-source.js";
import { storeDataset } from "../model/store-dataset.js";

interface CvCliOptions extends DatasetCliOptions, EmbedderCliOptions, ForestCliOptions, StoreSourceCliOptions, ClassifierCliOptions {
  folds: number;
  seed: number;
  json?: boolean;
  quiet?: boolean;
}

export function registerCrossValidateCommand(program: Command): void {
  const cmd = program
    .command("cv")
    .description("stratified k-fold cross-validation of the embedder + forest on labelled files")
    .argument("[files...]", "labelled dataset files, or --store DIR")
    .option("-k, --folds <n>", "number of folds (at least 2)", parseWholeNumber("--folds", 2), 5)
    .option("--seed <n>", "seed for the folds and the forests", parseSeed, 42)
    .option("--json", "print the result as JSON")
    .option("-q, --quiet", "no progress output");
  addDatasetOptions(cmd);
  addEmbedderOptions(cmd);
  addForestOptions(cmd);
  addClassifierOptions(cmd);
  addStoreSourceOptions(cmd, "cross-validate on");
  cmd.action(async (files: string[], o: CvCliOptions, command: Command) => {
    const quiet = o.json === true || o.quiet === true;
    // --store: the store's labelled rows, with their vectors (a dataset that carries its own: nothing is embedded).
    const logistic = logisticOptionsFrom(o, o.seed);
    const decision = decisionOptionsFrom(o);
    const fromStore = await storeRowsFromCli(files, o, command, "cross-validate on", quiet);
    const dataset = fromStore ? storeDataset(fromStore.set).dataset : await loadDataset(files, datasetOptionsFrom(o));
    if (!fromStore) status(formatLoadStats(dataset), quiet);
    const precomputed = dataset.items.every((i) => i.vector !== undefined);
    const progress = progressDisplay(quiet);
    const cached = precomputed ? undefined : fetcherFrom(o, embedderFrom(o), { onProgress: (p) => progress.onProgress({ stage: "embed", done: p.done, total: p.total }) });
    try {
      const result = await crossValidate(dataset, {
        folds: o.folds,
        seed: o.seed,
        fetcher: cached?.fetcher,
        classifier: o.classifier,
        forest: { ...forestOptionsFrom(o, o.seed), ...(o.balancedBootstrap ? { bootstrap: "balanced" as const } : {}) },
        ...decision,
        logistic,
        // The bar names the fold that is running; each finished fold leaves its line.
        onProgress: (p) => progress.onProgress({ ...p, step: p.fold === undefined ? undefined : `Fold ${p.fold + 1}/${p.folds}` }),
        onFold: (f, r) => {
          progress.stop();
          status(`fold ${f + 1}/${o.folds}: accuracy ${r.accuracy.toFixed(4)}, macro F1 ${r.macro.f1.toFixed(4)}`, quiet);
        },
      });
      progress.stop();
      if (o.json) {
        printJson({ files, ...(fromStore ? { store: fromStore.dir, filter: o.filter, ignoredUnlabeled: fromStore.set.skippedUnlabeled } : {}), embedder: fromStore?.store.embedderId ?? cached?.fetcher.embedder.id ?? "precomputed", folds: o.folds, seed: o.seed, accuracy: result.accuracy, macroF1: result.macroF1, foldAccuracies: result.folds.map((r) => r.accuracy), pooled: result.pooled });
        return;
      }
      console.log(formatReport(result.pooled, `${o.folds}-fold cross-validation, pooled out-of-fold predictions`));
      console.log(`\nAccuracy over ${o.folds} folds: ${result.accuracy.mean.toFixed(4)} ± ${result.accuracy.std.toFixed(4)} (mean ± std)`);
    } finally {
      cached?.close();
    }
  });
}
