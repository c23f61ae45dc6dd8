import * as fs from "node:fs";
import { FileSystemError } from "../errors.js";

/**
 * Refuses to replace `file` when it holds JSON that some other program wrote (a web app's
 * manifest.json, another tool's model.json): saving a bundle or store into a folder that happens to
 * have one must not destroy it. A missing, unreadable or truncated file is ours to replace (a crash may
 * have left it so); so is one whose "format" is `format`.
 */
export function refuseForeignJson(file: string, format: string, what: string): void {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return;
  }
  if (typeof value === "object" && value !== null && (value as { format?: unknown }).format === format) return;
  throw new FileSystemError("FS_FOREIGN_FILE", `This file is not part of a sentivec ${what}, and saving here would replace it.`, {
    where: { file },
    hint: `Choose another folder for the ${what}; the file was left as it is.`,
  });
}
