import { Command } from "commander";
import { escapeControl } from "../util/escape-control.js";
import { VERSION } from "../version.js";
import { isBrokenPipe, reportError } from "./report-error.js";

/** Adds one subcommand (each lives in its own file and registers itself). */
export type RegisterCommand = (program: Command) => void;

/** The `sentivec` command with the given subcommands. */
export function buildProgram(commands: readonly RegisterCommand[]): Command {
  const program = new Command("sentivec")
    .description("Embeddings and sentiment classification: embed, store, train, evaluate, predict.")
    .version(VERSION)
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (message, write) => write(`sentivec: ${escapeControl(message.replace(/^error: /, "").trim().replace(/\s*\n\s*/g, " "))}\n`) })
    // Throw instead of exiting so runCli() owns the exit code. Subcommands inherit both settings.
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/**
 * Runs the CLI on `argv` and sets the exit code. Failures end with exit code 1 and one line on stderr:
 * "sentivec: <what>, <where>, <what to do>" (reportError holds the policy: "unexpected error" is only
 * for bugs, and asks for a bug report).
 */
export async function runCli(argv: string[], commands: readonly RegisterCommand[]): Promise<void> {
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
  try {
    await buildProgram(commands).parseAsync(argv);
    process.exitCode = 0;
  } catch (error) {
    process.exitCode = reportError(error);
  }
}
