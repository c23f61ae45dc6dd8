import { join } from "node:path";
import type { Command } from "commander";
import { loadDataset } from "../data/load-dataset.js";
import { formatReport } from "../evaluate/format-report.js";
import { BUNDLE_FORMAT } from "../model/model-bundle.js";
import { SentimentModel } from "../model/sentiment-model.js";
import { refuseForeignJson } from "../util/foreign-file.js";
import { checkOutputDir } from "../util/output-path.js";
import { printJson, status, trainProgress } from "./cli-output.js";
import { type DatasetCliOptions, addDatasetOptions, datasetOptionsFrom } from "./dataset-options.js";
import { type EmbedderCliOptions, addEmbedderOptions, embedderFrom, fetcherFrom } from "./embedder-options.js";
import { type ForestCliOptions, addForestOptions, forestOptionsFrom } from "./forest-options.js";
import { type ClassifierCliOptions, addClassifierOptions, decisionOptionsFrom, logisticOptionsFrom } from "./classifier-options.js";
import { formatLoadStats } from "./format-load-stats.js";
import { formatEmbeddingUsage } from "./format-usage.js";
import { parseFraction, parseSeed } from "./number-options.js";
import { type StoreSourceCliOptions, addStoreSourceOptions, storeRowsFromCli } from "./store-source.js";

import { type ReportCliOptions, addReportOption, checkReportPath, writeReport } from "./report-option.js";

interface TrainCliOptions extends DatasetCliOptions, EmbedderCliOptions, ForestCliOptions, StoreSourceCliOptions, ClassifierCliOptions, ReportCliOptions {
  out: string;
  testSize: number;
  seed: number;
  vectorsFrom?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Printed where the report would be when --test-size 0 left nothing held out. */
export const NO_TEST_SPLIT =
  "No test split (--test-size 0): every row was used for training, so there is no evaluation to report.\n" +
  "To estimate accuracy, run `sentivec cv FILES` (k-fold), or `sentivec evaluate -m MODEL FILES` on data the model has not seen.";

export function registerTrainCommand(program: Command): void {
  const cmd = program
    .command("train")
    .description("train a sentiment model on labelled files, print its test-split evaluation and save the bundle")
    .argument("[files...]", "labelled dataset files (CSV/TSV with a header, headerless .txt sentence<TAB>label, JSON, JSONL), or --store DIR")
    .option("-o, --out <dir>", "where to save the model bundle", join("models", "sentiment"))
    .option("--test-size <fraction>", "fraction held out for evaluation (0 trains on everything)", parseFraction("--test-size", true), 0.2)
    .option("--seed <n>", "seed for the split and the forest", parseSeed, 42)
    .option("--vectors-from <id>", "for datasets with their own vectors: the embedder id they came from (e.g. openai:text-embedding-3-small@10)")
    .option("--json", "print the result as JSON")
    .option("-q, --quiet", "no progress output");
  addDatasetOptions(cmd);
  addEmbedderOptions(cmd);
  addForestOptions(cmd);
  addClassifierOptions(cmd);
  addStoreSourceOptions(cmd, "train on");
  addReportOption(cmd);
  cmd.action(async (files: string[], o: TrainCliOptions, command: Command) => {
    const quiet = o.json === true || o.quiet === true;
    // Before training: an --out that names a file or a read-only place fails now, not after the work.
    checkOutputDir(o.out, "model bundle", "--out");
    refuseForeignJson(join(o.out, "model.json"), BUNDLE_FORMAT, "model bundle");
    checkReportPath(o);
    // --store: the store's labelled rows and vectors instead of files (nothing embedded).
    const logistic = logisticOptionsFrom(o, o.seed);
    const decision = decisionOptionsFrom(o);
    const fromStore = await storeRowsFromCli(files, o, command, "train on", quiet);
    const dataset = fromStore ? undefined : await loadDataset(files, datasetOptionsFrom(o));
    if (dataset) status(formatLoadStats(dataset), quiet);
    const precomputed = !dataset || dataset.items.every((i) => i.vector !== undefined);
    const embedder = precomputed ? undefined : embedderFrom(o);
    const progress = trainProgress(quiet);
    const cached = embedder ? fetcherFrom(o, embedder, { onProgress: (p) => progress.onProgress({ stage: "embed", done: p.done, total: p.total }) }) : undefined;
    try {
      const { model, report, usage, ignoredUnlabeled, testRows } = await SentimentModel.train(fromStore?.set ?? dataset!, {
        fetcher: cached?.fetcher,
        precomputedEmbedderId: o.vectorsFrom,
        classifier: o.classifier,
        forest: { ...forestOptionsFrom(o, o.seed), ...(o.balancedBootstrap ? { bootstrap: "balanced" as const } : {}) },
        ...decision,
        logistic,
        testSize: o.testSize,
        seed: o.seed,
        onProgress: progress.onProgress,
      });
      progress.stop();
      if (usage && embedder && !embedder.id.startsWith("local:")) status(formatEmbeddingUsage(usage), quiet);
      const manifest = await model.save(o.out, { onWait: () => status(`Waiting for another sentivec process that is saving to ${o.out}...`, false) });
      if (o.report !== undefined && report && testRows) {
        await writeReport(o.report, { title: `${o.out}: test split (${Math.round(o.testSize * 100)}%, seed ${o.seed})`, report, rows: testRows, dataset: dataset ? { files, rows: dataset.items.length } : undefined, embedder: manifest.embedder, bundle: { path: o.out, ...manifest } });
        status(`Wrote the HTML report ${o.report}`, quiet);
      } else if (o.report !== undefined) status(`No HTML report: there was no test split (--test-size 0). Run \`sentivec evaluate -m ${o.out} FILES --report ${o.report}\` on held-out data.`, false);
      if (o.json) {
        printJson({ model: o.out, embedder: manifest.embedder, labels: manifest.labels, labelScheme: manifest.labelScheme, classifier: manifest.classifier, dataset: { ...manifest.dataset, ...(dataset ? { stats: dataset.stats } : { ignoredUnlabeled }) }, training: manifest.training, report, usage });
        return;
      }
      if (report) console.log(formatReport(report, `Test split (${Math.round(o.testSize * 100)}%, seed ${o.seed})`));
      else console.log(NO_TEST_SPLIT);
      console.log(`\nSaved ${o.out} (embedder ${manifest.embedder.id}, ${manifest.classifier?.kind === "logistic" ? "logistic regression" : `${manifest.forest.engine} forest`}, ${manifest.forest.bytes} bytes)`);
    } finally {
      cached?.close();
    }
  });
}
