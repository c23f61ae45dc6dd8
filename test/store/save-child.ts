// Run as a child process by store-files.test.ts: saves generation after generation of a store into
// argv[2] until killed, so the parent can SIGKILL it at an arbitrary point mid-save.
import { VectorStore } from "../../src/store/vector-store.js";

const dir = process.argv[2];
const dims = 256;
const store = new VectorStore({ embedderId: "test:crash@256", dimensions: dims });
let gen = 0;
for (;;) {
  gen++;
  // Every generation has a distinctive size and first vector, so the parent can tell it is whole.
  const rows = 2000 + (gen % 7) * 500;
  while (store.size < rows) {
    const v = new Float32Array(dims);
    v[store.size % dims] = 1;
    v[(store.size * 7 + 3) % dims] += 0.5;
    store.add({ id: `id${store.size}`, vector: v, label: "x", metadata: { gen } });
  }
  while (store.size > rows) store.remove(`id${store.size - 1}`);
  const v0 = new Float32Array(dims);
  v0[gen % dims] = 1;
  store.upsert({ id: "id0", vector: v0, label: `gen${gen}`, metadata: { gen } });
  store.save(dir);
  process.stdout.write(`saved ${gen}\n`);
}
