import type { CollectionLocation } from "../store/collection/collection-location.js";
import { formatCollectionLocation } from "../store/collection/collection-location.js";
import { openCollection } from "../store/collection/open-collection.js";
import type { LanceCollection } from "../store/lance/lance-collection.js";
import { SEARCH_PROBE_FRACTION, SEARCH_REFINE_FACTOR } from "../store/lance/lance-index.js";
import { lockDir } from "../util/dir-lock.js";
import { printJson, status } from "./cli-output.js";

/**
 * `store index --store lance:DIR`: LanceDB's own vector index (IVF_PQ) over the table, in place of the
 * in-memory store's HNSW file. Built under the store's lock: the index is committed as a new table
 * version, and a `store add` waiting meanwhile appends after it (its rows are searched exactly until
 * the next `store index`; they are never missed).
 */
export async function indexLanceStore(location: CollectionLocation, o: { json?: boolean; quiet?: boolean }): Promise<void> {
  const quiet = o.json === true || o.quiet === true;
  const name = formatCollectionLocation(location);
  const target = (await openCollection(location)) as LanceCollection;
  try {
    const lock = await lockDir(location.dir, { what: "vector store", onWait: () => status(`Waiting for another sentivec process that is writing ${name}...`, false) });
    let report: Awaited<ReturnType<LanceCollection["buildIndex"]>>;
    try {
      status(`Building LanceDB's vector index over ${name}...`, quiet);
      report = await target.buildIndex();
    } finally {
      lock.release();
    }
    if (o.json) {
      printJson({ store: name, ...report });
      return;
    }
    if (!report.built) console.log(`No index built for ${name}: ${report.reason}.`);
    else {
      const probed = SEARCH_PROBE_FRACTION >= 1 ? "all of them" : `${Math.round(SEARCH_PROBE_FRACTION * 100)}% of them`;
      console.log(`Indexed ${report.rows} rows of ${name} in ${report.seconds!.toFixed(1)} s: LanceDB ${report.indexType}, ${report.partitions} partitions, ` +
        `${report.subVectors ?? "default"}-byte codes; searches probe ${probed} and re-rank ${SEARCH_REFINE_FACTOR}× the hits exactly (store search --exact scans every row).`);
    }
  } finally {
    target.close();
  }
}
