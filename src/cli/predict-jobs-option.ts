import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { positiveInt } from "./forest-options.js";

/**
 * --jobs for the commands that predict with a saved model (predict, evaluate, store label): threads
 * for large batches. A few texts never start a thread (the forest hands work to threads only from
 * ~250,000 row × tree walks), so the default of every core costs a one-text predict nothing.
 */
export function addPredictJobsOption(cmd: Command): Command {
  return cmd.option("--jobs <n>", "threads for predicting large batches (the predictions are the same for any number)", positiveInt("--jobs"), availableParallelism());
}
