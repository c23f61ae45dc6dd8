/**
 * Grows one CART tree on pre-binned features. This is the hot loop of the forest.
 *
 * The same code runs on the main thread and inside worker threads. Workers receive it as source text
 * (`fn.toString()` of the functions in TREE_BUILDER_FUNCTIONS), because a worker file cannot be located
 * without `import.meta` (which tslab's CommonJS build forbids). So every function in this module must be
 * self-contained: no imports, no module-level values, only globals and calls to the other functions
 * listed at the bottom. (Type-only imports are fine: they vanish on compilation.)
 */

// The imbalance options' sampling (its functions also go to workers as source, in TREE_BUILDER_FUNCTIONS).
import { drawBalancedBootstrap, subsampleClassWeights } from "./bootstrap-sample.js";

/** The only randomness a tree needs; `Random` from util/random.ts provides it. */
export interface TreeRandom {
  int(n: number): number;
}

/** The training set, binned once and shared by every tree (and every worker, via SharedArrayBuffer). */
export interface TreeBuildData {
  /** Bin codes, row-major: feature f of sample i at `i * nFeatures + f` (16-bit above 256 bins). */
  codes: Uint8Array | Uint16Array;
  /** Every code is below this (the most bins any feature has). */
  nBins: number;
  nSamples: number;
  nFeatures: number;
  nClasses: number;
  /** Class index per sample. */
  y: Int32Array;
  /** Multiplier per class (all 1, or "balanced" weights). */
  classWeight: Float64Array;
  /**
   * The raw float32 features, row-major like `codes` (a SharedArrayBuffer when workers read them).
   * Needed only when `exactFrom` > 0: large nodes then split on these values instead of the bins.
   */
  values?: Float32Array;
  /**
   * The same raw values as the caller's own rows, read where they are, instead of `values`: for fits
   * grown on the calling thread only (workers cannot read them), so rows given as a list need no copy.
   */
  valueRows?: readonly ArrayLike<number>[];
}

export interface TreeBuildParams {
  /** Features drawn per split (more are drawn while no valid split has been found). */
  maxFeatures: number;
  /** Deepest level a split may happen at; Infinity for unlimited. */
  maxDepth: number;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  criterion: "gini" | "entropy";
  /** true: a bootstrap sample; "balanced": a balanced bootstrap (bootstrap-sample.ts); false: every row once. */
  bootstrap: boolean | "balanced";
  /** "balanced_subsample": class weights from this tree's own sample (bootstrap-sample.ts). */
  subsampleClassWeights?: boolean;
  /** Derive the larger child's histograms from its parent's (where that pays; see growTree). Default true. */
  histogramSubtraction?: boolean;
  /** Build a large node's histograms for a batch of drawn features in one pass over its rows (see growTree). Default true. */
  batchHistograms?: boolean;
  /**
   * Nodes with at least this many in-bag rows search exact thresholds between the raw values of
   * `data.values`, as scikit-learn does at every node, instead of between bins (0: never). See growTree.
   */
  exactFrom?: number;
  /** Exact nodes only above this depth (the root is depth 0). Default 6; see growTree. */
  exactDepth?: number;
}

/**
 * A tree in preorder: the left child of internal node i is i + 1, so only the right child is stored.
 * Thresholds are bin codes here; `DecisionTree` turns them into raw feature values.
 */
export interface GrownTree {
  nodeCount: number;
  /** Feature tested at each node; -1 marks a leaf. */
  feature: Int32Array;
  /** Samples with `code <= thresholdBin` go left. */
  thresholdBin: Int32Array;
  /**
   * The lowest occupied bin on the right (> thresholdBin): bins in between held none of the node's
   * samples, so the raw threshold can sit anywhere in that gap; `DecisionTree` puts it midway, as
   * scikit-learn puts its thresholds midway between the neighbouring values.
   */
  nextBin: Int32Array;
  /** Internal node: index of the right child. Leaf: index into leafValues (in units of nClasses). */
  right: Int32Array;
  /** Raw threshold of a node split exactly (rows with `value <= it` go left; see exactFrom); NaN elsewhere. */
  exactThreshold: Float64Array;
  leafCount: number;
  /** leafCount × nClasses class distributions (weighted, normalised to sum 1). */
  leafValues: Float64Array;
  /** Per feature: weighted impurity decrease summed over the tree's splits, divided by the root weight. */
  importances: Float64Array;
}

/** Bootstrap sample as per-sample draw counts (weights), so no rows are copied. */
export function drawBootstrap(rng: TreeRandom, nSamples: number, counts: Int32Array): void {
  counts.fill(0);
  for (let t = 0; t < nSamples; t++) counts[rng.int(nSamples)]++;
}

