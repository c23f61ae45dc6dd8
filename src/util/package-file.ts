/**
 * A file of sentivec's own code, from V8's call-site API: this module's file (dist/util/package-file.js,
 * src/util/package-file.ts under vitest or tsx), or the CLI bundle that holds a copy of it
 * (dist/cli/main.js, see scripts/bundle-cli.mjs). Any of them lies inside the package, which is all its
 * callers need: where to resolve dependencies from, where to look for package.json.
 *
 * For ES modules, where neither `__dirname` nor `require` exists and `import.meta` cannot be written
 * (tslab compiles notebook-loaded files to CommonJS, where it is a syntax error). No file name is
 * matched, so the bundle and paths with spaces work alike.
 */
export function packageFile(): string {
  const saved = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, stack) => stack;
    const stack = new Error().stack as unknown as NodeJS.CallSite[];
    const file = stack.map((s) => s.getFileName()).find((f) => f !== undefined && f !== null);
    if (!file) throw new Error("sentivec: cannot locate its own module file (no file location in the stack trace).");
    return file;
  } finally {
    Error.prepareStackTrace = saved;
  }
}
