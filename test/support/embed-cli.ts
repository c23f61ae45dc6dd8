/**
 * Runs just the `embed` and `cache` commands, for tests in test/embed that should not depend on the
 * whole CLI: `node --import tsx test/support/embed-cli.ts embed data.tsv --dry-run`.
 */
import { Command } from "commander";
import { SentivecError } from "../../src/errors.js";
import { registerCacheCommand } from "../../src/cli/cache-command.js";
import { registerEmbedCommand } from "../../src/cli/embed-command.js";

const program = new Command("sentivec").exitOverride();
registerEmbedCommand(program);
registerCacheCommand(program);
program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof SentivecError) process.stderr.write(`sentivec: ${e.message}\n`);
  else if (!(e instanceof Error && "exitCode" in e)) process.stderr.write(`sentivec: unexpected error: ${String((e as Error).stack ?? e)}\n`);
  process.exitCode = 1;
});
