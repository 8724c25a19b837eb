/**
 * U-Net configuration: what a plan (or a user's config file) gives, and its resolution into one
 * explicit value per stage. The resolved form is plain JSON, so a run folder can save it and rebuild
 * exactly the same network (same parameter names and shapes) from it.
 */
import { OptionError } from '../util/errors.js';
import {
  ACTIVATION_TYPES,
  NORM_TYPES,
  perAxis,
  type ActivationType,
  type NormType,
  type Size,
  type SpatialDims,
} from './factories.js';

export interface UNetOptions {
  spatialDims: SpatialDims;
  inChannels: number;
  /** output channels: one per class, background included */
  numClasses: number;
  /** channels per stage, e.g. [32, 64, 128, 256, 320]; its length is the number of stages */
  features?: readonly number[];
  /** stages when `features` is not given (default 5): 32·2^s channels, capped at 512 (2D) / 320 (3D) as in nnU-Net */
  nStages?: number;
  /** one size for every stage and axis (default 3), or per stage (each a number or one per axis) */
  kernelSizes?: number | readonly Size[];
  /** per stage: the down-sampling into that stage (stage 0 must be 1); default 1 then 2 on every axis */
  strides?: readonly Size[];
  /** 'conv': strided convolution (nnU-Net, default); 'maxpool': max-pool then convolutions (classic U-Net) */
  downsampling?: 'conv' | 'maxpool';
  /** convolutions per encoder stage (default 2) */
  convsPerStage?: number | readonly number[];
  /** convolutions per decoder stage, deepest first (default 2) */
  convsPerDecoderStage?: number | readonly number[];
  norm?: NormType;
  /** groups of group norm (default gcd(8, channels)) */
  normGroups?: number | null;
  activation?: ActivationType;
  /** LeakyReLU slope (default 0.01) */
  negativeSlope?: number;
  /** bias in the 3×3 convolutions (default true, as nnU-Net) */
  convBias?: boolean;
  /** dropout probability after each convolution (default 0) */
  dropout?: number;
  /** residual encoder (nnU-Net's ResidualEncoderUNet): a stem then residual blocks per stage */
  residual?: boolean;
  /** residual blocks per stage (default nnU-Net ResEnc-M: 1, 3, 4, 6, 6, 6, ...) */
  blocksPerStage?: number | readonly number[];
  /** extra 1×1 heads on every decoder level; in training mode forward returns all outputs (default false) */
  deepSupervision?: boolean;
  /** attention gates on the skip connections (Oktay et al.) */
  attention?: boolean;
  /**
   * decoder up-sampling: 'transposed' (nnU-Net's transposed convolution, kernel = stride; default) or
   * 'resize_conv' (nearest up-sampling then a convolution: no transposed convolution in the network, which
   * onnxruntime-web's WebGPU backend lacks in 3D; also free of checkerboard artefacts)
   */
  upsampling?: 'transposed' | 'resize_conv';
  /** weight initialisation: 'he' (nnU-Net: Kaiming normal a=0.01, zero biases; default) or 'pytorch' (layer defaults) */
  init?: 'he' | 'pytorch';
}

export interface UNetConfig {
  spatialDims: SpatialDims;
  inChannels: number;
  numClasses: number;
  features: number[];
  kernelSizes: number[][];
  strides: number[][];
  downsampling: 'conv' | 'maxpool';
  convsPerStage: number[];
  convsPerDecoderStage: number[];
  norm: NormType;
  normGroups: number | null;
  activation: ActivationType;
  negativeSlope: number;
  convBias: boolean;
  dropout: number;
  residual: boolean;
  blocksPerStage: number[];
  deepSupervision: boolean;
  attention: boolean;
  upsampling: 'transposed' | 'resize_conv';
  init: 'he' | 'pytorch';
}

const RES_ENC_M_BLOCKS = [1, 3, 4, 6, 6, 6];

