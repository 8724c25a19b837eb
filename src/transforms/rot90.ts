/**
 * Quarter turns in a plane of two spatial axes (i < j), in the same sense as a rotation by k·90° of
 * the spatial transform: out[.., o_i, .., o_j, ..] = in[.., (S−1)/2 − (o_j − (S−1)/2), .., o_i, ..]
 * for k = 1. Exact (no interpolation); the inverse turns 4 − k times.
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/index.js';
import type { Random } from '../util/random.js';
import { planes } from './spatial-math.js';
import {
  type RandomTransform,
  type SampleContext,
  type Subject,
  type Transform,
  type TransformRecord,
  coin,
} from './transform.js';

/** `x` (C, [D,] H, W) turned k quarter turns in the plane of two spatial axes; exact. */
export function rot90(x: Tensor, k: number, plane: readonly [number, number]): Tensor {
  const [i, j] = [plane[0] + 1, plane[1] + 1];
  const turns = ((k % 4) + 4) % 4;
  if (turns === 0) return x.clone();
  if (turns === 2) return ve.flip(x, [i, j]);
  // k = 1: out[a, b] = in[S−1−b, a] → transpose then flip the second axis of the plane
  if (turns === 1) return ve.tidy(() => ve.flip(ve.transpose(x, i, j), [j]).contiguous());
  return ve.tidy(() => ve.flip(ve.transpose(x, i, j), [i]).contiguous());
}

/** k quarter turns in a plane of two spatial axes; exact and invertible. */
export class Rot90 implements Transform {
  readonly name = 'Rot90';
  readonly invertible = true;
  readonly plane: [number, number];
  /**
   * Creates a `Rot90`.
   * @param k quarter turns (any integer; negative turns the other way)
   * @param plane two spatial axes (0 = first spatial axis)
   */
  constructor(
    readonly k: number,
    plane: readonly [number, number],
  ) {
    this.plane = [Math.min(...plane), Math.max(...plane)];
  }
  apply(s: Subject): Subject {
    const image = rot90(s.image, this.k, this.plane);
    return s.label ? { image, label: rot90(s.label, this.k, this.plane) } : { image };
  }
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return { name: this.name, params: { k: this.k, plane: [...this.plane] } };
  }
  inverse(): Transform {
    return new Rot90(4 - (((this.k % 4) + 4) % 4), this.plane);
  }
}

/** One to three quarter turns in a random plane whose two axes have the same size (shape kept). */
export class RandomRot90 implements RandomTransform {
  readonly name = 'Rot90';
  /**
   * Creates a `RandomRot90`.
   * @param p the probability of turning a sample (nnU-Net's default pipeline: 0, off)
   */
  constructor(readonly p = 0.5) {}
  sample(rng: Random, context: SampleContext): Rot90 | null {
    if (!coin(rng, this.p)) return null;
    const shape = context.spatialShape;
    const square = planes(shape.length).filter(([i, j]) => shape[i] === shape[j]);
    if (square.length === 0) return null;
    const plane = square[rng.int(square.length)]!;
    return new Rot90(1 + rng.int(3), plane);
  }
}
