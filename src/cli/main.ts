#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { SentivecError } from "../errors.js";
import { escapeControl } from "../util/escape-control.js";
import { VERSION } from "../version.js";
import { registerCacheCommand } from "./cache-command.js";
import { registerCrossValidateCommand } from "./cross-validate-command.js";
import { registerEmbedCommand } from "./embed-command.js";
import { registerEvaluateCommand } from "./evaluate-command.js";
import { registerPredictCommand } from "./predict-command.js";
import { registerQuickstartCommand } from "./quickstart-command.js";
import { registerStoreCommand } from "./store-command.js";
import { registerTrainCommand } from "./train-command.js";

/** The `sentivec` command. Each subcommand lives in its own file and registers itself here. */
export function buildProgram(): Command {
  const program = new Command("sentivec")
    .description("Embeddings and sentiment classification: embed, store, train, evaluate, predict.")
    .version(VERSION)
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (message, write) => write(`sentivec: ${escapeControl(message.replace(/^error: /, "").trim().replace(/\s*\n\s*/g, " "))}\n`) })
    // Throw instead of exiting so main() owns the exit code. Subcommands inherit both settings.
    .exitOverride();
  registerQuickstartCommand(program);
  registerTrainCommand(program);
  registerEvaluateCommand(program);
  registerPredictCommand(program);
  registerCrossValidateCommand(program);
  registerEmbedCommand(program);
  registerCacheCommand(program);
  registerStoreCommand(program);
  return program;
}

/**
 * Runs the CLI. Failures end with exit code 1 and one line on stderr: "sentivec: <what>, <where>, <what to do>".
 * Unexpected errors (bugs) also print their stack so they can be reported.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (unknown option, missing argument...); help/version exit 0.
      return error.exitCode;
    }
    if (error instanceof SentivecError) {
      // Messages quote user data (labels, file names, texts): escape it so the line stays one inert line.
      process.stderr.write(`sentivec: ${escapeControl(error.message)}\n`);
      return 1;
    }
    process.stderr.write(`sentivec: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
