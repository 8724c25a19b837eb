/**
 * Vision Transformer (Dosovitskiy et al. 2021) for 2D and 3D from one definition, with torchvision's
 * VisionTransformer state-dict names: conv_proj (the patch embedding: a convolution with kernel =
 * stride = patch), class_token, encoder.pos_embedding, encoder.layers.encoder_layer_N.{ln_1,
 * self_attention.{in_proj_weight, in_proj_bias, out_proj}, ln_2, mlp.0, mlp.3}, encoder.ln, heads.head.
 * 3D uses cubic patches (Conv3d) and a position embedding over the D×H×W patch grid.
 *
 * Sizes: ViT-Tiny (192 wide, 12 blocks, 3 heads, MLP 768), ViT-Small (384, 12, 6, 1536) and ViT-Base
 * (768, 12, 12, 3072: torchvision's vit_b_16 with patch 16 at 224²). The network is built for one input
 * size; weights trained at another size load with their position embeddings interpolated over the
 * patch grid as torchvision's `interpolate_embeddings` does (bicubic, corners aligned; trilinear in 3D).
 *
 * Grad-CAM: the tokens of a block (N, 1 + L, E) become a feature map (N, E, …patch grid) through
 * `tokensToGrid`; the default layer is the last block's ln_1 (the last tokens the patch positions
 * influence the class token through: after the last attention, only the class token reaches the head).
 */
import { zeros } from '../engine/creation.js';
import { Conv, Dropout, Linear, NamedSequential } from '../engine/nn/index.js';
import { constant_, truncNormal_ } from '../engine/nn/init.js';
import type { StateDict } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError, ShapeError } from '../util/errors.js';
import { Classifier, type ClassifierOptions, classifierBasics } from './classifier.js';
import { perAxis, type Size, type SpatialDims, type TensorModule } from './factories.js';
import { Encoder } from './vit-blocks.js';

/** The named ViT sizes. */
export const VIT_VARIANTS = {
  tiny: { hiddenDim: 192, numLayers: 12, numHeads: 3, mlpDim: 768 },
  small: { hiddenDim: 384, numLayers: 12, numHeads: 6, mlpDim: 1536 },
  base: { hiddenDim: 768, numLayers: 12, numHeads: 12, mlpDim: 3072 },
} as const;
export type ViTVariant = keyof typeof VIT_VARIANTS;

export interface ViTOptions extends ClassifierOptions {
  /** The input size the network is built for: one edge for every axis, or [H, W] / [D, H, W]. */
  imageSize: Size;
  /** Patch edge (default 16; e.g. 4 for 28×28); every axis of imageSize must be a multiple. */
  patchSize?: number;
  /** 'tiny' (default), 'small' or 'base'; the four sizes below override it. */
  variant?: ViTVariant;
  hiddenDim?: number;
  numLayers?: number;
  numHeads?: number;
  mlpDim?: number;
  /** torchvision's dropout (after the position embedding, the attention and in the MLP; default 0). */
  encoderDropout?: number;
  /** torchvision's attention_dropout, on the attention weights (default 0). */
  attentionDropout?: number;
}

/** Vision Transformer for 2D and 3D with torchvision's state-dict names (this file's comment). */
export class VisionTransformer extends Classifier {
  readonly spatialDims: SpatialDims;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly headName = 'heads.head';
  readonly camLayer: string;
  readonly imageSize: number[];
  readonly patchSize: number;
  /** Patches per axis. */
  readonly grid: number[];
  readonly numLayers: number;
  readonly numHeads: number;
  readonly mlpDim: number;
  readonly conv_proj: TensorModule;
  readonly encoder: Encoder;
  readonly dropout: TensorModule | null;
  readonly heads: NamedSequential;

