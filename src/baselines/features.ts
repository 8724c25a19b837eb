/**
 * The classic pixel/voxel feature bank of pre-deep-learning segmentation (e.g. ilastik, Weka
 * Trainable Segmentation, the DRIVE papers): per channel, the intensity, and at each Gaussian scale σ
 * the smoothed intensity, gradient magnitude, Laplacian of Gaussian, the Hessian eigenvalues and
 * Frangi's vesselness for bright and for dark tubes. Derivatives are in physical units and
 * scale-normalised (×σ per order), so responses compare across scales; σ is in mm.
 */
import { ShapeError } from '../util/errors.js';
import { eigenSym2, eigenSym3 } from './eigen.js';
import { gaussianDerivatives } from './filters.js';

export interface FeatureBankOptions {
  sigmas: number[];
  channels: number[] | null;
  intensity: boolean;
  gaussian: boolean;
  gradient: boolean;
  laplacian: boolean;
  hessian: boolean;
  frangi: boolean;
}

export const DEFAULT_FEATURES: FeatureBankOptions = {
  sigmas: [1, 2, 4],
  channels: null,
  intensity: true,
  gaussian: true,
  gradient: true,
  laplacian: true,
  hessian: true,
  frangi: true,
};

/** A preprocessed image: channels [C, k, j, i] flat on a grid of `shape` (i, j, k) and `spacing` (mm). */
export interface FeatureImage {
  data: Float32Array;
  channels: number;
  shape: [number, number, number];
  spacing: readonly number[];
  /** Region of interest (non-zero inside), when known: Otsu's level is computed inside it. */
  roi?: Uint8Array;
}

export interface FeatureStack {
  names: string[];
  /** One array per feature, one value per voxel. */
  values: Float32Array[];
}

const ORDERS_2D = [
  [0, 0],
  [1, 0],
  [0, 1],
  [2, 0],
  [0, 2],
  [1, 1],
];
const ORDERS_3D = [
  [0, 0, 0],
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [2, 0, 0],
  [0, 2, 0],
  [0, 0, 2],
  [1, 1, 0],
  [1, 0, 1],
  [0, 1, 1],
];

/** Feature names the options give for `channels` image channels in `dims` dimensions (without computing). */
export function featureNames(options: FeatureBankOptions, channels: number, dims: 2 | 3): string[] {
  const names: string[] = [];
  for (const c of selectedChannels(options, channels)) {
    if (options.intensity) names.push(`c${c}:intensity`);
    for (const s of options.sigmas) {
      const at = `c${c}:σ${s}`;
      if (options.gaussian) names.push(`${at}:gaussian`);
      if (options.gradient) names.push(`${at}:gradient`);
      if (options.laplacian) names.push(`${at}:laplacian`);
      if (options.hessian) for (let e = 1; e <= dims; e++) names.push(`${at}:hessian${e}`);
      if (options.frangi) names.push(`${at}:frangi_bright`, `${at}:frangi_dark`);
    }
  }
  return names;
}

function selectedChannels(options: FeatureBankOptions, channels: number): number[] {
  const chosen = options.channels ?? Array.from({ length: channels }, (_, c) => c);
  const bad = chosen.filter((c) => c >= channels);
  if (bad.length)
    throw new ShapeError(`method.features.channels: channel ${bad[0]} does not exist (the image has ${channels})`);
  return chosen;
}

/** Computes the feature bank of an image; a 2D bank (dims 2) needs a single slice. */
export function featureBank(image: FeatureImage, dims: 2 | 3, options: FeatureBankOptions): FeatureStack {
  const [ni, nj, nk] = image.shape;
  if (dims === 2 && nk !== 1) throw new ShapeError(`a 2D feature bank needs one slice, got ${nk}`);
  const n = ni * nj * nk;
  const names = featureNames(options, image.channels, dims);
  const values: Float32Array[] = [];
  for (const c of selectedChannels(options, image.channels)) {
    const channel = image.data.subarray(c * n, (c + 1) * n);
    if (options.intensity) values.push(Float32Array.from(channel));
    for (const sigma of options.sigmas) values.push(...scaleFeatures(channel, image, dims, sigma, options));
  }
  return { names, values };
}

