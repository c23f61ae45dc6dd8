#!/usr/bin/env node
import { Command } from "commander";
import { escapeControl } from "../util/escape-control.js";
import { VERSION } from "../version.js";
import { registerBatchCommand } from "./batch-command.js";
import { registerCacheCommand } from "./cache-command.js";
import { registerCrossValidateCommand } from "./cross-validate-command.js";
import { registerEmbedCommand } from "./embed-command.js";
import { registerEvaluateCommand } from "./evaluate-command.js";
import { registerFilesCommand } from "./files-command.js";
import { registerPredictCommand } from "./predict-command.js";
import { registerQuickstartCommand } from "./quickstart-command.js";
import { isBrokenPipe, reportError } from "./report-error.js";
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
  registerBatchCommand(program);
  registerFilesCommand(program);
  return program;
}

/**
 * Runs the CLI. Failures end with exit code 1 and one line on stderr: "sentivec: <what>, <where>, <what to do>"
 * (reportError holds the policy: "unexpected error" is only for bugs, and asks for a bug report).
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

// A reader that stops early (`sentivec ... --json | head`) closes stdout: end quietly, as Unix tools do.
// Results go to stdout only after every save has finished, so nothing is cut short by leaving here.
process.stdout.on("error", (error) => {
  if (isBrokenPipe(error)) process.exit(process.exitCode ?? 0);
  process.exitCode = reportError(error);
});
// Nowhere left to report a failing stderr: ignore it rather than crash.
process.stderr.on("error", () => {});
// Errors thrown outside the command's promise chain (a stream's error event, a timer) get the same policy.
process.on("uncaughtException", (error) => process.exit(reportError(error)));
process.on("unhandledRejection", (error) => process.exit(reportError(error)));

main(process.argv).then((code) => {
  process.exitCode = code;
});
