// Preloaded into the measured CLI process (node --require): at exit, writes the process's peak resident
// set size (kernel maxrss) and V8's heap figures to the file named by SENTIVEC_BENCH_PEAK_FILE.
const { writeFileSync } = require("node:fs");
const v8 = require("node:v8");
process.on("exit", () => {
  const heap = v8.getHeapStatistics();
  writeFileSync(
    process.env.SENTIVEC_BENCH_PEAK_FILE,
    JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, heapLimitBytes: heap.heap_size_limit, peakMallocedBytes: heap.peak_malloced_memory }),
  );
});