function scaleFeatures(
  channel: Float32Array,
  image: FeatureImage,
  dims: 2 | 3,
  sigma: number,
  options: FeatureBankOptions,
): Float32Array[] {
  const n = channel.length;
  const spacing = image.spacing.slice(0, dims);
  const d = gaussianDerivatives(
    channel,
    image.shape,
    spacing.map((s) => sigma / s),
    dims === 2 ? ORDERS_2D : ORDERS_3D,
  );
  const get = (o: string, order: number[]) => {
    const arr = d.get(o)!;
    // physical units (÷ spacing per derivative) and scale normalisation (× σ per derivative)
    let factor = 1;
    order.forEach((k, a) => (factor *= (sigma / spacing[a]!) ** k));
    return { arr, factor };
  };
  const first = (dims === 2 ? ORDERS_2D : ORDERS_3D).filter((o) => o.reduce((a, b) => a + b) === 1);
  const out: Float32Array[] = [];
  if (options.gaussian) out.push(d.get(dims === 2 ? '0,0' : '0,0,0')!);
  if (options.gradient) {
    const g = new Float32Array(n);
    for (const o of first) {
      const { arr, factor } = get(o.join(','), o);
      for (let v = 0; v < n; v++) g[v]! += (arr[v]! * factor) ** 2;
    }
    for (let v = 0; v < n; v++) g[v] = Math.sqrt(g[v]!);
    out.push(g);
  }
  if (!options.laplacian && !options.hessian && !options.frangi) return out;
  const h = (o: number[]) => {
    const { arr, factor } = get(o.join(','), o);
    return { arr, factor };
  };
  const eig = Array.from({ length: dims }, () => new Float32Array(n));
  const lap = new Float32Array(n);
  if (dims === 2) {
    const xx = h([2, 0]),
      yy = h([0, 2]),
      xy = h([1, 1]);
    for (let v = 0; v < n; v++) {
      const a = xx.arr[v]! * xx.factor,
        b = xy.arr[v]! * xy.factor,
        c = yy.arr[v]! * yy.factor;
      lap[v] = a + c;
      const [l1, l2] = eigenSym2(a, b, c);
      eig[0]![v] = l1;
      eig[1]![v] = l2;
    }
  } else {
    const xx = h([2, 0, 0]),
      yy = h([0, 2, 0]),
      zz = h([0, 0, 2]),
      xy = h([1, 1, 0]),
      xz = h([1, 0, 1]),
      yz = h([0, 1, 1]);
    for (let v = 0; v < n; v++) {
      const a = xx.arr[v]! * xx.factor,
        b = yy.arr[v]! * yy.factor,
        c = zz.arr[v]! * zz.factor;
      lap[v] = a + b + c;
      const [l1, l2, l3] = eigenSym3(a, b, c, xy.arr[v]! * xy.factor, xz.arr[v]! * xz.factor, yz.arr[v]! * yz.factor);
      eig[0]![v] = l1;
      eig[1]![v] = l2;
      eig[2]![v] = l3;
    }
  }
  if (options.laplacian) out.push(lap);
  if (options.hessian) out.push(...eig);
  if (options.frangi) out.push(...frangi(eig));
  return out;
}

/**
 * Frangi et al. (1998) vesselness from Hessian eigenvalues, for bright tubes (large eigenvalues
 * negative) and dark ones (positive): β = 0.5 (and α = 0.5 in 3D), c = half the largest Hessian norm
 * of the image, as the paper suggests.
 */
export function frangi(eig: Float32Array[]): [Float32Array, Float32Array] {
  const n = eig[0]!.length;
  const dims = eig.length;
  const bright = new Float32Array(n),
    dark = new Float32Array(n);
  let maxS = 0;
  for (let v = 0; v < n; v++) {
    let s = 0;
    for (const e of eig) s += e[v]! ** 2;
    if (s > maxS) maxS = s;
  }
  const c = 0.5 * Math.sqrt(maxS);
  if (c === 0) return [bright, dark];
  const beta = 0.5,
    alpha = 0.5;
  const l = new Float64Array(dims);
  for (let v = 0; v < n; v++) {
    for (let a = 0; a < dims; a++) l[a] = eig[a]![v]!;
    // order by magnitude: |λ1| ≤ |λ2| (≤ |λ3|)
    const m = Array.from(l).sort((x, y) => Math.abs(x) - Math.abs(y));
    const s2 = m.reduce((acc, x) => acc + x * x, 0);
    const structure = 1 - Math.exp(-s2 / (2 * c * c));
    let value: number;
    let sign: number;
    if (dims === 2) {
      const [l1, l2] = m as [number, number];
      if (l2 === 0) continue;
      const rb = l1 / l2;
      value = Math.exp(-(rb * rb) / (2 * beta * beta)) * structure;
      sign = Math.sign(l2);
    } else {
      const [l1, l2, l3] = m as [number, number, number];
      if (l2 === 0 || l3 === 0 || Math.sign(l2) !== Math.sign(l3)) continue;
      const ra = Math.abs(l2) / Math.abs(l3);
      const rb = Math.abs(l1) / Math.sqrt(Math.abs(l2 * l3));
      value = (1 - Math.exp(-(ra * ra) / (2 * alpha * alpha))) * Math.exp(-(rb * rb) / (2 * beta * beta)) * structure;
      sign = Math.sign(l3);
    }
    if (sign < 0) bright[v] = value;
    else dark[v] = value;
  }
  return [bright, dark];
}
