import { createRequire } from "node:module";
import { packageFile } from "./package-file.js";

/**
 * Loads a CommonJS dependency synchronously at its first use, so that a command which never uses it
 * (an offline `predict`) never pays for loading it. Heavy libraries whose callers are synchronous
 * (better-sqlite3 behind the cache and the folder lock, js-tiktoken, papaparse, ml-random-forest) are
 * loaded this way; ones used from async code are loaded with `await import()` instead.
 *
 * Resolution must start from this package's own files, whatever folder the program runs in. In the
 * CommonJS build tslab makes of src/ for notebooks, `require` is that module's own. In ESM (dist/,
 * vitest) there is no `require`, and `import.meta` cannot be written in a file tslab compiles to
 * CommonJS, so resolution starts from packageFile() instead. In the CLI bundle, `require` is the
 * bundle's own (scripts/bundle-cli.mjs).
 */
export function requireModule<T>(name: string): T {
  return (ownRequire ??= makeRequire())(name) as T;
}

let ownRequire: NodeJS.Require | undefined;

function makeRequire(): NodeJS.Require {
  if (typeof require === "function") return require;
  return createRequire(packageFile());
}
