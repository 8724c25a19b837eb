/**
 * Low-resolution simulation (nnU-Net: p 0.25, each channel with p 0.5, zoom U(0.5, 1) shared by
 * the axes): the channel is downsampled to round(S·zoom) with nearest neighbour and brought back
 * to S with bicubic (2D) or trilinear (3D) interpolation.
 */
import * as ve from '../../engine/index.js';
import type { Random } from '../../util/random.js';
import {
  ForwardTransform,
  type RandomTransform,
  type SampleContext,
  type Subject,
  type TransformRecord,
  uniform,
} from '../transform.js';
import { drawPerChannel, mapChannels } from './channels.js';

/** Simulated low resolution per channel (this file's comment). */
export class LowResolution extends ForwardTransform {
  readonly name = 'LowResolution';
  /** Per channel a zoom factor, or null to leave the channel alone. */
  constructor(readonly zooms: (number | null)[]) {
    super();
  }
  apply(s: Subject): Subject {
    const shape = s.image.shape.slice(1);
    const up = shape.length === 2 ? 'bicubic' : shape.length === 3 ? 'trilinear' : 'linear';
    const image = mapChannels(s.image, this.zooms, (c, zoom) => {
      const small = shape.map((n) => Math.max(1, Math.round(n * zoom)));
      const down = ve.interpolate(c.unsqueeze(0), { size: small, mode: 'nearest' });
      return ve.interpolate(down, { size: shape, mode: up, alignCorners: false }).squeeze(0);
    });
    return { ...s, image };
  }
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return { name: this.name, params: { zooms: [...this.zooms] } };
  }
}

/**
 * Samples `LowResolution`: with probability p, each channel with probability pPerChannel, a zoom drawn
 * from `zoom`.
 */
export class RandomLowResolution implements RandomTransform {
  readonly name = 'LowResolution';
  /** Defaults are nnU-Net's. */
  constructor(
    readonly p = 0.25,
    readonly zoom: [number, number] = [0.5, 1],
    readonly pPerChannel = 0.5,
  ) {}
  sample(rng: Random, ctx: SampleContext): LowResolution | null {
    if (!(rng.next() < this.p)) return null;
    const drawn = drawPerChannel(rng, ctx.channels, this.pPerChannel, () => uniform(rng, this.zoom));
    return drawn && new LowResolution(drawn);
  }
}