/** Gini or entropy (bits) of a weighted class distribution. */
export function nodeImpurity(totals: Float64Array, offset: number, nClasses: number, weight: number, entropy: boolean): number {
  let s = 0;
  if (entropy) {
    for (let k = 0; k < nClasses; k++) {
      const p = totals[offset + k] / weight;
      if (p > 0) s -= p * Math.log2(p);
    }
    return s;
  }
  for (let k = 0; k < nClasses; k++) {
    const p = totals[offset + k] / weight;
    s += p * p;
  }
  return 1 - s;
}

/** A float32 m with a <= m < b, as close to the middle as float32 allows (a < b, both float32). */
export function splitMidpoint(a: number, b: number): number {
  const m = Math.fround(a / 2 + b / 2);
  return m >= b ? a : m;
}

/**
 * The score a split maximises, from the left child's class weights (the right's are totals − left):
 * Σl²/wL + Σr²/wR for Gini (scikit-learn's proxy: maximising it minimises the children's weighted Gini),
 * or Σ xlogx of the class weights minus xlogx of the children's weights for entropy (maximising it
 * minimises wL·H(L) + wR·H(R)).
 */
export function splitScore(left: Float64Array, totals: Float64Array, K: number, leftW: number, rightW: number, entropy: boolean): number {
  if (entropy) {
    let score = 0;
    for (let k = 0; k < K; k++) score += xlogx(left[k]) + xlogx(totals[k] - left[k]);
    return score - (xlogx(leftW) + xlogx(rightW));
  }
  let sl = 0;
  let sr = 0;
  for (let k = 0; k < K; k++) {
    const a = left[k];
    const r = totals[k] - a;
    sl += a * a;
    sr += r * r;
  }
  return sl / leftW + sr / rightW;
}

/** Sorts a[0, n) ascending: by insertion for up to 32 values (cheaper than the native sort's set-up), else natively. */
export function sortPrefix(a: Int32Array | Float64Array, n: number): void {
  if (n > 32) {
    a.subarray(0, n).sort();
    return;
  }
  for (let u = 1; u < n; u++) {
    const x = a[u];
    let v = u - 1;
    while (v >= 0 && a[v] > x) {
      a[v + 1] = a[v];
      v--;
    }
    a[v + 1] = x;
  }
}

/**
 * Orders positions 0..n-1 by their float32 values (given as bits), ties by position, -0 just below +0:
 * an LSD radix sort of the values' bits made order-preserving (stable passes of 8 bits; a pass whose
 * byte is the same for every value is skipped). Zeros are set aside first and only the other values
 * sorted: sparse features (hashed n-grams) are mostly zeros, and sorting them was most of an exact
 * node's cost. Returns the array holding the sorted positions (`pos` or `posTemp`). Linear in n: a
 * comparison sort of (value, position) keys made exact nodes 4x the cost of a binned fit on SST-2.
 */
export function radixOrder(bits: Uint32Array, n: number, keys: Uint32Array, keysTemp: Uint32Array, pos: Int32Array, posTemp: Int32Array, counts: Int32Array): Int32Array {
  counts.fill(0, 0, 1024);
  // Non-zero values' keys and positions to keys/pos (m of them); zeros are only counted here and placed
  // after the sort, in position order.
  let m = 0;
  let negZeros = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    if ((b & 0x7fffffff) === 0) {
      if (b !== 0) negZeros++;
      zeros++;
      continue;
    }
    // Flipped bits order as the floats do (negatives reversed, below the positives).
    const k = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    keys[m] = k;
    pos[m] = i;
    m++;
    counts[k & 0xff]++;
    counts[256 + ((k >>> 8) & 0xff)]++;
    counts[512 + ((k >>> 16) & 0xff)]++;
    counts[768 + (k >>> 24)]++;
  }
  let k0 = keys;
  let k1 = keysTemp;
  let p0 = pos;
  let p1 = posTemp;
  for (let pass = 0; pass < 4 && m > 1; pass++) {
    const base = pass * 256;
    const shift = pass * 8;
    let skip = false;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = counts[base + d];
      if (c === m) skip = true;
      counts[base + d] = sum;
      sum += c;
    }
    if (skip) continue;
    for (let i = 0; i < m; i++) {
      const k = k0[i];
      const at = counts[base + ((k >>> shift) & 0xff)]++;
      k1[at] = k;
      p1[at] = p0[i];
    }
    const tk = k0;
    k0 = k1;
    k1 = tk;
    const tp = p0;
    p0 = p1;
    p1 = tp;
  }
  if (zeros === 0) return p0;
  // The negatives (keys below +0's 0x80000000), then -0s, then +0s, then the positives, into p1.
  let negatives = 0;
  while (negatives < m && k0[negatives] < 0x80000000) negatives++;
  const at = negatives + zeros;
  for (let u = m - 1; u >= negatives; u--) p1[at + u - negatives] = p0[u];
  let neg = negatives;
  let pos0 = negatives + negZeros;
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    if ((b & 0x7fffffff) !== 0) continue;
    if (b !== 0) p1[neg++] = i;
    else p1[pos0++] = i;
  }
  for (let u = 0; u < negatives; u++) p1[u] = p0[u];
  return p1;
}

