/**
 * Additive Gaussian noise (nnU-Net: p 0.1, variance U(0, 0.1), one variance for all channels).
 * The drawn value is used as a variance (std = √variance), as its name says; batchgenerators
 * passes it to the normal distribution as the standard deviation instead.
 * The noise comes from the recorded seed (independent per channel), so a replay adds the same noise.
 */
import * as ve from '../../engine/index.js';
import type { Random } from '../../util/random.js';
import { normalField } from '../noise-fill.js';
import { ForwardTransform, type RandomTransform, type Subject, type TransformRecord, uniform } from '../transform.js';

/** Adds Gaussian noise of a drawn variance. */
export class GaussianNoise extends ForwardTransform {
  readonly name = 'GaussianNoise';
  /**
   * Creates a `GaussianNoise`.
   * @param seed seeds the noise, so that the record replays it exactly
   * @param variance the noise's variance (std = √variance)
   */
  constructor(
    readonly seed: number,
    readonly variance: number,
  ) {
    super();
  }
  apply(s: Subject): Subject {
    const image = ve.tidy(() => {
      const noise = ve.Tensor.from(normalField(this.seed, s.image.numel), s.image.shape, { device: s.image.device });
      return s.image.add(noise.mul(Math.sqrt(this.variance)));
    });
    return { ...s, image };
  }
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return { name: this.name, params: { seed: this.seed, variance: this.variance } };
  }
}

/** Samples `GaussianNoise`: with probability p, a variance drawn from `variance`. */
export class RandomGaussianNoise implements RandomTransform {
  readonly name = 'GaussianNoise';
  /** Defaults are nnU-Net's. */
  constructor(
    readonly p = 0.1,
    readonly variance: [number, number] = [0, 0.1],
  ) {}
  sample(rng: Random): GaussianNoise | null {
    if (!(rng.next() < this.p)) return null;
    return new GaussianNoise(rng.nextUint32(), uniform(rng, this.variance));
  }
}
