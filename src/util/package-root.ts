import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageFile } from "./package-file.js";

/**
 * The folder of sentivec's own package.json, for files that ship beside the code (the offline
 * embedder's word table). Found from this module's own location, so it works from dist/ (ESM), from
 * src/ under vitest or tsx, from a tslab notebook (CommonJS), and when sentivec is installed in
 * another project's node_modules — whatever the current directory is.
 *
 * `import.meta.url` would be the plain way, but tslab compiles notebook-loaded modules to CommonJS,
 * where `import.meta` is a syntax error; there `__dirname` exists instead. In ESM `__dirname` is
 * absent, and the search starts from packageFile().
 */
export function packageRoot(): string {
  let dir = moduleDir();
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && isSentivec(manifest)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`sentivec's package.json was not found above ${moduleDir()}`);
    dir = parent;
  }
}

function moduleDir(): string {
  if (typeof __dirname === "string") return __dirname;
  const file = packageFile();
  return dirname(file.startsWith("file:") ? fileURLToPath(file) : file);
}

function isSentivec(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "sentivec";
  } catch {
    return false;
  }
}
