// Child process for predict-threads.test.ts: a prediction whose worker threads are made to die holding a
// block (through the test-only SENTIVEC_TEST_TREE_WORKER_FAULT), then one without the fault in the same
// pool. Prints one JSON line per step. Run in a child so a prediction that hangs is killed by a timeout.
import { RandomForestClassifier } from "../../../src/classify/forest/random-forest-classifier.js";
import { treeWorkerPool } from "../../../src/classify/forest/tree-worker-pool.js";
import { noisyData } from "./forest-fixtures.js";

const fault = process.argv[2];
const train = noisyData(400, 128, 31);
const test = noisyData(3000, 128, 32);
const bytes = new RandomForestClassifier({ nEstimators: 100, seed: 4 }).fit(train.X, train.y).serialize();
const hex = (p: Float64Array[]) => p.map((row) => Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString("hex")).join("");
const reference = hex(RandomForestClassifier.deserialize(bytes).predictProba(test.X));

process.env.SENTIVEC_TEST_TREE_WORKER_FAULT = fault;
const faulty = hex(RandomForestClassifier.deserialize(bytes, { nJobs: 3 }).predictProba(test.X));
// Both workers died (or failed) holding a block and were let go: none is left in the pool.
const workersLeft = (treeWorkerPool as unknown as { workers: unknown[] }).workers.length;
console.log(JSON.stringify({ step: "faulty", same: faulty === reference, workersLeft }));
delete process.env.SENTIVEC_TEST_TREE_WORKER_FAULT;
console.log(JSON.stringify({ step: "after", same: hex(RandomForestClassifier.deserialize(bytes, { nJobs: 3 }).predictProba(test.X)) === reference }));
await treeWorkerPool.close();
