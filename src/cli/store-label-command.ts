import type { Command } from "commander";
import { labelCollection } from "../model/label-store.js";
import { checkModelFitsStore } from "../model/store-dataset.js";
import { parseCollectionLocation } from "../store/collection/collection-location.js";
import { openCollection, readCollectionSpace } from "../store/collection/open-collection.js";
import type { VectorCollection } from "../store/collection/vector-collection.js";
import { lockDir } from "../util/dir-lock.js";
import { escapeControl } from "../util/escape-control.js";
import { printJson, status } from "./cli-output.js";
import { loadModelForCli } from "./load-model.js";
import { addPredictJobsOption } from "./predict-jobs-option.js";
import { checkFilterFields, collect, parseFilters } from "./store-filter-options.js";

interface StoreLabelCliOptions {
  store: string;
  model: string;
  filter: string[];
  json?: boolean;
  quiet?: boolean;
  jobs: number;
}

/**
 * `sentivec store label`: a model's predictions written into the store's rows (metadata `predicted`,
 * `p_<label>`), so `store search --filter predicted=negative` finds them. Read, label and save happen
 * under the store's lock, so a concurrent `store add` or `store label` is neither lost nor mixed in;
 * the save is atomic, so a kill leaves the last good store.
 */
export function registerStoreLabelCommand(store: Command, defaultStoreDir: string): void {
  const cmd = store
    .command("label")
    .description("predict the unlabelled rows (or the rows matching --filter) with a model and write the label and probabilities into their metadata")
    .requiredOption("-m, --model <dir>", "model bundle folder, trained on this store's embedder (e.g. by sentivec train --store)")
    .option("--filter <field=value>", "label the rows whose label or metadata field equals value (a,b for any of several), labelled or not; repeatable. Without it: the rows with no label", collect, [])
    .option("--store <dir>", "store folder; lance:DIR for a LanceDB store", defaultStoreDir)
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "no progress output");
  addPredictJobsOption(cmd);
  cmd.action(async (o: StoreLabelCliOptions) => {
    const quiet = o.json === true || o.quiet === true;
    const filter = parseFilters(o.filter);
    // Checked before waiting for the lock or reading the vectors: a missing store, or a model from
    // another embedder, is reported at once and nothing is touched.
    const location = parseCollectionLocation(o.store);
    const space = readCollectionSpace(location);
    const model = await loadModelForCli(o.model, { jobs: o.jobs }, { embedsText: false });
    const names = { model: o.model, store: o.store };
    checkModelFitsStore(model.embedderInfo, space, names);
    const lock = await lockDir(location.dir, { what: "vector store", onWait: () => status(`Waiting for another sentivec process that is writing ${o.store}...`, false) });
    let result: Awaited<ReturnType<typeof labelCollection>>;
    let size: number;
    let generation: number | undefined;
    let target: VectorCollection | undefined;
    try {
      target = await openCollection(location);
      await checkFilterFields(target, filter, o.filter);
      size = await target.count();
      result = await labelCollection(target, model, { filter, names });
      if (result.labelled > 0) generation = (await target.save()).generation;
    } finally {
      target?.close();
      lock.release();
    }
    const summary = { store: o.store, model: o.model, filter: o.filter, labelled: result.labelled, predicted: result.counts, size, generation: generation ?? null };
    if (o.json) {
      printJson(summary);
      return;
    }
    if (result.labelled === 0) {
      console.log(o.filter.length > 0
        ? `No rows match ${o.filter.map((f) => `--filter ${escapeControl(f)}`).join(" ")} (${size} rows in the store); nothing was labelled.`
        : `Every row of ${o.store} has a label; nothing was labelled. Use --filter to predict labelled rows too (e.g. --filter source=FILE).`);
      return;
    }
    const counts = Object.entries(result.counts).map(([l, n]) => `${escapeControl(l)} ${n}`).join(", ");
    console.log(`Labelled ${result.labelled} of ${size} rows in ${o.store} with ${o.model} (${counts}); saved generation ${generation}.`);
    const example = Object.entries(result.counts).find(([, n]) => n > 0)?.[0] ?? model.labels[0];
    status(`Search them: sentivec store search "TEXT" --store ${o.store} --filter predicted=${escapeControl(example)}`, quiet);
  });
}
