import { readFileSync } from "node:fs";
import { HashEmbedder } from "../../src/embed/hash-embedder.js";
import type { BenchSet } from "./bench-set.js";

/**
 * SST-2 as offline-embedder vectors: the first `rows` train phrases (datasets/sst2/train_full.tsv)
 * for training, the dev set (datasets/sst2/dev.tsv) for testing.
 */
export async function loadSst2Set(rows: number, dimensions: number): Promise<BenchSet> {
  const train = readTsv("datasets/sst2/train_full.tsv").slice(0, rows);
  const dev = readTsv("datasets/sst2/dev.tsv");
  const embedder = new HashEmbedder({ dimensions });
  const embed = async (items: { text: string; label: number }[]) => {
    const vectors = await embedder.embed(items.map((x) => x.text));
    const data = new Float32Array(items.length * dimensions);
    vectors.forEach((v, i) => data.set(v, i * dimensions));
    return { X: { rows: items.length, cols: dimensions, data }, y: Int32Array.from(items, (x) => x.label) };
  };
  const tr = await embed(train);
  const te = await embed(dev);
  return { name: `SST-2 ${embedder.id}`, train: tr.X, yTrain: tr.y, test: te.X, yTest: te.y };
}

function readTsv(path: string): { text: string; label: number }[] {
  const out: { text: string; label: number }[] = [];
  const lines = readFileSync(path, "utf8").split("\n");
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const tab = line.lastIndexOf("\t");
    out.push({ text: line.slice(0, tab).trim(), label: Number(line.slice(tab + 1)) });
  }
  return out;
}
