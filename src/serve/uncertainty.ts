/**
 * Prediction with its uncertainty, built from the existing prediction path (infer/predict.ts) by
 * wrapping the network, never by changing it:
 *
 * - Mirroring TTA members: for each flip combination the network is wrapped as "flip the window, run,
 *   flip back" and the case is predicted without TTA. The mean over members is exactly what
 *   `predictCase` with TTA returns (every step after the network is linear in the probabilities), and
 *   the members' spread is the test-time-augmentation variance.
 * - Monte-Carlo dropout: the network's Dropout layers stay active during inference (Gal & Ghahramani
 *   2016); T samples give a second variance. Only for networks trained with dropout.
 *
 * Per-voxel maps are summarised over a region of interest — voxels that some member labels foreground,
 * or whose mean foreground probability is at least `roiThreshold` — and averaged there, so that a
 * case's score neither grows with its size nor shrinks with its amount of background.
 */
import * as ve from '../engine/index.js';
import { Dropout } from '../engine/nn/layers/dropout.js';
import { type AnyModule, Module } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';
import { argmaxChannels, mirrorCombinations, postprocess, type PostprocessOptions } from '../infer/index.js';
import type { WindowModel } from '../infer/sliding-window.js';
import { predictCase, type PredictionInput, type PredictionRun } from '../infer/predict.js';
import { createImage, type Image } from '../io/image.js';
import { readImage } from '../io/read.js';
import type { ImageReader } from '../io/read-options.js';

/** The network run on mirrored windows, its output mirrored back (one mirroring TTA member). */
class Mirrored implements WindowModel {
  constructor(
    readonly inner: WindowModel,
    readonly axes: number[],
  ) {}

  get training(): boolean {
    return this.inner.training ?? false;
  }

  train(mode?: boolean): this {
    this.inner.train?.(mode);
    return this;
  }

  forward(x: Tensor): Tensor | Tensor[] {
    const out = this.inner.forward(ve.flip(x, this.axes));
    return Array.isArray(out) ? out.map((t) => ve.flip(t, this.axes)) : ve.flip(out, this.axes);
  }
}

/** The network in eval mode except its Dropout layers (Monte-Carlo dropout). */
class WithDropout extends Module<[Tensor], Tensor | Tensor[]> {
  constructor(readonly inner: AnyModule) {
    super();
    this.registerModule('inner', inner);
  }

  override train(_mode = true): this {
    this.inner.train(false);
    for (const m of this.inner.modules()) if (m instanceof Dropout) m.training = true;
    this.training = false;
    return this;
  }

  forward(x: Tensor): Tensor | Tensor[] {
    return this.inner.forward(x) as Tensor | Tensor[];
  }
}

/** Whether the network has active dropout (Monte-Carlo dropout is possible): never for an int8 runtime. */
export function hasDropout(model: WindowModel): model is AnyModule {
  return model instanceof Module && model.modules().some((m) => m instanceof Dropout && m.p > 0);
}

export interface UncertaintyOptions {
  /** Mirroring TTA (default true). */
  tta?: boolean;
  /** Monte-Carlo dropout samples (default 0 = off; ignored for networks without dropout). */
  mcSamples?: number;
  overlap?: number;
  postprocess?: PostprocessOptions;
  /** Foreground probability that puts a voxel in the region of interest (default 0.1). */
  roiThreshold?: number;
  reader?: ImageReader;
  /** (members done, members total) */
  onMember?: (done: number, total: number) => void;
}

export interface UncertaintySummary {
  /** Voxels in the region of interest. */
  roiVoxels: number;
  /** Mean predictive entropy over the region, normalised by ln K (0..1). */
  entropy: number;
  /** Mean over the region of Σ_c Var_members(p_c) across mirroring members (0 without TTA). */
  ttaVariance: number;
  /** Fraction of the region where some mirroring member's class differs from the ensemble's. */
  mirrorDisagreement: number;
  /** Mean over the region of Σ_c Var_samples(p_c) across MC-dropout samples; null when not run. */
  mcVariance: number | null;
  /** Mirroring members and MC-dropout samples run. */
  members: number;
  mcSamples: number;
}

export interface UncertainPrediction {
  /** The first channel file as read (its geometry is the outputs'). */
  image: Image;
  /** Every channel file as read, in order. */
  images: Image[];
  labels: Image;
  /** [i, j, k, K] mean probabilities. */
  probabilities: Image;
  /** Normalised predictive entropy per voxel (0..1). */
  entropy: Float32Array;
  summary: UncertaintySummary;
}

/** Running sum and sum of squares of probability maps ([K, ...] flat), for a mean and a variance. */
export class Moments {
  sum: Float32Array;
  sq: Float32Array;
  count = 0;
  constructor(size: number) {
    this.sum = new Float32Array(size);
    this.sq = new Float32Array(size);
  }
  add(p: ArrayLike<number>): void {
    for (let v = 0; v < this.sum.length; v++) {
      this.sum[v]! += p[v]!;
      this.sq[v]! += p[v]! * p[v]!;
    }
    this.count++;
  }
  /** Σ_c variance at voxel v (population variance over the members). */
  varianceAt(v: number, n: number, K: number): number {
    let s = 0;
    for (let c = 0; c < K; c++) {
      const m = this.sum[c * n + v]! / this.count;
      s += Math.max(0, this.sq[c * n + v]! / this.count - m * m);
    }
    return s;
  }
}