/** x·ln(x) with 0·ln(0) = 0, for the entropy split score. */
export function xlogx(x: number): number {
  return x > 0 ? x * Math.log(x) : 0;
}

/**
 * Working arrays a thread keeps from one tree to the next (pass the same object to every growTree call of
 * one fit on one thread): a tree on 100k rows needs ~5 MB of them, and allocating them afresh per tree
 * leaves that much garbage per tree until the next collection, which shows in the fit's peak memory.
 */
export type TreeScratch = Record<string, Int32Array | Float64Array>;

export function growTree(data: TreeBuildData, params: TreeBuildParams, rng: TreeRandom, scratch: TreeScratch = {}): GrownTree {
  // Arrays from the scratch are either fully written before they are read, or (histograms, bitmaps,
  // bin counts) left all zero by every tree that completes, as each node clears what it touched.
  const reuse = <T extends Int32Array | Float64Array>(Type: new (length: number) => T, name: string, length: number): T => {
    const have = scratch[name];
    if (have instanceof Type && have.length >= length) return have.subarray(0, length) as T;
    const made = new Type(length);
    scratch[name] = made;
    return made;
  };
  const int32 = (name: string, length: number): Int32Array => reuse(Int32Array, name, length);
  const float64 = (name: string, length: number): Float64Array => reuse(Float64Array, name, length);
  const n = data.nSamples;
  const D = data.nFeatures;
  const K = data.nClasses;
  // The codes are row-major, one copy (feature-binner.ts). A small node reads its samples' rows feature
  // by feature: the rows were touched by the parent a moment ago and stay in cache (against columns, a
  // random feature's column is cold for a node of 20 samples: measured on SST-2 embeddings, reading rows
  // made trees 2.5× faster). A large node's rows do not fit in cache, and reading them once per drawn
  // feature would stream every row √D times; so its histograms for a batch of drawn features are built in
  // one pass over its rows (BATCH_BYTES of histograms, in cache). Same draws, same trees either way.
  const codes = data.codes;
  const rowLimit = Math.max(16, Math.floor((1 << 20) / D));

  const y = data.y;
  const entropy = params.criterion === "entropy";
  const minLeaf = params.minSamplesLeaf;
  const minSplit = Math.max(params.minSamplesSplit, 2 * minLeaf);
  const maxDepth = params.maxDepth;
  const maxFeatures = params.maxFeatures;
  // Exact nodes: from this many rows on, a node sorts its rows' raw values per drawn feature and splits
  // between distinct neighbours, as scikit-learn does, instead of between bins. Measured on 100k×512
  // (bench/forest/RESULTS.md): 256 bins cost 0.6 points of accuracy there, all of it in the nodes of
  // 2,000 rows and more (exact splits below that size gave nothing). Node sizes fall along every path,
  // so the exact nodes are the top of the tree; they draw features from a permutation of their own
  // (permX), and the binned subtrees below them start afresh on `perm` (known constants: none).
  // Only in the top exactDepth levels (6): on sparse features (SST-2's hashed n-grams) trees peel small
  // groups off a large node level after level, so nodes of 2,000 rows go 20+ levels deep; exact search
  // in all of them cost 1.9x the binned fit, in the top 10 levels 1.5x, in the top 6 1.3x (10 trees,
  // CPU time). At 100k×512 the top 6 levels keep the accuracy: 82.34 over 5 seeds (10 levels 82.20,
  // no cut 82.16; binned 81.92; scikit-learn 82.53). bench/forest/RESULTS.md.
  const exactDepth = params.exactDepth ?? 6;
  const values = data.values;
  const valueRows = data.valueRows;
  const exactFrom = values === undefined && valueRows === undefined ? 0 : (params.exactFrom ?? 0);

  // Histogram subtraction: a node's histograms minus its smaller child's are its larger child's, so the
  // larger child costs nBins × K subtractions per feature instead of a pass over its samples. That only
  // pays when the children will look at the features the parent looked at, i.e. when every split tries
  // every feature (maxFeatures "all"); with √D random features per split the overlap is a few percent.
  // Used only where it is exact (integer weights: bootstrap counts, no class weights; minSamplesLeaf 1,
  // so sample counts per bin are not needed), so it never changes the tree, and only for nodes large
  // enough to beat building directly (measured: 1.6–2.2× faster trees with maxFeatures "all" on 5000×256 and
  // 20000×64), with each node's histograms at most 16 MB.
  const nBins = data.nBins;
  const binsK = nBins * K;
  let unitClassWeights = true;
  for (let k = 0; k < K; k++) if (data.classWeight[k] !== 1) unitClassWeights = false;
  const subtract =
    params.histogramSubtraction !== false && maxFeatures >= D && minLeaf === 1 && unitClassWeights && !params.subsampleClassWeights && D * binsK * 8 <= 1 << 24;
  const subtractMin = binsK;
  const batchOn = params.batchHistograms !== false;
  // Features per batch: their histograms (and bitmaps, and bin counts) take at most ~2 MB.
  const batchCap = Math.max(1, Math.min(64, Math.floor((1 << 18) / binsK)));
  const blocks: Float64Array[] = [];
  const freeBlocks: number[] = [];
  const acquireBlock = (): number => {
    const id = freeBlocks.pop();
    if (id !== undefined) {
      blocks[id].fill(0);
      return id;
    }
    blocks.push(new Float64Array(D * binsK));
    return blocks.length - 1;
  };

  // Sample weights: bootstrap counts × class weight. Only in-bag samples take part in the tree.
  const counts = int32("counts", n);
  if (params.bootstrap === "balanced") drawBalancedBootstrap(rng, y, K, counts);
  else if (params.bootstrap) drawBootstrap(rng, n, counts);
  else counts.fill(1);
  const classWeight = params.subsampleClassWeights ? subsampleClassWeights(y, K, counts) : data.classWeight;
  let inBag = 0;
  for (let i = 0; i < n; i++) if (counts[i] > 0) inBag++;
  // samples[p] is a sample index; sampleY[p] and sampleW[p] are its class and weight, kept in the same
  // order (moved together when nodes are partitioned) so histogram loops read them sequentially.
  const samples = int32("samples", inBag);
  const sampleY = int32("sampleY", inBag);
  const sampleW = float64("sampleW", inBag);
  const rootTotals = new Float64Array(K);
  for (let i = 0, j = 0; i < n; i++) {
    if (counts[i] === 0) continue;
    const w = counts[i] * classWeight[y[i]];
    samples[j] = i;
    sampleY[j] = y[i];
    sampleW[j] = w;
    j++;
    rootTotals[y[i]] += w;
  }

  // A tree with m samples has at most 2m - 1 nodes and m leaves; allocate once, trim at the end.
  const cap = 2 * inBag + 1;
  const feature = int32("feature", cap);
  const thresholdBin = int32("thresholdBin", cap);
  const nextBin = int32("nextBin", cap);
  const right = int32("right", cap);
  const exactThreshold = float64("exactThreshold", cap);
  const leafValues = float64("leafValues", (inBag + 1) * K);
  const importances = new Float64Array(D);
  let nodeCount = 0;
  let leafCount = 0;

  // Explicit DFS stack (right child pushed first, so nodes are numbered in preorder).
  let stackCap = 64;
  let stStart = new Int32Array(stackCap);
  let stEnd = new Int32Array(stackCap);
  let stDepth = new Int32Array(stackCap);
  let stParent = new Int32Array(stackCap);
  let stKnown = new Int32Array(stackCap);
  let stBlock = new Int32Array(stackCap);
  let stTotals = new Float64Array(stackCap * K);
  let sp = 0;
  stStart[0] = 0;
  stEnd[0] = inBag;
  stDepth[0] = 0;
  stParent[0] = -1;
  stKnown[0] = 0;
  stBlock[0] = -1;
  stTotals.set(rootTotals, 0);
  sp = 1;

  // Scratch reused by every node: no allocation in the loop.
  const hist = float64("hist", nBins * K);
  const binCount = int32("binCount", nBins);
  const occupied = new Int32Array(nBins);
  const nWords = (nBins + 31) >>> 5;
  const occupiedBits = int32("occupiedBits", nWords);
  const left = new Float64Array(K);
  const bestLeft = new Float64Array(K);
  const totals = new Float64Array(K);
  const perm = new Int32Array(D);
  for (let f = 0; f < D; f++) perm[f] = f;
  const permX = Int32Array.from(perm);
  // An exact node's raw values (exVal, with their bits in exBits), and radixOrder's working arrays: it
  // orders the node's rows by value, ties by position (deterministic).
  const exactOn = exactFrom > 0 && inBag >= exactFrom;
  const exInt = int32("exVal", exactOn ? inBag : 0);
  const exVal = new Float32Array(exInt.buffer, exInt.byteOffset, exInt.length);
  const exBits = new Uint32Array(exInt.buffer, exInt.byteOffset, exInt.length);
  const exKeyInt = int32("exKey", exactOn ? 2 * inBag : 0);
  const exKeys = new Uint32Array(exKeyInt.buffer, exKeyInt.byteOffset, exactOn ? inBag : 0);
  const exKeysTemp = new Uint32Array(exKeyInt.buffer, exKeyInt.byteOffset + (exactOn ? inBag : 0) * 4, exactOn ? inBag : 0);
  const exPos = int32("exPos", exactOn ? inBag : 0);
  const exPosTemp = int32("exPosTemp", exactOn ? inBag : 0);
  const exCounts = int32("exCounts", exactOn ? 1024 : 0);
  const batchHist = batchOn ? float64("batchHist", batchCap * binsK) : hist;
  const batchBits = batchOn ? int32("batchBits", batchCap * nWords) : occupiedBits;
  const batchCount = batchOn && minLeaf > 1 ? int32("batchCount", batchCap * nBins) : binCount;
  const batchFeatures = new Int32Array(batchCap);

  /** Histograms of samples[s0, s1) for the features perm[from ..], into a zeroed block: one pass over the rows. */
  const fillBlock = (block: Float64Array, s0: number, s1: number, from: number): void => {
    for (let p = s0; p < s1; p++) {
      const row = samples[p] * D;
      const cy = sampleY[p];
      const w = sampleW[p];
      for (let q = from; q < D; q++) {
        const f = perm[q];
        block[f * binsK + codes[row + f] * K + cy] += w;
      }
    }
  };

  while (sp > 0) {
    sp--;
    const start = stStart[sp];
    const end = stEnd[sp];
    const depth = stDepth[sp];
    const parent = stParent[sp];
    let known = stKnown[sp];
    // Histograms of every feature this node can draw, when subtraction is on and the node is large.
    let nodeBlock = stBlock[sp];
    let W = 0;
    let nonEmpty = 0;
    for (let k = 0; k < K; k++) {
      const t = stTotals[sp * K + k];
      totals[k] = t;
      W += t;
      if (t > 0) nonEmpty++;
    }
    const id = nodeCount++;
    // The right child is popped after the whole left subtree: link it to its parent now.
    if (parent >= 0 && parent + 1 !== id) right[parent] = id;
    const nNode = end - start;
    const exact = exactFrom > 0 && nNode >= exactFrom && depth < exactDepth;
    // The first binned node below exact ones: no constants known on `perm` yet (see permX).
    if (known < 0) known = 0;

    let bestFeature = -1;
    let bestBin = 0;
    let bestNext = 0;
    let bestThreshold = Number.NaN;
    let newConstants = 0;
    if (exact && nNode >= minSplit && depth < maxDepth && nonEmpty > 1) {
      // Features are drawn as in the binned search below (the same loop condition), from permX.
      let bestScore = -Infinity;
      let visited = 0;
      for (let s0 = known; s0 < D && (visited < maxFeatures || bestFeature < 0); s0++) {
        const j = s0 + rng.int(D - s0);
        const f = permX[j];
        permX[j] = permX[s0];
        permX[s0] = f;
        visited++;
        let lo = Infinity;
        let hi = -Infinity;
        // Two copies of one loop, so neither reads through a branch per value.
        if (valueRows !== undefined) {
          for (let p = 0; p < nNode; p++) {
            const v = Math.fround(valueRows[samples[start + p]][f]);
            exVal[p] = v;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
        } else {
          for (let p = 0; p < nNode; p++) {
            const v = values![samples[start + p] * D + f];
            exVal[p] = v;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
        }
        if (lo === hi) {
          // Constant in this node, so in its subtree.
          const c0 = known + newConstants;
          permX[s0] = permX[c0];
          permX[c0] = f;
          newConstants++;
          continue;
        }
        const order = radixOrder(exBits, nNode, exKeys, exKeysTemp, exPos, exPosTemp, exCounts);
        // Try the split after each row whose successor's value is larger, in value order; ties keep the first.
        for (let k = 0; k < K; k++) left[k] = 0;
        let leftW = 0;
        let pos = order[0];
        for (let u = 0; u < nNode - 1; u++) {
          const nextPos = order[u + 1];
          const at = start + pos;
          const w = sampleW[at];
          left[sampleY[at]] += w;
          leftW += w;
          const a = exVal[pos];
          const b = exVal[nextPos];
          pos = nextPos;
          if (!(b > a)) continue;
          if (u + 1 < minLeaf) continue;
          if (nNode - u - 1 < minLeaf) break;
          const score = splitScore(left, totals, K, leftW, W - leftW, entropy);
          if (score > bestScore) {
            bestScore = score;
            bestFeature = f;
            bestThreshold = splitMidpoint(a, b);
            for (let k = 0; k < K; k++) bestLeft[k] = left[k];
          }
        }
      }
    } else if (!exact && nNode >= minSplit && depth < maxDepth && nonEmpty > 1) {
      if (subtract && nodeBlock < 0 && nNode > subtractMin) {
        // The root (or a large node reached without a block): build its histograms in one go.
        nodeBlock = acquireBlock();
        fillBlock(blocks[nodeBlock], start, end, known);
      }
      // Fresh random features for this split: a partial Fisher–Yates shuffle over `perm`, which is laid
      // out as [known constants | constants found here | drawn here | not drawn yet]. As in
      // scikit-learn, features constant in an ancestor are never drawn (they are constant here too,
      // and sparse embeddings have many), and drawing goes on past maxFeatures while no valid split
      // has turned up.
      let bestScore = -Infinity;
      let visited = 0;
      // Positions [batchFrom, batchTo) of perm were drawn ahead and histogrammed together (large nodes).
      const batched = batchOn && nodeBlock < 0 && nNode > rowLimit;
      let batchFrom = known;
      let batchTo = known;
      for (let s0 = known; s0 < D && (visited < maxFeatures || bestFeature < 0); s0++) {
        if (batched && s0 === batchTo && visited < maxFeatures) {
          // Draw the next features now, exactly as the loop would (draws only touch positions >= s0, the
          // constant moves below only positions <= s0, so the order does not matter), then histogram
          // them all in one pass over the node's rows.
          const size = Math.min(batchCap, maxFeatures - visited, D - s0);
          for (let q = 0; q < size; q++) {
            const at = s0 + q;
            const j = at + rng.int(D - at);
            const g = perm[j];
            perm[j] = perm[at];
            perm[at] = g;
            batchFeatures[q] = g;
          }
          for (let p = start; p < end; p++) {
            const row = samples[p] * D;
            const cy = sampleY[p];
            const w = sampleW[p];
            for (let q = 0; q < size; q++) {
              const c = codes[row + batchFeatures[q]];
              batchHist[q * binsK + c * K + cy] += w;
              batchBits[q * nWords + (c >>> 5)] |= 1 << (c & 31);
            }
          }
          if (minLeaf > 1) {
            for (let p = start; p < end; p++) {
              const row = samples[p] * D;
              for (let q = 0; q < size; q++) batchCount[q * nBins + codes[row + batchFeatures[q]]]++;
            }
          }
          batchFrom = s0;
          batchTo = s0 + size;
        }
        let f: number;
        // Class histogram of this feature's bins over the node's samples. A bitmap (one bit per bin)
        // records which bins are occupied, so the split scan below visits only those, in increasing
        // order, whether the node has 3 samples or 30,000.
        let histArr = hist;
        let histOff = 0;
        let bitsArr = occupiedBits;
        let bitsOff = 0;
        let countArr = binCount;
        let countOff = 0;
        let m = 0;
        const inBatch = s0 < batchTo;
        if (inBatch) {
          const q = s0 - batchFrom;
          f = batchFeatures[q];
          histArr = batchHist;
          histOff = q * binsK;
          bitsArr = batchBits;
          bitsOff = q * nWords;
          countArr = batchCount;
          countOff = q * nBins;
        } else {
          const j = s0 + rng.int(D - s0);
          f = perm[j];
          perm[j] = perm[s0];
          perm[s0] = f;
        }
        visited++;
        if (inBatch) {
          // built above
        } else if (nodeBlock >= 0) {
          // Already built (directly or by subtraction): just list the occupied bins.
          histArr = blocks[nodeBlock];
          histOff = f * binsK;
          for (let b = 0; b < nBins; b++) {
            let w = 0;
            for (let k = 0; k < K; k++) w += histArr[histOff + b * K + k];
            if (w > 0) occupied[m++] = b;
          }
        } else if (minLeaf > 1) {
          for (let p = start; p < end; p++) {
            const c = codes[samples[p] * D + f];
            hist[c * K + sampleY[p]] += sampleW[p];
            binCount[c]++;
            occupiedBits[c >>> 5] |= 1 << (c & 31);
          }
        } else {
          for (let p = start; p < end; p++) {
            const c = codes[samples[p] * D + f];
            hist[c * K + sampleY[p]] += sampleW[p];
            occupiedBits[c >>> 5] |= 1 << (c & 31);
          }
        }
        if (nodeBlock < 0 && !inBatch && 4 * nNode < nWords) {
          // Many bins (maxBins > 256), few samples: cheaper to list the samples' bins than to scan every
          // word of the bitmap. Each bin is listed once (its bit cleared on the way), then sorted.
          for (let p = start; p < end; p++) {
            const c = codes[samples[p] * D + f];
            const bit = 1 << (c & 31);
            if ((occupiedBits[c >>> 5] & bit) !== 0) {
              occupiedBits[c >>> 5] ^= bit;
              occupied[m++] = c;
            }
          }
          sortPrefix(occupied, m);
        } else {
          for (let word = 0; word < nWords && (nodeBlock < 0 || inBatch); word++) {
            let bits = bitsArr[bitsOff + word];
            if (bits === 0) continue;
            bitsArr[bitsOff + word] = 0;
            while (bits !== 0) {
              const low = bits & -bits;
              occupied[m++] = (word << 5) + 31 - Math.clz32(low);
              bits ^= low;
            }
          }
        }

        // Try the split after each occupied bin but the last, left to right; ties keep the first.
        if (m > 1) {
          let leftN = 0;
          if (K === 2 && !entropy) {
            // The common case, unrolled: two classes, Gini.
            const t0 = totals[0];
            const t1 = totals[1];
            let l0 = 0;
            let l1 = 0;
            for (let u = 0; u < m - 1; u++) {
              const b = occupied[u];
              l0 += histArr[histOff + 2 * b];
              l1 += histArr[histOff + 2 * b + 1];
              if (minLeaf > 1) {
                leftN += countArr[countOff + b];
                if (leftN < minLeaf) continue;
                if (nNode - leftN < minLeaf) break;
              }
              const r0 = t0 - l0;
              const r1 = t1 - l1;
              // Maximising Σl²/wL + Σr²/wR minimises the weighted Gini of the children (scikit-learn's proxy).
              const score = (l0 * l0 + l1 * l1) / (l0 + l1) + (r0 * r0 + r1 * r1) / (r0 + r1);
              if (score > bestScore) {
                bestScore = score;
                bestFeature = f;
                bestBin = b;
                bestNext = occupied[u + 1];
                bestLeft[0] = l0;
                bestLeft[1] = l1;
              }
            }
          } else {
            for (let k = 0; k < K; k++) left[k] = 0;
            let leftW = 0;
            for (let u = 0; u < m - 1; u++) {
              const b = occupied[u];
              const hb = b * K;
              for (let k = 0; k < K; k++) {
                const v = histArr[histOff + hb + k];
                left[k] += v;
                leftW += v;
              }
              if (minLeaf > 1) {
                leftN += countArr[countOff + b];
                if (leftN < minLeaf) continue;
                if (nNode - leftN < minLeaf) break;
              }
              const score = splitScore(left, totals, K, leftW, W - leftW, entropy);
              if (score > bestScore) {
                bestScore = score;
                bestFeature = f;
                bestBin = b;
                bestNext = occupied[u + 1];
                for (let k = 0; k < K; k++) bestLeft[k] = left[k];
              }
            }
          }
        }
        // Clear only the bins this feature touched (blocks are kept for the children).
        if (nodeBlock >= 0 && !inBatch) {
          // nothing to clear
        } else if (m > 32 && occupied[m - 1] - occupied[0] < 8 * m) histArr.fill(0, histOff + occupied[0] * K, histOff + (occupied[m - 1] + 1) * K);
        else if (K === 2) {
          for (let u = 0; u < m; u++) {
            const b = histOff + 2 * occupied[u];
            histArr[b] = 0;
            histArr[b + 1] = 0;
          }
        } else {
          for (let u = 0; u < m; u++) histArr.fill(0, histOff + occupied[u] * K, histOff + (occupied[u] + 1) * K);
        }
        if (minLeaf > 1) for (let u = 0; u < m; u++) countArr[countOff + occupied[u]] = 0;
        if (m <= 1) {
          // Constant in this node (one bin), so in all its descendants: move it to the constant block.
          const c0 = known + newConstants;
          perm[s0] = perm[c0];
          perm[c0] = f;
          newConstants++;
        }
      }
    }

    if (bestFeature < 0) {
      if (nodeBlock >= 0) freeBlocks.push(nodeBlock);
      feature[id] = -1;
      right[id] = leafCount;
      // Unused for a leaf, but the arrays are reused from the last tree: keep the output tidy (0).
      thresholdBin[id] = 0;
      nextBin[id] = 0;
      exactThreshold[id] = Number.NaN;
      const off = leafCount * K;
      for (let k = 0; k < K; k++) leafValues[off + k] = totals[k] / W;
      leafCount++;
      continue;
    }

    // Partition the node's samples in place: code <= bestBin to the front.
    let a = start;
    let z = end - 1;
    while (a <= z) {
      const s = samples[a];
      const goesLeft = !exact
        ? codes[s * D + bestFeature] <= bestBin
        : (valueRows !== undefined ? Math.fround(valueRows[s][bestFeature]) : values![s * D + bestFeature]) <= bestThreshold;
      if (goesLeft) a++;
      else {
        samples[a] = samples[z];
        samples[z] = s;
        const ty = sampleY[a];
        sampleY[a] = sampleY[z];
        sampleY[z] = ty;
        const tw = sampleW[a];
        sampleW[a] = sampleW[z];
        sampleW[z] = tw;
        z--;
      }
    }
    const mid = a;

    feature[id] = bestFeature;
    thresholdBin[id] = bestBin;
    nextBin[id] = bestNext;
    exactThreshold[id] = bestThreshold;
    let leftW = 0;
    for (let k = 0; k < K; k++) leftW += bestLeft[k];
    const rightW = W - leftW;

    // Grow the stack before pushing two children.
    if (sp + 2 > stackCap) {
      stackCap *= 2;
      const grow = (old: Int32Array): Int32Array => {
        const next = new Int32Array(stackCap);
        next.set(old);
        return next;
      };
      stStart = grow(stStart);
      stEnd = grow(stEnd);
      stDepth = grow(stDepth);
      stParent = grow(stParent);
      stKnown = grow(stKnown);
      stBlock = grow(stBlock);
      const t = new Float64Array(stackCap * K);
      t.set(stTotals);
      stTotals = t;
    }
    const childKnown = known + newConstants;
    // An exact node's binned children (too small, or too deep) start afresh on `perm` (-1: see permX).
    const childrenDeep = depth + 1 >= exactDepth;
    const knownLeft = exact && (childrenDeep || mid - start < exactFrom) ? -1 : childKnown;
    const knownRight = exact && (childrenDeep || end - mid < exactFrom) ? -1 : childKnown;
    // Children's histograms: the smaller child's built directly, the larger one's by subtraction.
    let leftBlock = -1;
    let rightBlock = -1;
    if (nodeBlock >= 0) {
      const nLeft = mid - start;
      const nRight = end - mid;
      if (Math.max(nLeft, nRight) > subtractMin) {
        const smallIsLeft = nLeft <= nRight;
        const smallBlock = acquireBlock();
        fillBlock(blocks[smallBlock], smallIsLeft ? start : mid, smallIsLeft ? mid : end, childKnown);
        const P = blocks[nodeBlock];
        const S = blocks[smallBlock];
        for (let q = childKnown; q < D; q++) {
          const off = perm[q] * binsK;
          for (let x = off; x < off + binsK; x++) P[x] -= S[x];
        }
        leftBlock = smallIsLeft ? smallBlock : nodeBlock;
        rightBlock = smallIsLeft ? nodeBlock : smallBlock;
      } else freeBlocks.push(nodeBlock);
    }
    // Right child first so the left child is popped next and gets id + 1.
    stStart[sp] = mid;
    stEnd[sp] = end;
    stDepth[sp] = depth + 1;
    stParent[sp] = id;
    stKnown[sp] = knownRight;
    stBlock[sp] = rightBlock;
    for (let k = 0; k < K; k++) stTotals[sp * K + k] = totals[k] - bestLeft[k];
    const rightSlot = sp;
    sp++;
    stStart[sp] = start;
    stEnd[sp] = mid;
    stDepth[sp] = depth + 1;
    stParent[sp] = id;
    stKnown[sp] = knownLeft;
    stBlock[sp] = leftBlock;
    for (let k = 0; k < K; k++) stTotals[sp * K + k] = bestLeft[k];
    const leftSlot = sp;
    sp++;

    const impurity = nodeImpurity(totals, 0, K, W, entropy);
    const impL = nodeImpurity(stTotals, leftSlot * K, K, leftW, entropy);
    const impR = nodeImpurity(stTotals, rightSlot * K, K, rightW, entropy);
    importances[bestFeature] += W * impurity - leftW * impL - rightW * impR;
  }

  let rootW = 0;
  for (let k = 0; k < K; k++) rootW += rootTotals[k];
  for (let f = 0; f < D; f++) importances[f] /= rootW;

  return {
    nodeCount,
    feature: feature.slice(0, nodeCount),
    thresholdBin: thresholdBin.slice(0, nodeCount),
    nextBin: nextBin.slice(0, nodeCount),
    right: right.slice(0, nodeCount),
    exactThreshold: exactThreshold.slice(0, nodeCount),
    leafCount,
    leafValues: leafValues.slice(0, leafCount * K),
    importances,
  };
}

/** What a worker needs to grow trees: these functions' sources, in dependency order. */
export const TREE_BUILDER_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [drawBootstrap, drawBalancedBootstrap, subsampleClassWeights, nodeImpurity, splitMidpoint, splitScore, sortPrefix, radixOrder, xlogx, growTree];
