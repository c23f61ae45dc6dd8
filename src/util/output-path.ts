import * as fs from "node:fs";
import * as path from "node:path";
import { FileSystemError } from "../errors.js";
import { fileSystemError } from "./fs-error.js";

/**
 * Checks, before any long work, that `dir` can become an output folder: it is a folder or does not
 * exist yet, and the nearest existing folder above it is writable. Creates nothing. So `train --out`
 * naming a file, or a read-only place, fails in a second instead of after training.
 */
export function checkOutputDir(dir: string, what: string, option: string): void {
  const stat = statOrUndefined(dir);
  if (stat && !stat.isDirectory()) {
    throw new FileSystemError("FS_NOT_A_FOLDER", `${option} names an existing file, but the ${what} is a folder.`, {
      where: { file: dir },
      hint: `Give ${option} a folder path (new or one written before); the file was left as it is.`,
    });
  }
  checkWritable(stat ? dir : nearestExisting(dir), `write the ${what}`, dir);
}

/** The same for an output file: not a folder, and its folder (or the nearest existing one above) is writable. */
export function checkOutputFile(file: string, what: string, option: string): void {
  const stat = statOrUndefined(file);
  if (stat?.isDirectory()) {
    throw new FileSystemError("FS_IS_A_FOLDER", `${option} names a folder, but the ${what} is a file.`, {
      where: { file },
      hint: `Give ${option} a file path such as ${path.join(file, "out.jsonl")}.`,
    });
  }
  // An existing device or pipe (/dev/stdout, a fifo) is written in place; only its own permissions matter.
  if (stat && !stat.isFile()) return checkWritable(file, `write the ${what}`, file);
  checkWritable(nearestExisting(path.dirname(path.resolve(file))), `write the ${what}`, file);
}

/** mkdir -p, with one clear line when the path or one of its parents is a file, or is not writable. */
export function ensureDir(dir: string, what: string): void {
  const stat = statOrUndefined(dir);
  if (stat?.isDirectory()) return;
  if (stat) {
    throw new FileSystemError("FS_NOT_A_FOLDER", `This path is an existing file, but the ${what} is a folder.`, {
      where: { file: dir },
      hint: "Choose a folder path (new or one written before); the file was left as it is.",
    });
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (cause) {
    throw fileSystemError(cause, { action: `create the ${what} folder`, path: dir });
  }
}

function checkWritable(existing: string, action: string, target: string): void {
  try {
    const stat = fs.statSync(existing);
    if (!stat.isDirectory() && existing !== target) {
      throw Object.assign(new Error(`ENOTDIR: not a directory, '${existing}'`), { code: "ENOTDIR", path: existing });
    }
    fs.accessSync(existing, fs.constants.W_OK);
  } catch (cause) {
    throw fileSystemError(cause, { action, path: target });
  }
}

/** The path itself or its nearest ancestor that exists (a file there makes the path impossible: caught by checkWritable). */
function nearestExisting(p: string): string {
  let cur = path.resolve(p);
  while (!fs.existsSync(cur)) {
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return cur;
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ENOTDIR") return undefined; // a parent is a file: nearestExisting finds it
    throw fileSystemError(error, { action: "look at the path", path: p });
  }
}
