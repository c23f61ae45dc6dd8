// Preloaded with `node --import` by test/cli/lazy-modules.test.ts: records every module the process
// loads into the file named by $SENTIVEC_MODULE_LOG, one URL or path a line. ES modules are seen by
// the resolve hook (loader.mjs, which runs on its own thread); CommonJS ones, including those loaded with
// require() (which Node 20's hooks do not see), are read from the require cache as the process exits.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

register("./loader.mjs", import.meta.url);
const cache = createRequire(import.meta.url).cache;
process.on("exit", () => {
  appendFileSync(process.env.SENTIVEC_MODULE_LOG, Object.keys(cache).map((f) => `${f}\n`).join(""));
});
