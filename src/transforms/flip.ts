/** Mirroring along spatial axes (its own inverse) and its sampler (nnU-Net: each axis with p 0.5). */
import * as ve from '../engine/index.js';
import type { Random } from '../util/random.js';
import {
  type RandomTransform,
  type SampleContext,
  type Subject,
  type Transform,
  type TransformRecord,
  coin,
} from './transform.js';

/** Mirroring along spatial axes; its own inverse. */
export class Flip implements Transform {
  readonly name = 'Flip';
  readonly invertible = true;
  /** Spatial axes (0 = first spatial axis). */
  readonly axes: number[];
  /**
   * Creates a `Flip`.
   * @param axes spatial axes to mirror (0 = first spatial axis)
   */
  constructor(axes: readonly number[]) {
    this.axes = [...axes];
  }
  apply(s: Subject): Subject {
    if (this.axes.length === 0) return { image: s.image.clone(), label: s.label?.clone() };
    const dims = this.axes.map((a) => a + 1);
    return s.label
      ? { image: ve.flip(s.image, dims), label: ve.flip(s.label, dims) }
      : { image: ve.flip(s.image, dims) };
  }
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return { name: this.name, params: { axes: [...this.axes] } };
  }
  inverse(): Transform {
    return new Flip(this.axes);
  }
}

/** Samples `Flip`: each axis (all spatial axes when `axes` is null) flips with probability p. */
export class RandomFlip implements RandomTransform {
  readonly name = 'Flip';
  /** Per-axis probability. */
  constructor(
    readonly p = 0.5,
    readonly axes: readonly number[] | null = null,
  ) {}
  sample(rng: Random, context: SampleContext): Flip | null {
    const axes = this.axes ?? context.spatialShape.map((_, a) => a);
    const chosen = axes.filter(() => coin(rng, this.p));
    return chosen.length > 0 ? new Flip(chosen) : null;
  }
}
