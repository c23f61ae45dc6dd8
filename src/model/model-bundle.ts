import * as fs from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BundleError } from "../errors.js";
import type { EvaluationReport } from "../evaluate/evaluation-report.js";
import type { ClassifierKind } from "../classify/classifier-spec.js";
import type { CalibrationMethod } from "../classify/calibration/calibrated-classifier.js";
import type { ThresholdRecord } from "./fit-classifier.js";
import type { LabelScheme } from "../data/parse-label.js";
import { removeTempFiles, syncDirSync, writeFileAtomicSync } from "../util/atomic-file.js";
import { manifestChecksum } from "../util/canonical-json.js";
import { lockDir } from "../util/dir-lock.js";
import { faultPoint } from "../util/fault-hooks.js";
import { refuseForeignJson } from "../util/foreign-file.js";
import { fileSystemError } from "../util/fs-error.js";
import { ensureDir } from "../util/output-path.js";
import { sha256Hex } from "../util/sha256.js";

export const BUNDLE_FORMAT = "sentivec-model";
/**
 * 2: forest.<generation>.bin and a manifest checksum. 3: any classifier kind in that file (the
 * `classifier` entry), and the label scheme. Versions 1 (forest.bin, no checksum) and 2 still load.
 */
export const BUNDLE_FORMAT_VERSION = 3;
const READABLE_VERSIONS = [1, 2, 3];
const MANIFEST = "model.json";
/** forest.bin (format 1) or forest.<generation>.bin. */
const FOREST_FILE = /^forest(?:\.(\d+))?\.bin$/;

/** Everything a bundle records besides the forest's bytes. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  toolkitVersion: string;
  createdAt: string;
  /** Which save this is: the forest file is forest.<generation>.bin. */
  generation: number;
  /** The vector space; `server` says which OpenAI-compatible server made the vectors (see embedder-identity.ts). */
  embedder: { id: string; dimensions: number; server?: string };
  /** Class names; class i of the classifier is labels[i]. */
  labels: string[];
  /** How label values were read in training; absent in bundles before format 3 and for plain items. */
  labelScheme?: LabelScheme;
  /** What the classifier file holds; absent before format 3 (a forest then). */
  classifier?: {
    kind: ClassifierKind;
    /** Probability calibration fitted on out-of-fold scores (its parameters are in the classifier file). */
    calibration?: { method: CalibrationMethod; folds: number };
    /** Two classes: the second label is predicted when its probability is at least `value`. */
    threshold?: ThresholdRecord;
  };
  /** The classifier's bytes (named forest for compatibility: any classifier kind since format 3). */
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
  /**
   * sha256 of the rest of this manifest (canonical JSON): labels, embedder, forest file and checksum,
   * settings. An edit by hand (say, two labels swapped, which would invert every prediction) fails to load.
   */
  checksum: string;
}

/** What a caller gives writeBundle: the manifest minus what the save itself decides. */
export type BundleManifestInput = Omit<BundleManifest, "forest" | "generation" | "checksum"> & {
  forest: Omit<BundleManifest["forest"], "file" | "bytes" | "sha256">;
};

export interface WriteBundleOptions {
  /** How long to wait for another process saving to the same folder. Default: see lockDir. */
  lockTimeoutMs?: number;
  /** Called once if another process is saving to the folder and this one waits for it. */
  onWait?: () => void;
}

/**
 * Writes the bundle folder atomically as a whole, under the folder's lock.
 *
 * The new forest goes to a new file, forest.<generation>.bin, beside the old one; then model.json,
 * which names it, replaces the old model.json in one rename. That rename is the only switch: before it
 * the folder is the previous bundle (its model.json still names the old forest, which is untouched),
 * after it the new one. Every file is fsynced before its rename and the folder after, and old forest
 * files are deleted only after the switch. So a kill or a full disk at any moment leaves the last good
 * bundle loadable. (Swapping a whole new folder in instead would need two renames, with a moment where
 * no bundle exists at all, or a symlink the user never asked for.)
 * Temp files a killed save left behind are removed first; the lock makes that safe.
 */
export async function writeBundle(dir: string, manifest: BundleManifestInput, forest: Uint8Array, options: WriteBundleOptions = {}): Promise<BundleManifest> {
  ensureDir(dir, "model bundle");
  const lock = await lockDir(dir, { what: "model bundle", timeoutMs: options.lockTimeoutMs, onWait: options.onWait });
  let file: string | undefined;
  let switched = false;
  try {
    refuseForeignJson(join(dir, MANIFEST), BUNDLE_FORMAT, "model bundle");
    removeTempFiles(dir, /^(model\.json|forest(\.\d+)?\.bin)$/);
    const generation = nextGeneration(dir);
    file = `forest.${generation}.bin`;
    const { generation: _g, checksum: _c, ...input } = manifest as BundleManifestInput & Partial<Pick<BundleManifest, "generation" | "checksum">>;
    const sha256 = writeFileAtomicSync(join(dir, file), forest, "forest");
    const unsigned = { ...input, formatVersion: BUNDLE_FORMAT_VERSION, generation, forest: { ...input.forest, file, bytes: forest.byteLength, sha256 } };
    const full: BundleManifest = { ...unsigned, checksum: manifestChecksum(unsigned) };
    writeFileAtomicSync(join(dir, MANIFEST), JSON.stringify(full, null, 2) + "\n", "model.json");
    switched = true;
    faultPoint("bundle:switched", dir);
    removeOldForests(dir, file);
    return full;
  } catch (cause) {
    // Not switched: the old model.json still names the old forest; the new one is of no use.
    if (!switched && file) fs.rmSync(join(dir, file), { force: true });
    throw fileSystemError(cause, { action: "save the model bundle", path: dir, unchanged: "The bundle that was there before, if any, is unchanged." });
  } finally {
    lock.release();
  }
}