function cachedReader(base: ImageReader): { reader: ImageReader; read: Map<string, Image> } {
  const read = new Map<string, Image>();
  const reader: ImageReader = async (path, options) => {
    const key = `${path}\0${JSON.stringify(options ?? {})}`;
    let image = read.get(key);
    if (!image) {
      image = await base(path, options);
      read.set(key, image);
    }
    return image;
  };
  return { reader, read };
}

/** Predicts one case with mirroring members (and MC dropout samples) and summarises their uncertainty. */
export async function predictWithUncertainty(
  run: PredictionRun & { model: WindowModel },
  input: PredictionInput,
  options: UncertaintyOptions = {},
): Promise<UncertainPrediction> {
  const { reader, read } = cachedReader(options.reader ?? readImage);
  const dims = run.plan.dimension === '3d' ? 3 : 2;
  const flips = options.tta === false ? [[]] : mirrorCombinations([...Array(dims).keys()].map((a) => a + 2));
  const dropout = hasDropout(run.model) ? run.model : null;
  const mcSamples = dropout ? (options.mcSamples ?? 0) : 0;
  const total = flips.length + mcSamples;
  const K = run.datasetInfo.numClasses;
  let first: Image | undefined;
  let mirror: Moments | undefined;
  const memberClasses: Uint8Array[] = [];
  let n = 0;
  for (const [m, axes] of flips.entries()) {
    const model = axes.length ? new Mirrored(run.model, axes) : run.model;
    const p = await predictCase({ ...run, model }, input, {
      tta: false,
      probabilities: true,
      overlap: options.overlap,
      reader,
    });
    const probs = p.probabilities!;
    if (!first) {
      first = p.labels;
      n = probs.data.length / K;
      mirror = new Moments(probs.data.length);
    }
    mirror!.add(probs.data);
    memberClasses.push(argmaxChannels(probs.data, K) as Uint8Array);
    options.onMember?.(m + 1, total);
  }
  let mc: Moments | undefined;
  if (dropout && mcSamples > 0) {
    const model = new WithDropout(dropout);
    mc = new Moments(K * n);
    for (let s = 0; s < mcSamples; s++) {
      const p = await predictCase({ ...run, model }, input, {
        tta: false,
        probabilities: true,
        overlap: options.overlap,
        reader,
      });
      mc.add(p.probabilities!.data);
      options.onMember?.(flips.length + s + 1, total);
    }
    dropout.eval();
  }
  const mean = Float32Array.from(mirror!.sum, (s) => s / mirror!.count);
  let labels = argmaxChannels(mean, K) as Uint8Array;
  if (options.postprocess) labels = postprocess(labels, first!.shape.slice(0, 3), options.postprocess);
  const { summary, entropy } = summarizeUncertainty(mirror!, memberClasses, mc, K, options.roiThreshold ?? 0.1);
  const images = [...read.values()];
  const image = images[0]!;
  const geometry = { spacing: first!.spacing, origin: first!.origin, direction: first!.direction };
  return {
    image,
    images,
    labels: createImage(labels, first!.shape.slice(0, 3), geometry),
    probabilities: createImage(mean, [...first!.shape.slice(0, 3), K], geometry),
    entropy,
    summary,
  };
}

/**
 * The uncertainty summary of mirroring members (and MC-dropout samples): per-voxel normalised
 * entropy of the mean, and the region-of-interest averages (see the module comment).
 *
 * @param mirror - the members' probability maps, [K, n] each
 * @param memberClasses - each member's class per voxel
 * @param mc - the MC-dropout samples' maps, if any
 */
export function summarizeUncertainty(
  mirror: Moments,
  memberClasses: readonly Uint8Array[],
  mc: Moments | undefined,
  K: number,
  roiThreshold: number,
): { summary: UncertaintySummary; entropy: Float32Array } {
  const n = mirror.sum.length / K;
  const mean = Float32Array.from(mirror.sum, (s) => s / mirror.count);
  const ensemble = argmaxChannels(mean, K);
  const entropy = new Float32Array(n);
  const logK = Math.log(K);
  let roi = 0;
  let sumEntropy = 0;
  let sumTta = 0;
  let sumMc = 0;
  let disagree = 0;
  for (let v = 0; v < n; v++) {
    let h = 0;
    for (let c = 0; c < K; c++) {
      const p = mean[c * n + v]!;
      if (p > 0) h -= p * Math.log(p);
    }
    entropy[v] = logK > 0 ? h / logK : 0;
    // in the region when some member labels it foreground, or its mean foreground probability is high enough
    let inRoi = 1 - mean[v]! >= roiThreshold;
    for (const member of memberClasses) if (member[v] !== 0) inRoi = true;
    if (!inRoi) continue;
    roi++;
    sumEntropy += entropy[v]!;
    if (mirror.count > 1) sumTta += mirror.varianceAt(v, n, K);
    if (mc) sumMc += mc.varianceAt(v, n, K);
    if (memberClasses.some((member) => member[v] !== ensemble[v])) disagree++;
  }
  return {
    entropy,
    summary: {
      roiVoxels: roi,
      entropy: roi ? sumEntropy / roi : 0,
      ttaVariance: roi ? sumTta / roi : 0,
      mirrorDisagreement: roi ? disagree / roi : 0,
      mcVariance: mc ? (roi ? sumMc / roi : 0) : null,
      members: memberClasses.length,
      mcSamples: mc?.count ?? 0,
    },
  };
}
