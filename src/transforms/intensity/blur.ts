/**
 * Gaussian blur (nnU-Net: p 0.2, each channel with p 0.5, σ U(0.5, 1) drawn per axis), separable,
 * kernel radius round(4σ), reflecting at the borders.
 */
import type { Random } from '../../util/random.js';
import { gaussianSmooth } from '../gaussian.js';
import {
  ForwardTransform,
  type RandomTransform,
  type SampleContext,
  type Subject,
  type TransformRecord,
  uniform,
} from '../transform.js';
import { drawPerChannel, mapChannels } from './channels.js';

export class GaussianBlur extends ForwardTransform {
  readonly name = 'GaussianBlur';
  /** Per channel: one σ per spatial axis (voxels), or null to leave the channel alone. */
  constructor(readonly sigmas: (number[] | null)[]) {
    super();
  }
  apply(s: Subject): Subject {
    return {
      ...s,
      image: mapChannels(s.image, this.sigmas, (c, sig) => gaussianSmooth(c.unsqueeze(0), sig).squeeze(0)),
    };
  }
  record(): TransformRecord {
    return { name: this.name, params: { sigmas: this.sigmas.map((s) => (s ? [...s] : null)) } };
  }
}

export class RandomGaussianBlur implements RandomTransform {
  readonly name = 'GaussianBlur';
  constructor(
    readonly p = 0.2,
    readonly sigma: [number, number] = [0.5, 1],
    readonly pPerChannel = 0.5,
  ) {}
  sample(rng: Random, ctx: SampleContext): GaussianBlur | null {
    if (!(rng.next() < this.p)) return null;
    const n = ctx.spatialShape.length;
    const drawn = drawPerChannel(rng, ctx.channels, this.pPerChannel, () =>
      Array.from({ length: n }, () => uniform(rng, this.sigma)),
    );
    return drawn && new GaussianBlur(drawn);
  }
}
