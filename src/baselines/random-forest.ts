/**
 * A random forest (Breiman 2001) for pixel classification, grown on histogram-binned features as in
 * LightGBM and scikit-learn's HistGradientBoosting: each feature is cut into at most 255 quantile bins
 * once, and each split is found from per-bin class counts — O(samples × tried features) per tree
 * level instead of a sort per node. Bootstrap samples, √F features tried per split, Gini impurity,
 * leaves holding class frequencies; the forest's probability is the mean over trees.
 *
 * Measured (bench/classifiers.ts): on 10⁵ samples × 20 features this trains 50 trees of depth 16 in
 * seconds, where ml-random-forest did not finish 10 trees in 5 minutes.
 */
import { Random } from '../util/random.js';

export interface ForestOptions {
  trees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Features tried per split (default √F). */
  maxFeatures?: number;
  seed: number;
}

/** One tree in flat arrays: feature −1 marks a leaf, whose class frequencies start at value[node·K]. */
export interface Tree {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  value: Float32Array;
}

const MAX_BINS = 255;

/** Bin upper edges per feature: quantiles of (a subsample of) its values, distinct. */
function binEdges(x: Float32Array, n: number, f: number, features: number, random: Random): Float32Array {
  const m = Math.min(n, 20000);
  const sample = new Float32Array(m);
  for (let i = 0; i < m; i++) sample[i] = x[(m === n ? i : random.int(n)) * features + f]!;
  sample.sort();
  const edges: number[] = [];
  for (let b = 1; b < MAX_BINS; b++) {
    const v = sample[Math.floor((b * m) / MAX_BINS)]!;
    // the midpoint below the next distinct value keeps ties on one side
    if (edges.length === 0 || v > edges[edges.length - 1]!) edges.push(v);
  }
  if (edges.length > 0 && edges[edges.length - 1] === sample[m - 1]) edges.pop();
  return Float32Array.from(edges);
}

function binOf(edges: Float32Array, v: number): number {
  let lo = 0,
    hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Trains a forest on X (n × F, row-major) and labels y in 0..K−1. */
export function trainForest(x: Float32Array, y: Uint8Array, numClasses: number, options: ForestOptions): Tree[] {
  const n = y.length;
  const F = x.length / n;
  const K = numClasses;
  const random = new Random(options.seed);
  const edges = Array.from({ length: F }, (_, f) => binEdges(x, n, f, F, random));
  const binned = Array.from({ length: F }, (_, f) => {
    const col = new Uint8Array(n);
    for (let i = 0; i < n; i++) col[i] = binOf(edges[f]!, x[i * F + f]!);
    return col;
  });
  const mtry = Math.max(1, Math.min(F, options.maxFeatures ?? Math.round(Math.sqrt(F))));
  const trees: Tree[] = [];
  for (let t = 0; t < options.trees; t++) trees.push(growTree(binned, edges, y, K, mtry, options, random));
  return trees;
}

function growTree(
  binned: Uint8Array[],
  edges: Float32Array[],
  y: Uint8Array,
  K: number,
  mtry: number,
  options: ForestOptions,
  random: Random,
): Tree {
  const n = y.length;
  const F = binned.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = random.int(n);
  const feature: number[] = [],
    threshold: number[] = [],
    left: number[] = [],
    right: number[] = [],
    value: number[] = [];
  const hist = new Float64Array((MAX_BINS + 1) * K);
  const total = new Float64Array(K);
  const leftCounts = new Float64Array(K);
  const featureOrder = Int32Array.from({ length: F }, (_, f) => f);
  // stack of [node, start, end, depth]
  const stack: Array<[number, number, number, number]> = [];
  const newNode = () => {
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    for (let k = 0; k < K; k++) value.push(0);
    return feature.length - 1;
  };
  stack.push([newNode(), 0, n, 0]);
  while (stack.length > 0) {
    const [node, start, end, depth] = stack.pop()!;
    const count = end - start;
    total.fill(0);
    for (let i = start; i < end; i++) total[y[idx[i]!]!]!++;
    for (let k = 0; k < K; k++) value[node * K + k] = total[k]! / count;
    let impure = 0;
    for (let k = 0; k < K; k++) if (total[k]! > 0) impure++;
    if (depth >= options.maxDepth || count < 2 * options.minSamplesLeaf || impure < 2) continue;
    let bestGain = 1e-12,
      bestF = -1,
      bestBin = -1;
    const parentGini = count - sumSquares(total) / count;
    // a partial Fisher–Yates picks mtry distinct features
    for (let m = 0; m < mtry; m++) {
      const j = m + random.int(F - m);
      const tmp = featureOrder[m]!;
      featureOrder[m] = featureOrder[j]!;
      featureOrder[j] = tmp;
      const f = featureOrder[m]!;
      const col = binned[f]!;
      const nb = edges[f]!.length + 1;
      hist.fill(0, 0, nb * K);
      for (let i = start; i < end; i++) {
        const s = idx[i]!;
        hist[col[s]! * K + y[s]!]!++;
      }
      leftCounts.fill(0);
      let nLeft = 0;
      for (let b = 0; b < nb - 1; b++) {
        for (let k = 0; k < K; k++) {
          const h = hist[b * K + k]!;
          leftCounts[k]! += h;
          nLeft += h;
        }
        const nRight = count - nLeft;
        if (nLeft < options.minSamplesLeaf) continue;
        if (nRight < options.minSamplesLeaf) break;
        let sl = 0,
          sr = 0;
        for (let k = 0; k < K; k++) {
          const l = leftCounts[k]!;
          const r = total[k]! - l;
          sl += l * l;
          sr += r * r;
        }
        // weighted Gini decrease: (parent gini·n) − (left gini·nL + right gini·nR)
        const gain = parentGini - (nLeft - sl / nLeft) - (nRight - sr / nRight);
        if (gain > bestGain) {
          bestGain = gain;
          bestF = f;
          bestBin = b;
        }
      }
    }
    if (bestF < 0) continue;
    const col = binned[bestF]!;
    let i = start,
      j = end - 1;
    while (i <= j) {
      if (col[idx[i]!]! <= bestBin) i++;
      else {
        const tmp = idx[i]!;
        idx[i] = idx[j]!;
        idx[j] = tmp;
        j--;
      }
    }
    feature[node] = bestF;
    threshold[node] = edges[bestF]![bestBin]!;
    const l = newNode(),
      r = newNode();
    left[node] = l;
    right[node] = r;
    stack.push([l, start, i, depth + 1], [r, i, end, depth + 1]);
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float32Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float32Array.from(value),
  };
}

function sumSquares(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

/** Class probabilities [K, N] (class-major) of N points given as one array per feature. */
export function predictForest(
  trees: readonly Tree[],
  features: readonly Float32Array[],
  numClasses: number,
): Float32Array {
  const n = features[0]?.length ?? 0;
  const K = numClasses;
  const out = new Float32Array(K * n);
  for (const tree of trees) {
    const { feature, threshold, left, right, value } = tree;
    for (let v = 0; v < n; v++) {
      let node = 0;
      while (feature[node]! >= 0) node = features[feature[node]!]![v]! <= threshold[node]! ? left[node]! : right[node]!;
      for (let k = 0; k < K; k++) out[k * n + v]! += value[node * K + k]!;
    }
  }
  const scale = 1 / trees.length;
  for (let i = 0; i < out.length; i++) out[i]! *= scale;
  return out;
}
