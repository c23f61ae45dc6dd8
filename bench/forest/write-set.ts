/**
 * Writes one synthetic set to a folder in the files run.ts gives scikit-learn (train/test .X.f32 and
 * .y.i32), so experiments outside run.ts (sklearn_binned.py, fit-child.ts) read exactly its numbers.
 *
 *   npx tsx bench/forest/write-set.ts 100000x512 /tmp/set100k [--seed 42]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeSyntheticSet } from "./synthetic-set.js";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: "string", default: "42" } } });
const [spec, dir] = positionals;
const match = /^(\d+)x(\d+)(?:c(\d+))?$/.exec(spec ?? "");
if (!match || dir === undefined) {
  console.error("usage: write-set.ts ROWSxDIMS[cCLASSES] DIR [--seed 42]");
  process.exit(2);
}
const set = makeSyntheticSet(Number(match[1]), Number(match[2]), Number(values.seed), Number(match[3] ?? 2));
mkdirSync(dir, { recursive: true });
for (const [name, X, y] of [["train", set.train, set.yTrain], ["test", set.test, set.yTest]] as const) {
  writeFileSync(join(dir, `${name}.X.f32`), new Uint8Array(X.data.buffer, X.data.byteOffset, X.data.byteLength));
  writeFileSync(join(dir, `${name}.y.i32`), new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
}
console.log(`${set.name}: ${dir}`);
