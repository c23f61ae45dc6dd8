#!/usr/bin/env node
/**
 * The `sentivec` binary. It only picks which CLI to load: `predict` gets a program of its own, one
 * bundled file with nothing of train, store, batch... in it, so that a one-text predict starts in
 * about twice the time of `node -e 0` (issue 13; bench/cli-start). Everything else loads the full CLI.
 * Both are built from the same command modules (cli-program.ts, full-cli.ts, predict-cli.ts).
 */
const argv = process.argv;
if (argv[2] === "predict") {
  void import("./predict-cli.js").then((cli) => cli.runPredictCli(argv));
} else {
  void import("./full-cli.js").then((cli) => cli.runFullCli(argv));
}
