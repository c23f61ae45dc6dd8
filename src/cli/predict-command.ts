import type { Command } from "commander";
import { OptionsError } from "../errors.js";
import { printJson } from "./cli-output.js";
import { type EmbedderCliOptions, addEmbedderOptions, fetcherFrom } from "./embedder-options.js";
import { loadModelForCli } from "./load-model.js";

interface PredictCliOptions extends EmbedderCliOptions {
  model: string;
  json?: boolean;
}

export function registerPredictCommand(program: Command): void {
  const cmd = program
    .command("predict")
    .description("predict the sentiment of texts given as arguments, or one per line on stdin")
    .argument("[texts...]", "texts to classify (default: read lines from stdin)")
    .requiredOption("-m, --model <dir>", "model bundle folder written by `sentivec train`")
    .option("--json", "print the predictions as JSON");
  addEmbedderOptions(cmd, { defaultSpec: false });
  cmd.action(async (args: string[], o: PredictCliOptions) => {
    const texts = args.length > 0 ? args : await readStdinLines();
    if (texts.length === 0) {
      throw new OptionsError("PREDICT_NO_TEXT", "No texts to classify.", { hint: 'Give texts as arguments (sentivec predict -m DIR "great phone") or one per line on stdin.' });
    }
    const model = await loadModelForCli(o.model, o);
    const { fetcher, close } = fetcherFrom(o, model.textEmbedder());
    try {
      const predictions = await model.predict(texts, { fetcher });
      if (o.json) {
        printJson(predictions);
        return;
      }
      const width = model.labels.reduce((w, l) => Math.max(w, l.length), 0);
      for (const p of predictions) console.log(`${p.label.padEnd(width)}  ${p.probability.toFixed(3)}  ${p.text}`);
    } finally {
      close();
    }
  });
}

async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) return [];
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
}
