import { join } from "node:path";
import type { Dataset } from "../../src/data/labeled-text.js";
import { loadDataset } from "../../src/data/load-dataset.js";

/**
 * The data sets the glove-features benches write features for: UCI Amazon + Yelp and the SST-2 training
 * phrases, and SST-2 dev only when asked (dump-features writes it; nothing in these benches scores it).
 */
export async function loadTuningSets(options: { dev?: boolean } = {}): Promise<Record<string, Dataset>> {
  const U = join("datasets", "uci-sentiment-labelled-sentences");
  return {
    uci: await loadDataset([join(U, "amazon_cells_labelled.txt"), join(U, "yelp_labelled.txt")]),
    sst2train: await loadDataset(join("datasets", "sst2", "train_full.tsv")),
    ...(options.dev ? { sst2dev: await loadDataset(join("datasets", "sst2", "dev.tsv")) } : {}),
  };
}
