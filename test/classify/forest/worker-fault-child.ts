// Child process for worker-death.test.ts: a fit whose tree workers are made to die (or not start) through
// the test-only SENTIVEC_TEST_TREE_WORKER_FAULT, then a fit without the fault in the same pool.
// Prints one JSON line per step. Run in a child so a fit that hangs (the old behaviour) is killed by a timeout.
import { SentivecError } from "../../../src/errors.js";
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import { treeWorkerPool } from "../../../src/classify/forest/tree-worker-pool.js";
import { noisyData } from "./forest-fixtures.js";

const fault = process.argv[2];
const { X, y } = noisyData(300, 16, 3);
const options = { nEstimators: 24, seed: 9 };
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const reference = hex(new RandomForestClassifier({ ...options, nJobs: 1 }).fit(X, y).serialize());

process.env.SENTIVEC_TEST_TREE_WORKER_FAULT = fault;
try {
  const bytes = hex(new RandomForestClassifier({ ...options, nJobs: 3 }).fit(X, y).serialize());
  console.log(JSON.stringify({ step: "faulty", ok: true, same: bytes === reference }));
} catch (error) {
  const e = error as SentivecError;
  console.log(JSON.stringify({ step: "faulty", ok: false, type: e.constructor.name, code: e.code, message: e.message }));
}
delete process.env.SENTIVEC_TEST_TREE_WORKER_FAULT;
for (const nJobs of [3, 2, 4]) {
  const bytes = hex(new RandomForestClassifier({ ...options, nJobs }).fit(X, y).serialize());
  console.log(JSON.stringify({ step: "after", nJobs, same: bytes === reference }));
}
await treeWorkerPool.close();
