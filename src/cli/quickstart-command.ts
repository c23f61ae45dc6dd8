import { join } from "node:path";
import type { Command } from "commander";
import { loadDataset } from "../data/load-dataset.js";
import { GloveLexEmbedder } from "../embed/glove-lex-embedder.js";
import { formatReport } from "../evaluate/format-report.js";
import { SentimentModel } from "../model/sentiment-model.js";
import { checkOutputDir } from "../util/output-path.js";
import { printJson, status, trainProgress } from "./cli-output.js";
import { formatLoadStats } from "./format-load-stats.js";

/** Sentences the main job classifies after training, "really amazing" (the seed tutorial's) among them. */
export const QUICKSTART_SENTENCES = [
  "really amazing",
  "not worth the money",
  "The battery died after two days and support never answered.",
  "Best purchase I've made this year, works perfectly!",
  "I would not recommend this place to anyone.",
  "The food was not bad at all.",
];

interface QuickstartCliOptions {
  datasets: string;
  out: string;
  json?: boolean;
}

/**
 * The main job (`npm start`): train a general English model with the offline embedder on all the
 * shipped sentiment sentences that fit its two-minute budget (UCI Amazon + Yelp product and
 * restaurant reviews, and the SST-2 film-review training phrases), print the held-out evaluation and
 * the score on SST-2 dev (whole film-review sentences it never trained on), save the bundle, reload it
 * and classify a few sentences. The fine-food reviews are left out: they are long, 1–5-star rated and
 * few (1,000), so they serve as an outside test set.
 */
export function registerQuickstartCommand(program: Command): void {
  program
    .command("quickstart")
    .description("train on the shipped UCI Amazon + Yelp and SST-2 sentences offline, print the evaluation, save models/sentiment-default, predict a few sentences")
    .option("--datasets <dir>", "the repository's datasets folder", "datasets")
    .option("-o, --out <dir>", "where to save the model bundle", join("models", "sentiment-default"))
    .option("--json", "print the result as JSON")
    .action(async (o: QuickstartCliOptions) => {
      const quiet = o.json === true;
      const started = Date.now();
      checkOutputDir(o.out, "model bundle", "--out");
      const uci = join(o.datasets, "uci-sentiment-labelled-sentences");
      const sst2 = join(o.datasets, "sst2");
      const dataset = await loadDataset([join(uci, "amazon_cells_labelled.txt"), join(uci, "yelp_labelled.txt"), join(sst2, "train_full.tsv")]);
      status(formatLoadStats(dataset), quiet);
      const progress = trainProgress(quiet);
      // Both cores for the forest (the model is byte-identical for any thread count): the library's
      // default is one thread, and on one the main job took 104 s of its 2-minute budget.
      const { model, report } = await SentimentModel.train(dataset, { embedder: new GloveLexEmbedder(), forest: { nJobs: -1 }, onProgress: progress.onProgress });
      progress.stop();
      // Whole film-review sentences, none of them in the training phrases: how well the model carries.
      const dev = await loadDataset(join(sst2, "dev.tsv"));
      const devReport = await model.evaluate(dev);
      await model.save(o.out);
      // Predict through the saved bundle, as a user would, so the round trip is exercised every run.
      const reloaded = await SentimentModel.load(o.out);
      const predictions = await reloaded.predict(QUICKSTART_SENTENCES);
      const seconds = (Date.now() - started) / 1000;
      if (o.json) {
        printJson({ model: o.out, embedder: model.embedderInfo, stats: dataset.stats, report, sst2Dev: devReport, predictions, seconds });
        return;
      }
      console.log(formatReport(report!, `UCI Amazon + Yelp + SST-2 train phrases, test split (20%, seed 42), embedder ${model.embedderInfo.id}, ${model.classifier.engine} forest`));
      console.log(`\nSST-2 dev (${dev.items.length} film-review sentences, not trained on): accuracy ${devReport.accuracy.toFixed(3)}, ROC-AUC ${devReport.rocAuc === null ? "n/a" : devReport.rocAuc.toFixed(3)}`);
      console.log(`\nSaved ${o.out}\n\nPredictions:`);
      for (const p of predictions) console.log(`  ${p.label.padEnd(8)}  ${p.probability.toFixed(3)}  ${p.text}`);
      console.log(`\nDone in ${seconds.toFixed(1)} s. Next: npx sentivec predict --model ${o.out} "your text here"`);
    });
}
