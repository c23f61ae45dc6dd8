import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BundleError } from "../errors.js";
import type { EvaluationReport } from "../evaluate/evaluation-report.js";
import { sha256Hex } from "../util/sha256.js";

export const BUNDLE_FORMAT = "sentivec-model";
export const BUNDLE_FORMAT_VERSION = 1;
const MANIFEST = "model.json";
const FOREST = "forest.bin";

/** Everything a bundle records besides the forest's bytes. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  toolkitVersion: string;
  createdAt: string;
  /** The vector space; `server` says which OpenAI-compatible server made the vectors (see embedder-identity.ts). */
  embedder: { id: string; dimensions: number; server?: string };
  /** Class names; class i of the forest is labels[i]. */
  labels: string[];
  forest: { engine: string; file: string; bytes: number; sha256: string; params: Record<string, unknown> };
  training: {
    seed: number;
    testSize: number;
    trainRows: number;
    testRows: number;
  };
  /** Test-set evaluation of this model, null when trained without a test split. */
  metrics: EvaluationReport | null;
  dataset: { files: string[]; fingerprint: string; rows: number };
}

/**
 * Writes the bundle folder: forest bytes and a manifest holding their size and sha256. Each file is
 * written beside its final name and renamed into place, manifest last, so a crash mid-save never
 * leaves a manifest pointing at a half-written forest.
 */
export async function writeBundle(dir: string, manifest: Omit<BundleManifest, "forest"> & { forest: Omit<BundleManifest["forest"], "file" | "bytes" | "sha256"> }, forest: Uint8Array): Promise<BundleManifest> {
  await mkdir(dir, { recursive: true });
  const full: BundleManifest = { ...manifest, forest: { ...manifest.forest, file: FOREST, bytes: forest.byteLength, sha256: sha256Hex(forest) } };
  await atomicWrite(join(dir, FOREST), forest);
  await atomicWrite(join(dir, MANIFEST), JSON.stringify(full, null, 2) + "\n");
  return full;
}

async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Reads and verifies a bundle: manifest shape and version, forest size and checksum. */
export async function readBundle(dir: string): Promise<{ manifest: BundleManifest; forest: Uint8Array }> {
  const manifestPath = join(dir, MANIFEST);
  let text: string;
  try {
    text = await readFile(manifestPath, "utf8");
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    throw new BundleError("BUNDLE_MISSING", missing ? `No model bundle here (${MANIFEST} not found).` : `Cannot read ${MANIFEST}: ${(cause as Error).message}.`, {
      where: { file: manifestPath },
      hint: "Point --model at a folder written by `sentivec train`.",
      cause,
    });
  }
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(text);
  } catch (cause) {
    throw new BundleError("BUNDLE_CORRUPT", `The manifest is not valid JSON (truncated or corrupt): ${(cause as Error).message}.`, {
      where: { file: manifestPath },
      hint: "Train the model again.",
    });
  }
  checkManifest(manifest, manifestPath);
  const forestPath = join(dir, manifest.forest.file);
  let forest: Uint8Array;
  try {
    forest = new Uint8Array(await readFile(forestPath));
  } catch (cause) {
    throw new BundleError("BUNDLE_MISSING_FOREST", "The forest file is missing.", { where: { file: forestPath }, hint: "Train the model again.", cause });
  }
  if (forest.byteLength !== manifest.forest.bytes) {
    throw new BundleError("BUNDLE_TRUNCATED", `The forest file has ${forest.byteLength} bytes but the manifest says ${manifest.forest.bytes} (truncated or replaced).`, {
      where: { file: forestPath },
      hint: "Train the model again.",
    });
  }
  if (sha256Hex(forest) !== manifest.forest.sha256) {
    throw new BundleError("BUNDLE_CHECKSUM", "The forest file's sha256 does not match the manifest (corrupt or modified).", {
      where: { file: forestPath },
      hint: "Train the model again.",
    });
  }
  return { manifest, forest };
}

function checkManifest(m: BundleManifest, file: string): void {
  const bad = (what: string) =>
    new BundleError("BUNDLE_CORRUPT", `The manifest is incomplete or malformed: ${what}.`, { where: { file }, hint: "Train the model again." });
  if (typeof m !== "object" || m === null || m.format !== BUNDLE_FORMAT) throw bad(`"format" is not "${BUNDLE_FORMAT}"`);
  if (m.formatVersion !== BUNDLE_FORMAT_VERSION) {
    throw new BundleError("BUNDLE_VERSION", `Bundle format version ${m.formatVersion} is not supported (this sentivec reads ${BUNDLE_FORMAT_VERSION}).`, {
      where: { file },
      hint: "Upgrade sentivec or train the model again.",
    });
  }
  if (typeof m.embedder?.id !== "string" || !Number.isInteger(m.embedder?.dimensions)) throw bad("embedder id/dimensions missing");
  if (m.embedder.server !== undefined && typeof m.embedder.server !== "string") throw bad("embedder server is not a string");
  if (!Array.isArray(m.labels) || m.labels.length < 2 || !m.labels.every((l) => typeof l === "string")) throw bad("labels missing");
  if (typeof m.forest?.file !== "string" || typeof m.forest?.sha256 !== "string" || !Number.isInteger(m.forest?.bytes)) throw bad("forest entry missing");
  if (m.forest.file.includes("/") || m.forest.file.includes("\\") || m.forest.file.startsWith(".")) throw bad("forest file name");
  if (typeof m.dataset?.fingerprint !== "string") throw bad("dataset fingerprint missing");
}
