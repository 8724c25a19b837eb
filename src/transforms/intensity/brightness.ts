/** Multiplicative brightness (nnU-Net: p 0.15, ×U(0.75, 1.25) drawn around 1, per channel). */
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

/** Multiplies each channel by its drawn factor. */
export class Brightness extends ForwardTransform {
  readonly name = 'Brightness';
  /**
   * Creates a `Brightness`.
   * @param multipliers per channel, or null to leave the channel alone
   */
  constructor(readonly multipliers: (number | null)[]) {
    super();
  }
  apply(s: Subject): Subject {
    return { ...s, image: mapChannels(s.image, this.multipliers, (c, m) => c.mul(m)) };
  }
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord {
    return { name: this.name, params: { multipliers: [...this.multipliers] } };
  }
}

/** Samples `Brightness`: with probability p, a factor drawn from `range` per channel. */
export class RandomBrightness implements RandomTransform {
  readonly name = 'Brightness';
  /** Defaults are nnU-Net's. */
  constructor(
    readonly p = 0.15,
    readonly range: [number, number] = [0.75, 1.25],
    readonly pPerChannel = 1,
  ) {}
  sample(rng: Random, ctx: SampleContext): Brightness | null {
    if (!(rng.next() < this.p)) return null;
    const drawn = drawPerChannel(rng, ctx.channels, this.pPerChannel, () => sampleFactor(rng, this.range));
    return drawn && new Brightness(drawn);
  }
}