  /**
   * Creates a ViT for inputs of `options.imageSize`.
   * @throws OptionError naming the option for a size that is not a multiple of the patch, or a width
   * that the heads do not divide
   *
   * @example
   * ```ts
   * import { VisionTransformer } from 'vesalius/nets';
   * const net = new VisionTransformer({ variant: 'small', imageSize: 28, patchSize: 4, inChannels: 1, numClasses: 2 });
   * ```
   */
  constructor(options: ViTOptions) {
    super();
    const b = classifierBasics(options);
    this.spatialDims = b.spatialDims;
    this.inChannels = b.inChannels;
    this.numClasses = b.numClasses;
    const variant = options.variant ?? 'tiny';
    const preset = VIT_VARIANTS[variant];
    if (!preset) throw new OptionError('variant', `must be tiny, small or base, got ${String(variant)}`);
    const hiddenDim = options.hiddenDim ?? preset.hiddenDim;
    this.numLayers = options.numLayers ?? preset.numLayers;
    this.numHeads = options.numHeads ?? preset.numHeads;
    this.mlpDim = options.mlpDim ?? preset.mlpDim;
    this.patchSize = options.patchSize ?? 16;
    for (const [k, v] of Object.entries({
      hiddenDim,
      numLayers: this.numLayers,
      numHeads: this.numHeads,
      mlpDim: this.mlpDim,
      patchSize: this.patchSize,
    }))
      if (!(Number.isInteger(v) && v >= 1)) throw new OptionError(k, `must be a positive integer, got ${v}`);
    if (hiddenDim % this.numHeads !== 0)
      throw new OptionError('numHeads', `${this.numHeads} heads do not divide the width ${hiddenDim}`);
    if (options.imageSize === undefined)
      throw new OptionError('imageSize', 'is required: the input size the ViT is for');
    this.imageSize = perAxis(options.imageSize, b.spatialDims, 'imageSize');
    if (this.imageSize.some((s) => s % this.patchSize !== 0))
      throw new OptionError(
        'patchSize',
        `the input size [${this.imageSize.join(', ')}] is not a multiple of the patch size ${this.patchSize}`,
      );
    this.grid = this.imageSize.map((s) => s / this.patchSize);
    const dropouts = { encoderDropout: options.encoderDropout ?? 0, attentionDropout: options.attentionDropout ?? 0 };
    for (const [k, v] of Object.entries(dropouts))
      if (!(v >= 0 && v < 1)) throw new OptionError(k, `must lie in [0, 1), got ${v}`);
    this.numFeatures = hiddenDim;
    this.camLayer = `encoder.layers.encoder_layer_${this.numLayers - 1}.ln_1`;

    const proj = new Conv(b.spatialDims, b.inChannels, hiddenDim, this.patchSize, { stride: this.patchSize });
    this.conv_proj = this.registerModule('conv_proj', proj);
    this.registerParameter('class_token', zeros([1, 1, hiddenDim]));
    const seqLength = this.grid.reduce((a, g) => a * g, 1) + 1;
    this.encoder = this.registerModule(
      'encoder',
      new Encoder(seqLength, this.numLayers, {
        hiddenDim,
        numHeads: this.numHeads,
        mlpDim: this.mlpDim,
        dropout: dropouts.encoderDropout,
        attentionDropout: dropouts.attentionDropout,
      }),
    );
    this.dropout = b.dropout > 0 ? this.registerModule('dropout', new Dropout(b.dropout)) : null;
    const head = new Linear(hiddenDim, b.numClasses);
    this.heads = this.registerModule('heads', new NamedSequential([['head', head]]));
    // torchvision's: the patch projection truncated-normal with std √(1/fan_in), zero bias; a zero head
    const fanIn = b.inChannels * this.patchSize ** b.spatialDims;
    truncNormal_(proj.weight, 0, Math.sqrt(1 / fanIn));
    if (proj.bias) constant_(proj.bias, 0);
    constant_(head.weight, 0);
    constant_(head.bias!, 0);
  }

  /** The learnable class token (1, 1, E). */
  get class_token(): Tensor {
    return this.param('class_token')!;
  }

  /** The patch tokens with the class token in front (N, 1 + L, E). */
  tokens(x: Tensor): Tensor {
    this.checkInput(x);
    const size = x.shape.slice(2);
    if (size.some((s, i) => s !== this.imageSize[i]))
      throw new ShapeError(
        `VisionTransformer was built for ${this.imageSize.join('×')} inputs (${this.grid.join('×')} patches of ${this.patchSize}), got ${size.join('×')}; build it for that size (weights of another size load with interpolated position embeddings)`,
      );
    const p = this.conv_proj.forward(x);
    const flat = ve.flatten(p, 2);
    p.dispose();
    const patches = ve.transpose(flat, 1, 2);
    flat.dispose();
    const cls = ve.expand(this.class_token, [x.shape[0]!, 1, this.numFeatures]);
    const out = ve.cat([cls, patches], 1);
    cls.dispose();
    patches.dispose();
    return out;
  }

