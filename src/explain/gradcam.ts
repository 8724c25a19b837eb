/**
 * Grad-CAM (Selvaraju et al. 2017) and Grad-CAM++ (Chattopadhay et al. 2018) for any named layer of any
 * network, 2D or 3D:
 *  - the score is a class's logit (classification), or the sum of a class's logits over a region
 *    (segmentation: the whole output, or where `region` is non-zero);
 *  - Grad-CAM: w_c = mean over positions of dS/dA_c; map = ReLU(Σ_c w_c·A_c);
 *  - Grad-CAM++: α = g² / (2g² + Σ_pos A·g³) (α = 0 where the denominator is 0), w_c = Σ_pos α·ReLU(g);
 *    map = ReLU(Σ_c w_c·A_c) — the closed form with the exponential score, as pytorch-grad-cam uses;
 * then the map is upsampled to the input's size (bi/trilinear, half-voxel aligned). The raw map is
 * returned too, at the layer's resolution, and the maps are not rescaled (normalise for display).
 */
import { noGrad } from '../engine/autograd.js';
import { tidy } from '../engine/memory.js';
import type { AnyModule } from '../engine/nn/module.js';
import * as ve from '../engine/ops.js';
import type { Tensor } from '../engine/tensor.js';
import { hasTokenGrid } from '../nets/classifier.js';
import { OptionError, ShapeError } from '../util/errors.js';
import { forwardCapturing } from './capture.js';

export type CamMethod = 'gradcam' | 'gradcam++';

export interface CamOptions {
  layer: string;
  method?: CamMethod;
  /** Class whose score is explained (default: the predicted one). */
  classIndex?: number;
  /** Segmentation: the voxels (output's spatial shape) whose class logits are summed; default every voxel. */
  region?: Tensor;
}

export interface CamResult {
  /** (…input spatial size), float32, ≥ 0. */
  map: Float32Array;
  shape: number[];
  /** At the layer's resolution. */
  raw: Float32Array;
  rawShape: number[];
  classIndex: number;
  /** The explained class's score (logit, or summed logits). */
  score: number;
}

/**
 * The captured activation and its gradient as feature maps (N, C, …spatial): token sequences of a
 * transformer (N, 1 + L, E) are laid on its patch grid; anything else without the input's spatial
 * rank is refused, naming the layer.
 */
function featureMaps(
  model: AnyModule,
  layer: string,
  a: Tensor,
  g: Tensor,
  dims: number,
): { a: Tensor; grads: Tensor } {
  if (a.ndim === 3 && hasTokenGrid(model) && dims !== 1)
    return { a: model.tokensToGrid(a), grads: model.tokensToGrid(g) };
  if (a.ndim !== dims + 2)
    throw new OptionError(
      'layer',
      `'${layer}' outputs shape [${a.shape.join(', ')}], not a ${dims}D feature map (N, C, ${dims === 2 ? 'H, W' : 'D, H, W'}): choose a convolutional layer`,
    );
  return { a, grads: g };
}

/** Grad-CAM / Grad-CAM++ of one input (1, C, ...spatial). */
export function gradCam(model: AnyModule, input: Tensor, options: CamOptions): CamResult {
  if (input.shape[0] !== 1) throw new ShapeError(`explain one input at a time, got a batch of ${input.shape[0]}`);
  const wasTraining = model.training;
  model.eval();
  try {
    return tidy(() => {
      const { output, activation } = forwardCapturing(model, options.layer, input);
      const k = output.shape[1]!;
      const classIndex =
        options.classIndex ??
        (noGrad(() => {
          const perClass = output.ndim > 2 ? output.flatten(2).mean({ dim: 2 }) : output;
          return ve.argmax(perClass, { dim: 1 }).item();
        }) as number);
      if (!(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < k))
        throw new OptionError('class', `must be a class index in 0..${k - 1}, got ${classIndex}`);
      let score = output.select(1, classIndex);
      if (options.region) score = ve.mul(score, options.region.reshape(score.shape).to({ dtype: score.dtype }));
      score = score.sum();
      score.backward();
      const grad = activation.grad;
      if (!grad) throw new OptionError('layer', `'${options.layer}' does not influence the score`);
      const { a, grads } = featureMaps(model, options.layer, activation.detach(), grad, input.ndim - 2);
      const dims = a.ndim - 2;
      const spatial = Array.from({ length: dims }, (_, i) => i + 2);
      let weights: Tensor;
      if ((options.method ?? 'gradcam') === 'gradcam') {
        weights = grads.mean({ dim: spatial, keepdim: true });
      } else {
        const g2 = grads.square();
        const g3 = g2.mul(grads);
        const sumA = a.sum({ dim: spatial, keepdim: true });
        const denominator = g2.mul(2).add(sumA.mul(g3));
        const alpha = ve.where(ve.ne(denominator, 0), g2.div(ve.where(ve.ne(denominator, 0), denominator, 1)), 0);
        weights = alpha.mul(ve.relu(grads)).sum({ dim: spatial, keepdim: true });
      }
      const cam = ve.relu(weights.mul(a).sum({ dim: 1, keepdim: true }));
      const size = input.shape.slice(2);
      const up = cam.shape.slice(2).every((n, i) => n === size[i])
        ? cam
        : ve.interpolate(cam, { size, mode: dims === 2 ? 'bilinear' : 'trilinear', alignCorners: false });
      const result: CamResult = {
        map: ve.relu(up).contiguous().toArray() as Float32Array,
        shape: size,
        raw: cam.contiguous().toArray() as Float32Array,
        rawShape: cam.shape.slice(2),
        classIndex,
        score: score.item(),
      };
      activation.dispose();
      return result;
    });
  } finally {
    model.train(wasTraining);
  }
}