/** Reads and verifies a bundle: manifest shape, version and checksum, labels, forest size and checksum. */
export async function readBundle(dir: string): Promise<{ manifest: BundleManifest; forest: Uint8Array }> {
  const manifest = await readManifest(dir);
  faultPoint("bundle:manifest-read", dir);
  try {
    return { manifest, forest: await readForest(dir, manifest) };
  } catch (error) {
    // A save running meanwhile may have switched to a new generation and deleted the forest we were
    // about to read: if the manifest has moved on, read the new bundle instead.
    if (!(error instanceof BundleError && error.code === "BUNDLE_MISSING_FOREST")) throw error;
    const again = await readManifest(dir).catch(() => manifest);
    if (again.forest.file === manifest.forest.file) throw error;
    return { manifest: again, forest: await readForest(dir, again) };
  }
}

/** The checked manifest alone (no classifier bytes read): what a bundle records, cheaply. */
export async function readBundleManifest(dir: string): Promise<BundleManifest> {
  return readManifest(dir);
}

async function readManifest(dir: string): Promise<BundleManifest> {
  const manifestPath = join(dir, MANIFEST);
  let text: string;
  try {
    text = await readFile(manifestPath, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") {
      throw new BundleError("BUNDLE_MISSING", "This is a file, not a model bundle folder.", { where: { file: dir }, hint: "Point --model at a folder written by `sentivec train`.", cause });
    }
    throw new BundleError("BUNDLE_MISSING", code === "ENOENT" ? `No model bundle here (${MANIFEST} not found).` : `Cannot read ${MANIFEST}: ${(cause as Error).message}.`, {
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
  return manifest;
}

async function readForest(dir: string, manifest: BundleManifest): Promise<Uint8Array> {
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
  return forest;
}

function checkManifest(m: BundleManifest, file: string): void {
  const bad = (what: string) =>
    new BundleError("BUNDLE_CORRUPT", `The manifest is incomplete or malformed: ${what}.`, { where: { file }, hint: "Train the model again." });
  if (typeof m !== "object" || m === null || m.format !== BUNDLE_FORMAT) throw bad(`"format" is not "${BUNDLE_FORMAT}"`);
  if (!READABLE_VERSIONS.includes(m.formatVersion)) {
    throw new BundleError("BUNDLE_VERSION", `Bundle format version ${m.formatVersion} is not supported (this sentivec reads ${READABLE_VERSIONS.join(" and ")}).`, {
      where: { file },
      hint: "Upgrade sentivec or train the model again.",
    });
  }
  if (m.formatVersion >= 2) {
    if (typeof m.checksum !== "string") throw bad("the checksum is missing");
    if (manifestChecksum(m) !== m.checksum) {
      throw new BundleError("BUNDLE_EDITED", "The manifest was changed after it was saved: its content no longer matches its checksum (an edit of labels, embedder or forest entries would silently change predictions).", {
        where: { file },
        hint: "Undo the edit or train the model again.",
      });
    }
    if (!Number.isInteger(m.generation) || m.generation < 1) throw bad("generation missing");
  }
  if (typeof m.embedder?.id !== "string" || !Number.isInteger(m.embedder?.dimensions)) throw bad("embedder id/dimensions missing");
  if (m.embedder.server !== undefined && typeof m.embedder.server !== "string") throw bad("embedder server is not a string");
  if (!Array.isArray(m.labels) || m.labels.length < 2 || !m.labels.every((l) => typeof l === "string")) throw bad("labels missing");
  const twice = m.labels.find((l, i) => m.labels.indexOf(l) !== i);
  if (twice !== undefined) throw bad(`label ${JSON.stringify(twice)} is listed twice in "labels"`);
  if (typeof m.forest?.file !== "string" || typeof m.forest?.sha256 !== "string" || !Number.isInteger(m.forest?.bytes)) throw bad("forest entry missing");
  if (!FOREST_FILE.test(m.forest.file)) throw bad("forest file name");
  if (typeof m.dataset?.fingerprint !== "string") throw bad("dataset fingerprint missing");
  const t = m.classifier?.threshold;
  if (t !== undefined && !(typeof t.value === "number" && t.value >= 0 && t.value <= 1 && m.labels.length === 2)) throw bad("the decision threshold is not a probability of a two-class model");
}

/** One past the highest generation any forest file or the manifest mentions: a save never overwrites a file in use. */
function nextGeneration(dir: string): number {
  let max = 0;
  for (const name of fs.readdirSync(dir)) {
    const g = FOREST_FILE.exec(name);
    if (g?.[1] !== undefined) max = Math.max(max, Number(g[1]));
  }
  try {
    const m = JSON.parse(fs.readFileSync(join(dir, MANIFEST), "utf8")) as Partial<BundleManifest>;
    if (Number.isInteger(m.generation)) max = Math.max(max, m.generation as number);
  } catch {
    // no manifest or an unreadable one: the file scan is enough
  }
  return max + 1;
}

/** After the switch: forest files the new manifest does not name (older saves, or a killed save's). */
function removeOldForests(dir: string, keep: string): void {
  try {
    let removed = false;
    for (const name of fs.readdirSync(dir)) {
      if (name !== keep && FOREST_FILE.test(name)) {
        fs.rmSync(join(dir, name), { force: true });
        removed = true;
      }
    }
    if (removed) syncDirSync(dir);
  } catch {
    // The new bundle is already in place; a leftover old forest is removed by the next save.
  }
}
