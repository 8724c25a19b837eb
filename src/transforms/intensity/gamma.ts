/**
 * Gamma (nnU-Net: p 0.3, γ U(0.7, 1.5) drawn around 1, per channel, statistics retained) and its
 * inverted form (p 0.1: the image is negated, gamma-corrected, negated back). Per channel:
 * x ← ((x − min)/max(range, 1e-7))^γ·range + min; with retained statistics the result is then
 * shifted and scaled back to the channel's original mean and (unbiased) standard deviation.
 */
import * as ve from '../../engine/index.js';
import type { Random } from '../../util/random.js';
import {
  ForwardTransform,
  type RandomTransform,
  type SampleContext,
  type Subject,
  type TransformRecord,
  sampleFactor,
} from '../transform.js';
import { drawPerChannel, mapChannels } from './channels.js';

/** Gamma correction per channel (optionally of the inverted image), statistics retained. */
export class Gamma extends ForwardTransform {
  readonly name = 'Gamma';
  /** Per channel a γ, or null to leave the channel alone. */
  constructor(
    readonly gammas: (number | null)[],
    readonly invert = false,
    readonly retainStats = true,
  ) {
    super();
  }
  apply(s: Subject): Subject {
    const image = mapChannels(s.image, this.gammas, (c, g) => {
      const x = this.invert ? c.neg() : c;
      const min = x.min();
      const range = x.max().sub(min);
      let y = x.sub(min).div(ve.clamp(range, 1e-7)).pow(g).mul(range).add(min);
      if (this.retainStats) {
        const mean = x.mean(),
          std = x.std();
        y = y
          .sub(y.mean())
          .mul(std.div(ve.clamp(y.std(), 1e-7)))
          .add(mean);
      }
      return this.invert ? y.neg() : y;
    });
    return { ...s, image };
  }
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return {
      name: this.name,
      params: { gammas: [...this.gammas], invert: this.invert, retainStats: this.retainStats },
    };
  }
}

/** Samples `Gamma`: with probability p, γ drawn from `range` per channel; `invert` for nnU-Net's inverted gamma. */
export class RandomGamma implements RandomTransform {
  readonly name: string;
  /** Defaults are nnU-Net's (non-inverted gamma). */
  constructor(
    readonly p = 0.3,
    readonly range: [number, number] = [0.7, 1.5],
    readonly invert = false,
    readonly retainStats = true,
    readonly pPerChannel = 1,
  ) {
    this.name = invert ? 'GammaInverted' : 'Gamma';
  }
  sample(rng: Random, ctx: SampleContext): Gamma | null {
    if (!(rng.next() < this.p)) return null;
    const drawn = drawPerChannel(rng, ctx.channels, this.pPerChannel, () => sampleFactor(rng, this.range));
    return drawn && new Gamma(drawn, this.invert, this.retainStats);
  }
}
