import type { Command } from "commander";
import { decodeText } from "../data/decode-text.js";
import { OptionsError } from "../errors.js";
import type { Prediction } from "../model/sentiment-model.js";
import { escapeControl } from "../util/escape-control.js";
import { isBlankText } from "../util/text-checks.js";
import { printJson } from "./cli-output.js";
import { type EmbedderCliOptions, addEmbedderOptions, fetcherFrom } from "./embedder-options.js";
import { loadModelForCli } from "./load-model.js";
import { addPredictJobsOption } from "./predict-jobs-option.js";

interface PredictCliOptions extends EmbedderCliOptions {
  model: string;
  json?: boolean;
  jobs: number;
}

/** What --json prints for a blank text: an explicit non-answer instead of a made-up label. */
interface NullPrediction {
  text: string;
  label: null;
  probability: null;
  probabilities: null;
  reason: string;
}

/** One text to classify and where it came from, for messages. */
interface Input {
  text: string;
  where: string;
}

const BLANK_REASON = "blank text: nothing to classify";

export function registerPredictCommand(program: Command): void {
  const cmd = program
    .command("predict")
    .description("predict the sentiment of texts given as arguments, or one per line on stdin (blank texts are refused; with --json they get label null)")
    .argument("[texts...]", "texts to classify (default: read lines from stdin)")
    .requiredOption("-m, --model <dir>", "model bundle folder written by `sentivec train`")
    .option("--json", "print the predictions as JSON");
  addEmbedderOptions(cmd, { defaultSpec: false, fromBundle: true });
  addPredictJobsOption(cmd);
  cmd.action(async (args: string[], o: PredictCliOptions) => {
    const inputs: Input[] = args.length > 0 ? args.map((text, i) => ({ text, where: `argument ${i + 1}` })) : await readStdinLines();
    if (inputs.length === 0) {
      throw new OptionsError("PREDICT_NO_TEXT", "No texts to classify.", { hint: 'Give texts as arguments (sentivec predict -m DIR "great phone") or one per line on stdin.' });
    }
    // Same rule as the library's predict(): a blank text never gets a label. Plain output stops before
    // any work; --json marks it null with a reason and still answers the others.
    const firstBlank = inputs.find((i) => isBlankText(i.text));
    if (firstBlank && !o.json) {
      throw new OptionsError("PREDICT_BLANK_TEXT", `${firstBlank.where}: The text is ${firstBlank.text === "" ? "empty" : "blank"}; there is nothing to classify.`, {
        hint: "Leave out blank texts (with --json they are answered with label null).",
      });
    }
    const model = await loadModelForCli(o.model, o);
    const { fetcher, close } = fetcherFrom(o, model.textEmbedder());
    try {
      const texts = inputs.map((i) => i.text).filter((t) => !isBlankText(t));
      const predicted = texts.length > 0 ? await model.predict(texts, { fetcher }) : [];
      if (o.json) {
        let next = 0;
        const out: (Prediction | NullPrediction)[] = inputs.map((i) =>
          isBlankText(i.text) ? { text: i.text, label: null, probability: null, probabilities: null, reason: BLANK_REASON } : predicted[next++],
        );
        printJson(out);
        return;
      }
      const width = model.labels.reduce((w, l) => Math.max(w, l.length), 0);
      for (const p of predicted) console.log(`${escapeControl(p.label.padEnd(width))}  ${p.probability.toFixed(3)}  ${escapeControl(p.text ?? "")}`);
    } finally {
      close();
    }
  });
}

/** stdin lines, decoded like dataset files (a BOM is followed; invalid UTF-8 stops with its line). */
async function readStdinLines(): Promise<Input[]> {
  if (process.stdin.isTTY) return [];
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const lines = decodeText(Buffer.concat(chunks), "stdin").split("\n");
  if (lines.at(-1) === "") lines.pop(); // the newline that ends the last line
  return lines.map((line, i) => ({ text: line.endsWith("\r") ? line.slice(0, -1) : line, where: `stdin:${i + 1}` }));
}
