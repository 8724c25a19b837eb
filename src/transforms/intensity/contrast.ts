/**
 * Contrast (nnU-Net: p 0.15, factor U(0.75, 1.25) drawn around 1, per channel, range preserved):
 * x ← (x − mean)·f + mean, then clipped to the channel's original [min, max].
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

/** Scales each channel around its mean by its drawn factor, clipped to the original range. */
export class Contrast extends ForwardTransform {
  readonly name = 'Contrast';
  /**
   * Creates a `Contrast`.
   * @param factors per channel, or null to leave the channel alone
   * @param preserveRange clip to the channel's original [min, max]
   */
  constructor(
    readonly factors: (number | null)[],
    readonly preserveRange = true,
  ) {
    super();
  }
  apply(s: Subject): Subject {
    const image = mapChannels(s.image, this.factors, (c, f) => {
      const mean = c.mean();
      const out = c.sub(mean).mul(f).add(mean);
      return this.preserveRange ? ve.clamp(out, c.min(), c.max()) : out;
    });
    return { ...s, image };
  }
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return { name: this.name, params: { factors: [...this.factors], preserveRange: this.preserveRange } };
  }
}

/** Samples `Contrast`: with probability p, a factor drawn from `range` per channel. */
export class RandomContrast implements RandomTransform {
  readonly name = 'Contrast';
  /** Defaults are nnU-Net's. */
  constructor(
    readonly p = 0.15,
    readonly range: [number, number] = [0.75, 1.25],
    readonly preserveRange = true,
    readonly pPerChannel = 1,
  ) {}
  sample(rng: Random, ctx: SampleContext): Contrast | null {
    if (!(rng.next() < this.p)) return null;
    const drawn = drawPerChannel(rng, ctx.channels, this.pPerChannel, () => sampleFactor(rng, this.range));
    return drawn && new Contrast(drawn, this.preserveRange);
  }
}
