import { createHash } from "node:crypto";

/** Hex sha256 of a string (UTF-8) or bytes. */
export function sha256Hex(input: string | Uint8Array): string {
  return createHash("sha256").update(input).digest("hex");
}
