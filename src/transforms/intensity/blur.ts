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

/** Gaussian blur with a drawn σ per channel and axis (this file's comment). */
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
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return { name: this.name, params: { sigmas: this.sigmas.map((s) => (s ? [...s] : null)) } };
  }
}

/**
 * Samples `GaussianBlur`: with probability p, each channel with probability pPerChannel, σ drawn from
 * `sigma` per axis.
 */
export class RandomGaussianBlur implements RandomTransform {
  readonly name = 'GaussianBlur';
  /** Defaults are nnU-Net's. */
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