  /** The class token after the encoder (N, E). */
  embed(x: Tensor): Tensor {
    const t = this.tokens(x);
    const encoded = this.encoder.forward(t);
    t.dispose();
    const cls = ve.select(encoded, 1, 0);
    encoded.dispose();
    return cls;
  }

  logitsFrom(embedding: Tensor): Tensor {
    return this.applyHead(embedding, this.dropout, this.heads);
  }

  /**
   * A block's tokens (N, 1 + L, E) as a feature map (N, E, …patch grid), the class token dropped:
   * what Grad-CAM weighs and sums over the patch positions.
   * @throws ShapeError for a tensor that is not this network's token sequence
   */
  tokensToGrid(tokens: Tensor): Tensor {
    const count = this.grid.reduce((a, g) => a * g, 1);
    const s = tokens.shape;
    if (s.length !== 3 || s[1] !== count + 1)
      throw new ShapeError(
        `expected tokens (N, ${count + 1}, E) of the ${this.grid.join('×')} patch grid, got [${s.join(', ')}]`,
      );
    const patches = ve.slice(tokens, 1, 1);
    const channelsFirst = ve.transpose(patches, 1, 2);
    patches.dispose();
    const out = ve.reshape(channelsFirst, [s[0]!, s[2]!, ...this.grid]);
    channelsFirst.dispose();
    return out;
  }

  /**
   * Loads by name as every module does; a position embedding of another patch grid (weights trained
   * at another input size) is first interpolated to this network's grid.
   */
  override loadStateDict(state: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}) {
    const entries = state instanceof Map ? new Map(state) : new Map(Object.entries(state));
    const key = 'encoder.pos_embedding';
    const pos = entries.get(key);
    let resized: Tensor | null = null;
    if (pos && pos.shape[1] !== this.encoder.pos_embedding.shape[1]) {
      resized = interpolatePositionEmbedding(pos, this.grid);
      entries.set(key, resized);
    }
    try {
      return super.loadStateDict(entries, options);
    } finally {
      resized?.dispose();
    }
  }
}

/**
 * A position embedding (1, 1 + L, E) of a square (cubic in 3D) patch grid resampled to `grid`, the class
 * token's entry kept: torchvision's `interpolate_embeddings` (bicubic with aligned corners; trilinear
 * in 3D, where bicubic does not exist).
 * @throws ShapeError when L is not a square (2D) or a cube (3D)
 */
export function interpolatePositionEmbedding(pos: Tensor, grid: readonly number[]): Tensor {
  const [n, length, dim] = pos.shape as [number, number, number];
  const dims = grid.length;
  const side = Math.round((length - 1) ** (1 / dims));
  if (pos.ndim !== 3 || n !== 1 || side ** dims !== length - 1)
    throw new ShapeError(
      `encoder.pos_embedding [${pos.shape.join(', ')}] is not (1, 1 + L, E) with L a ${dims === 2 ? 'square' : 'cube'}: cannot interpolate it to the ${grid.join('×')} patch grid`,
    );
  const token = ve.slice(pos, 1, 0, 1);
  const image = ve.reshape(ve.transpose(ve.slice(pos, 1, 1), 1, 2), [1, dim, ...new Array<number>(dims).fill(side)]);
  const resized = ve.interpolate(image, {
    size: [...grid],
    mode: dims === 2 ? 'bicubic' : 'trilinear',
    alignCorners: true,
  });
  const back = ve.transpose(ve.reshape(resized, [1, dim, grid.reduce((a, g) => a * g, 1)]), 1, 2);
  const out = ve.cat([token, back], 1);
  for (const t of [token, image, resized, back]) t.dispose();
  return out;
}

/** ViT-Tiny (192 wide, 12 blocks, 3 heads). */
export const vitTiny = (o: Omit<ViTOptions, 'variant'>) => new VisionTransformer({ ...o, variant: 'tiny' });
/** ViT-Small (384 wide, 12 blocks, 6 heads). */
export const vitSmall = (o: Omit<ViTOptions, 'variant'>) => new VisionTransformer({ ...o, variant: 'small' });
