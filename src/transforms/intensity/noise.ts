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

export class GaussianNoise extends ForwardTransform {
  readonly name = 'GaussianNoise';
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
  record(): TransformRecord {
    return { name: this.name, params: { seed: this.seed, variance: this.variance } };
  }
}

export class RandomGaussianNoise implements RandomTransform {
  readonly name = 'GaussianNoise';
  constructor(
    readonly p = 0.1,
    readonly variance: [number, number] = [0, 0.1],
  ) {}
  sample(rng: Random): GaussianNoise | null {
    if (!(rng.next() < this.p)) return null;
    return new GaussianNoise(rng.nextUint32(), uniform(rng, this.variance));
  }
}
