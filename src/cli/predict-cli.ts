import { runCli } from "./cli-program.js";
import { registerPredictCommand } from "./predict-command.js";

/**
 * `sentivec predict ...` with only the predict command registered: the same parsing, help and errors
 * as in the full CLI, without loading the code of the others. Bundled into one file of its own
 * (scripts/bundle-cli.mjs) because predict's start-up time is a goal (issue 13, bench/cli-start).
 */
export function runPredictCli(argv: string[]): Promise<void> {
  return runCli(argv, [registerPredictCommand]);
}
