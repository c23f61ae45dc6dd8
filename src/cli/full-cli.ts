import { registerBatchCommand } from "./batch-command.js";
import { registerCacheCommand } from "./cache-command.js";
import { type RegisterCommand, runCli } from "./cli-program.js";
import { registerCrossValidateCommand } from "./cross-validate-command.js";
import { registerEmbedCommand } from "./embed-command.js";
import { registerEvaluateCommand } from "./evaluate-command.js";
import { registerFilesCommand } from "./files-command.js";
import { registerPredictCommand } from "./predict-command.js";
import { registerQuickstartCommand } from "./quickstart-command.js";
import { registerStoreCommand } from "./store-command.js";
import { registerTrainCommand } from "./train-command.js";

/** Every subcommand, in the order help lists them. */
export const ALL_COMMANDS: readonly RegisterCommand[] = [
  registerQuickstartCommand,
  registerTrainCommand,
  registerEvaluateCommand,
  registerPredictCommand,
  registerCrossValidateCommand,
  registerEmbedCommand,
  registerCacheCommand,
  registerStoreCommand,
  registerBatchCommand,
  registerFilesCommand,
];

/** The whole CLI: any command, help, --version, suggestions for a mistyped command. */
export function runFullCli(argv: string[]): Promise<void> {
  return runCli(argv, ALL_COMMANDS);
}
