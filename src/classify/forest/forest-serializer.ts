import { BundleError } from "../../errors.js";
import { crc32 } from "./crc32.js";
import { DecisionTree } from "./decision-tree.js";
import type { ForestParams } from "./forest-params.js";

/**
 * The sentivec forest file, version 1. All integers little-endian; every section starts 4-byte aligned.
 *
 *   "SVFOREST"                  8 bytes magic
 *   u32 version                 FORMAT_VERSION
 *   u32 metaLength              bytes of the JSON that follows (padded with spaces to a multiple of 4)
 *   JSON meta                   { params, nClasses, nFeatures, nTrees, oobScore }
 *   f32[nFeatures]              impurity-based feature importances
 *   per tree:
 *     u32 nodeCount, u32 leafCount
 *     i32[nodeCount] feature    (-1 = leaf)
 *     f32[nodeCount] threshold  (x <= threshold goes to node + 1, else to right)
 *     i32[nodeCount] right      (leaf: leaf index)
 *     f32[leafCount * nClasses] leaf class distributions
 *   u32 CRC-32 of everything before it
 *
 * The bytes depend only on the model, so the same data and seed give byte-identical files.
 */
export const FORMAT_VERSION = 1;
const MAGIC = "SVFOREST";
const HEADER = 16;

export interface ForestModel {
  params: ForestParams;
  nClasses: number;
  nFeatures: number;
  trees: DecisionTree[];
  featureImportances: Float64Array;
  oobScore: number | null;
}

interface Meta {
  params: ForestParams;
  nClasses: number;
  nFeatures: number;
  nTrees: number;
  oobScore: number | null;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function isSerializedForest(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

export function serializeForest(model: ForestModel): Uint8Array {
  if (!littleEndian) throw new BundleError("FOREST_ENDIAN", "Saving a forest needs a little-endian machine.");
  const meta: Meta = {
    params: model.params,
    nClasses: model.nClasses,
    nFeatures: model.nFeatures,
    nTrees: model.trees.length,
    oobScore: model.oobScore,
  };
  let json = JSON.stringify(meta);
  while (json.length % 4 !== 0) json += " ";
  const metaBytes = new TextEncoder().encode(json);

  let size = HEADER + metaBytes.length + 4 * model.nFeatures;
  for (const t of model.trees) size += 8 + 12 * t.nodeCount + 4 * t.leafValues.length;
  size += 4;

  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, HEADER);
  let at = HEADER + metaBytes.length;
  const put = (a: Int32Array | Float32Array): void => {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  };
  put(Float32Array.from(model.featureImportances));
  for (const t of model.trees) {
    view.setUint32(at, t.nodeCount, true);
    view.setUint32(at + 4, t.leafCount, true);
    at += 8;
    const { feature, threshold, right } = t.columns();
    put(feature);
    put(threshold);
    put(right);
    put(t.leafValues);
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

export function deserializeForest(input: Uint8Array): ForestModel {
  if (!isSerializedForest(input)) {
    throw corrupt("FOREST_BAD_MAGIC", 'it does not start with "SVFOREST" (not a sentivec forest)');
  }
  if (input.length < HEADER + 4) throw corrupt("FOREST_TRUNCATED", `it is only ${input.length} bytes long (truncated)`);
  // A private, aligned copy: typed-array views need 4-byte alignment and callers may reuse their buffer.
  const bytes = input.slice();
  const view = new DataView(bytes.buffer);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) {
    throw new BundleError("FOREST_VERSION", `The forest file has format version ${version}; this sentivec reads version ${FORMAT_VERSION}.`, {
      hint: "Upgrade sentivec, or train the model again with this version.",
    });
  }
  const end = bytes.length - 4;
  if (crc32(bytes.subarray(0, end)) !== view.getUint32(end, true)) {
    throw corrupt("FOREST_CHECKSUM", "its checksum does not match (the file is truncated or some bytes changed)");
  }
  if (!littleEndian) throw new BundleError("FOREST_ENDIAN", "Loading a forest needs a little-endian machine.");

  let at = HEADER;
  const need = (n: number, what: string): void => {
    if (at + n > end) throw corrupt("FOREST_TRUNCATED", `it ends inside ${what}`);
  };
  const metaLength = view.getUint32(12, true);
  need(metaLength, "the header");
  let meta: Meta;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(at, at + metaLength))) as Meta;
  } catch (cause) {
    throw corrupt("FOREST_CORRUPT", "its header is not valid JSON", cause);
  }
  at += metaLength;
  const { nClasses, nFeatures, nTrees } = meta;
  if (![nClasses, nFeatures, nTrees].every((v) => Number.isInteger(v) && v >= 1) || nClasses < 2 || !meta.params) {
    throw corrupt("FOREST_CORRUPT", "its header has impossible sizes");
  }
  const take = <T extends Int32Array | Float32Array>(Type: { new (b: ArrayBuffer, o: number, n: number): T }, n: number, what: string): T => {
    need(4 * n, what);
    const a = new Type(bytes.buffer, at, n);
    at += 4 * n;
    return a;
  };
  const importances = Float64Array.from(take(Float32Array, nFeatures, "the feature importances"));
  const trees: DecisionTree[] = [];
  for (let t = 0; t < nTrees; t++) {
    need(8, `tree ${t}`);
    const nodeCount = view.getUint32(at, true);
    const leafCount = view.getUint32(at + 4, true);
    at += 8;
    if (nodeCount < 1 || leafCount < 1 || leafCount > nodeCount) throw corrupt("FOREST_CORRUPT", `tree ${t} has impossible sizes`);
    const feature = take(Int32Array, nodeCount, `tree ${t}`);
    const threshold = take(Float32Array, nodeCount, `tree ${t}`);
    const right = take(Int32Array, nodeCount, `tree ${t}`);
    const leafValues = take(Float32Array, leafCount * nClasses, `tree ${t}`);
    checkTree(t, feature, right, leafCount, nFeatures);
    trees.push(DecisionTree.fromColumns(nClasses, feature, threshold, right, leafValues));
  }
  if (at !== end) throw corrupt("FOREST_CORRUPT", `it has ${end - at} unexpected bytes after the last tree`);
  return { params: meta.params, nClasses, nFeatures, trees, featureImportances: importances, oobScore: meta.oobScore ?? null };
}

/** Every child points forward and every index is in range, so prediction always reaches a leaf. */
function checkTree(t: number, feature: Int32Array, right: Int32Array, leafCount: number, nFeatures: number): void {
  const n = feature.length;
  for (let i = 0; i < n; i++) {
    const f = feature[i];
    const r = right[i];
    const ok = f === -1 ? r >= 0 && r < leafCount : f >= 0 && f < nFeatures && i + 1 < n && r > i + 1 && r < n;
    if (!ok) throw corrupt("FOREST_CORRUPT", `tree ${t} node ${i} points outside the tree`);
  }
}

function corrupt(code: string, why: string, cause?: unknown): BundleError {
  return new BundleError(code, `The forest file cannot be read: ${why}.`, { hint: "Train the model again (or restore the file).", cause });
}