function positiveInt(v: unknown, option: string): number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1))
    throw new OptionError(option, `expected a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function perStage(
  v: number | readonly number[] | undefined,
  n: number,
  fallback: (i: number) => number,
  option: string,
): number[] {
  if (v === undefined) return Array.from({ length: n }, (_, i) => fallback(i));
  if (typeof v === 'number') return new Array<number>(n).fill(positiveInt(v, option));
  if (v.length !== n) throw new OptionError(option, `expected ${n} values (one per stage), got ${v.length}`);
  return v.map((x) => positiveInt(x, option));
}

/** nnU-Net's channel rule: 32·2^s, capped at 512 in 2D and 320 in 3D. */
export function defaultFeatures(nStages: number, dims: SpatialDims): number[] {
  const cap = dims === 2 ? 512 : 320;
  return Array.from({ length: nStages }, (_, s) => Math.min(32 * 2 ** s, cap));
}

/**
 * Every option of a U-Net made explicit (features, kernels, strides per stage, norm ...), checked.
 * @throws OptionError naming the option for a value that does not fit
 */
export function resolveUNetConfig(o: UNetOptions): UNetConfig {
  if (o.spatialDims !== 2 && o.spatialDims !== 3)
    throw new OptionError('spatialDims', `expected 2 or 3, got ${JSON.stringify(o.spatialDims)}`);
  const dims = o.spatialDims;
  const inChannels = positiveInt(o.inChannels, 'inChannels');
  const numClasses = positiveInt(o.numClasses, 'numClasses');
  const features =
    o.features === undefined
      ? defaultFeatures(positiveInt(o.nStages ?? 5, 'nStages'), dims)
      : o.features.map((f) => positiveInt(f, 'features'));
  const n = features.length;
  if (n < 2) throw new OptionError('features', `a U-Net needs at least 2 stages, got ${n}`);

  const kernelList =
    o.kernelSizes === undefined || typeof o.kernelSizes === 'number'
      ? new Array<Size>(n).fill(o.kernelSizes ?? 3)
      : o.kernelSizes;
  if (kernelList.length !== n)
    throw new OptionError('kernelSizes', `expected ${n} entries (one per stage), got ${kernelList.length}`);
  const kernelSizes = kernelList.map((k) => perAxis(k, dims, 'kernelSizes'));
  for (const k of kernelSizes)
    if (!k.every((v) => v % 2 === 1))
      throw new OptionError('kernelSizes', `must be odd (for 'same' padding), got [${k.join(', ')}]`);

  const strideList = o.strides ?? Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 2));
  if (strideList.length !== n)
    throw new OptionError('strides', `expected ${n} entries (one per stage), got ${strideList.length}`);
  const strides = strideList.map((s) => perAxis(s, dims, 'strides'));
  if (!strides[0]!.every((v) => v === 1))
    throw new OptionError(
      'strides',
      `stage 0 must have stride 1 (the output keeps the input size), got [${strides[0]!.join(', ')}]`,
    );

  const downsampling = o.downsampling ?? 'conv';
  if (downsampling !== 'conv' && downsampling !== 'maxpool')
    throw new OptionError('downsampling', `expected conv or maxpool, got ${String(downsampling)}`);
  const norm = o.norm ?? 'instance';
  if (!NORM_TYPES.includes(norm))
    throw new OptionError('norm', `expected one of ${NORM_TYPES.join(', ')}, got ${String(norm)}`);
  const activation = o.activation ?? 'leakyrelu';
  if (!ACTIVATION_TYPES.includes(activation))
    throw new OptionError('activation', `expected one of ${ACTIVATION_TYPES.join(', ')}, got ${String(activation)}`);
  const negativeSlope = o.negativeSlope ?? 0.01;
  if (!(Number.isFinite(negativeSlope) && negativeSlope >= 0))
    throw new OptionError('negativeSlope', `must be a finite number >= 0, got ${negativeSlope}`);
  const dropout = o.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new OptionError('dropout', `must lie in [0, 1), got ${dropout}`);
  const init = o.init ?? 'he';
  if (init !== 'he' && init !== 'pytorch') throw new OptionError('init', `expected he or pytorch, got ${String(init)}`);
  const upsampling = o.upsampling ?? 'transposed';
  if (upsampling !== 'transposed' && upsampling !== 'resize_conv')
    throw new OptionError('upsampling', `expected transposed or resize_conv, got ${String(upsampling)}`);
  const residual = !!o.residual;
  if (residual && downsampling === 'maxpool')
    throw new OptionError('downsampling', 'the residual encoder down-samples in its blocks; use conv');

  return {
    spatialDims: dims,
    inChannels,
    numClasses,
    features,
    kernelSizes,
    strides,
    downsampling,
    convsPerStage: perStage(o.convsPerStage, n, () => 2, 'convsPerStage'),
    convsPerDecoderStage: perStage(o.convsPerDecoderStage, n - 1, () => 2, 'convsPerDecoderStage'),
    norm,
    normGroups: o.normGroups ?? null,
    activation,
    negativeSlope,
    convBias: o.convBias ?? true,
    dropout,
    residual,
    blocksPerStage: perStage(
      o.blocksPerStage,
      n,
      (i) => RES_ENC_M_BLOCKS[Math.min(i, RES_ENC_M_BLOCKS.length - 1)]!,
      'blocksPerStage',
    ),
    deepSupervision: !!o.deepSupervision,
    attention: !!o.attention,
    upsampling,
    init,
  };
}

/** What every input edge must be divisible by: the product of the strides per axis. */
export function inputDivisor(config: Pick<UNetConfig, 'strides' | 'spatialDims'>): number[] {
  return Array.from({ length: config.spatialDims }, (_, a) => config.strides.reduce((p, s) => p * s[a]!, 1));
}
