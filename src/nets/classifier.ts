/**
 * What every classification network shares: an embedding (the pooled feature vector before the last
 * linear layer), a head that turns it into logits, the name of that head (replaced when fine-tuning
 * to a new class count) and of the layer whose feature map Grad-CAM looks at by default. Networks
 * return logits; softmax (one class) or sigmoid (several labels) belongs to the loss and prediction.
 */
import { Module } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError, ShapeError } from '../util/errors.js';
import type { SpatialDims, TensorModule } from './factories.js';

/** Options every classifier takes. */
export interface ClassifierOptions {
  /** 2 or 3 (default 2). */
  spatialDims?: SpatialDims;
  /** Input channels (default 3, as ImageNet models). */
  inChannels?: number;
  /** Outputs of the head (default 1000). */
  numClasses?: number;
  /** Dropout before the last linear layer (default 0). */
  dropout?: number;
}

/** The options every classifier shares, resolved and checked. */
export interface ClassifierBasics {
  spatialDims: SpatialDims;
  inChannels: number;
  numClasses: number;
  dropout: number;
}

/**
 * Resolves and checks the shared classifier options (spatial dimensions, channels, classes, dropout).
 * @throws OptionError naming the option for a value out of range
 */
export function classifierBasics(o: ClassifierOptions, defaultDropout = 0): ClassifierBasics {
  const spatialDims = o.spatialDims ?? 2;
  if (spatialDims !== 2 && spatialDims !== 3)
    throw new OptionError('spatialDims', `must be 2 or 3, got ${String(spatialDims)}`);
  const inChannels = o.inChannels ?? 3;
  const numClasses = o.numClasses ?? 1000;
  const dropout = o.dropout ?? defaultDropout;
  if (!(Number.isInteger(inChannels) && inChannels >= 1))
    throw new OptionError('inChannels', `must be a positive integer, got ${inChannels}`);
  if (!(Number.isInteger(numClasses) && numClasses >= 1))
    throw new OptionError('numClasses', `must be a positive integer, got ${numClasses}`);
  if (!(dropout >= 0 && dropout < 1)) throw new OptionError('dropout', `must lie in [0, 1), got ${dropout}`);
  return { spatialDims, inChannels, numClasses, dropout };
}

/**
 * A network whose layers output token sequences (N, 1 + L, E) over a patch grid (the ViT): Grad-CAM
 * turns such tokens into a feature map (N, E, …grid) before weighing them.
 */
export interface TokenGrid {
  /** Tokens (N, 1 + L, E) → (N, E, …patch grid), the leading class token dropped. */
  tokensToGrid(tokens: Tensor): Tensor;
}

/** Whether `model` lays its tokens on a patch grid (implements `TokenGrid`). */
export function hasTokenGrid(model: unknown): model is TokenGrid {
  return typeof (model as Partial<TokenGrid> | null)?.tokensToGrid === 'function';
}

/** The base of every classification network (this file's comment). */
export abstract class Classifier extends Module<[Tensor], Tensor> {
  abstract readonly spatialDims: SpatialDims;
  abstract readonly inChannels: number;
  abstract readonly numClasses: number;
  /** Length of the embedding. */
  abstract readonly numFeatures: number;
  /** Module name of the final linear layer (its parameters are `${headName}.weight` / `.bias`). */
  abstract readonly headName: string;
  /** Module name of the last spatial feature map: Grad-CAM's default layer. */
  abstract readonly camLayer: string;

  /** The pooled feature vector (N, numFeatures) before the head. */
  abstract embed(x: Tensor): Tensor;
  /** Logits (N, numClasses) from an embedding. */
  abstract logitsFrom(embedding: Tensor): Tensor;

  /** head(dropout(embedding)) (without dropout when it is null), the intermediate disposed. */
  protected applyHead(embedding: Tensor, dropout: TensorModule | null, head: TensorModule): Tensor {
    if (!dropout) return head.forward(embedding);
    const d = dropout.forward(embedding);
    const out = head.forward(d);
    d.dispose();
    return out;
  }

  /** The feature map `h` pooled by `pool` and flattened to (N, features); `h` is disposed. */
  protected poolFlat(h: Tensor, pool: TensorModule): Tensor {
    const pooled = pool.forward(h);
    h.dispose();
    const flat = ve.flatten(pooled, 1);
    pooled.dispose();
    return flat;
  }

  forward(x: Tensor): Tensor {
    const e = this.embed(x);
    const out = this.logitsFrom(e);
    e.dispose();
    return out;
  }

  /**
   * Throws a ShapeError unless x is (N, inChannels, spatial...) with `minSize` voxels per axis at least
   * (`hint` follows the message when an axis is too small).
   */
  protected checkInput(x: Tensor, minSize = 1, hint = ''): void {
    const s = x.shape;
    const name = this.constructor.name;
    if (s.length !== this.spatialDims + 2)
      throw new ShapeError(
        `${name} (${this.spatialDims}D) expects input (N, C, ${this.spatialDims === 2 ? 'H, W' : 'D, H, W'}), got shape [${s.join(', ')}]`,
      );
    if (s[1] !== this.inChannels)
      throw new ShapeError(
        `${name} expects ${this.inChannels} input channel(s), got ${s[1]} (shape [${s.join(', ')}])`,
      );
    if (s.slice(2).some((d) => d < minSize))
      throw new ShapeError(
        `${name} needs at least ${minSize} voxels per axis, got [${s.slice(2).join(', ')}]${hint ? `; ${hint}` : ''}`,
      );
  }
}
