import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RandomForestClassifier } from "../../src/classify/forest/random-forest-classifier.js";
import { SentimentModel } from "../../src/model/sentiment-model.js";
import { expectOneLineError } from "../support/expect-cli-error.js";
import { runCli } from "../support/run-cli.js";
import { useTempDir } from "../support/temp-dir.js";

const UCI = "datasets/uci-sentiment-labelled-sentences/amazon_cells_labelled.txt";
const tmp = useTempDir("sentivec-predict-jobs-");

describe("threads for prediction with a saved model (--jobs on predict, evaluate, store label)", () => {
  it("a loaded forest predicts on the threads asked for, with the same answers as on one", async () => {
    const model = join(tmp.dir, "m");
    const train = await runCli(["train", UCI, "-o", model, "--trees", "20", "--quiet"]);
    expect(train.code, train.stderr).toBe(0);
    const one = await SentimentModel.load(model);
    const two = await SentimentModel.load(model, { nJobs: 2 });
    expect((one.classifier as RandomForestClassifier).nJobs).toBe(1);
    expect((two.classifier as RandomForestClassifier).nJobs).toBe(2);

    const a = await runCli(["evaluate", "-m", model, UCI, "--jobs", "1", "--json"]);
    const b = await runCli(["evaluate", "-m", model, UCI, "--jobs", "2", "--json"]);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(b.stdout).report).toEqual(JSON.parse(a.stdout).report);
  });

  it("a --jobs that is not a whole number above 0 is one line", async () => {
    const model = join(tmp.dir, "m");
    for (const cmd of [["predict", "-m", model, "fine"], ["evaluate", "-m", model, UCI]]) {
      expectOneLineError(await runCli([...cmd, "--jobs", "0"]), /--jobs/);
    }
  });
});
