import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level: the same value always gives the same text, however a
 * file's keys were ordered or indented. Used to checksum manifests: a JSON value read back from its
 * file re-serialises to exactly the text its writer hashed.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** sha256 (hex) of a manifest's canonical JSON without its own `checksum` field. */
export function manifestChecksum(manifest: object): string {
  const { checksum: _ignored, ...rest } = manifest as { checksum?: unknown };
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
}
