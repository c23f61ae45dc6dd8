// Runs `sentivec store ...` through registerStoreCommand alone, as a child process of store-cli.test.ts,
// so the command is tested as a user runs it (argv in, stdout/stderr/exit code out) without the full CLI.
import { Command } from "commander";
import { registerStoreCommand } from "../../src/cli/store-command.js";
import { SentivecError } from "../../src/errors.js";

const program = new Command("sentivec").exitOverride();
registerStoreCommand(program);
program.parseAsync(process.argv).catch((e: unknown) => {
  if (!(e instanceof SentivecError)) process.stderr.write(`sentivec: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  else process.stderr.write(`sentivec: ${e.message}\n`);
  process.exitCode = 1;
});
