/**
 * Memory side of the forest benchmark: one sentivec fit in a process of its own, so its peak RSS is the
 * fit's and nothing else's (run.ts measures scikit-learn's in its own process in the same way).
 *
 *   node --import tsx bench/forest/fit-child.ts <dir> <cols> <trees> <seed> <nJobs> ['{"maxBins":4096,"exactFrom":2000}']
 *
 * Reads the float32/int32 files run.ts wrote; prints one JSON line: RSS at start, after loading, peak.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { createClassifier } from "../../src/classify/forest/create-classifier.js";

const [dir, cols, trees, seed, nJobs, options] = process.argv.slice(2);
const baseRss = process.memoryUsage.rss();
/** The file read straight into a fresh (aligned) buffer: no second copy to inflate the peak. */
const read = (name: string): Uint8Array => {
  const fd = openSync(join(dir, name), "r");
  const out = new Uint8Array(fstatSync(fd).size);
  for (let at = 0; at < out.length; ) at += readSync(fd, out, at, out.length - at, at);
  closeSync(fd);
  return out;
};
const xBytes = read("train.X.f32");
const yBytes = read("train.y.i32");
const data = new Float32Array(xBytes.buffer);
const y = new Int32Array(yBytes.buffer);
const d = Number(cols);
const loadedRss = process.memoryUsage.rss();
// Further sentivec options (maxBins, exactFrom) as JSON, as run.ts passes them.
const extra = options === undefined ? {} : (JSON.parse(options) as Record<string, number | undefined>);
const model = createClassifier({ ...extra, nEstimators: Number(trees), seed: Number(seed), nJobs: Number(nJobs), maxFeatures: "sqrt" });
const t0 = performance.now();
model.fit({ rows: y.length, cols: d, data }, y);
const fitS = (performance.now() - t0) / 1000;
// The peak is this process's own high-water mark (VmHWM), not getrusage's maxRSS: Linux carries maxRSS
// over from the parent's memory at spawn, so a child of a big benchmark process reported the parent's peak.
const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
const peakRss = hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
const cpu = process.cpuUsage();
console.log(JSON.stringify({ fitS, fitCpuS: (cpu.user + cpu.system) / 1e6, baseRss, loadedRss, peakRss }));
