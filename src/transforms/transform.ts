/**
 * TorchIO's pattern: a random transform is a sampler that draws its parameters from a seeded
 * `Random` and returns a deterministic transform holding them. The deterministic transform records
 * its arguments as plain JSON (`record()`), so an augmentation can be logged, replayed exactly
 * (`fromRecord` in replay.ts) and, when `invertible`, undone (test-time augmentation).
 *
 * Tensors follow PyTorch's layout without the batch axis: image (C, [D,] H, W) floating point,
 * label (Cl, [D,] H, W) of any dtype (class values). Axis numbers in parameters count spatial axes
 * in that order (0 = D in 3D, H in 2D).
 */
import type { Tensor } from '../engine/index.js';
import type { Random } from '../util/random.js';

/** An image and its label, moved together by spatial transforms. */
export interface Subject {
  image: Tensor;
  label?: Tensor;
}

export interface TransformRecord {
  name: string;
  params: Record<string, unknown>;
}

export interface Transform {
  readonly name: string;
  readonly invertible: boolean;
  /** A new subject; the input tensors are left alone (the caller owns them). */
  apply(subject: Subject): Subject;
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  record(): TransformRecord;
  /** The transform that undoes this one (only when `invertible`). */
  inverse(): Transform;
}

/** What a sampler may look at when drawing parameters. */
export interface SampleContext {
  /** Spatial shape of the tensors the drawn transform will be applied to. */
  spatialShape: readonly number[];
  channels: number;
}

export interface RandomTransform {
  readonly name: string;
  /** Probability that the transform is applied to a sample. */
  readonly p: number;
  /** Draws parameters; null when the transform is skipped for this sample. */
  sample(rng: Random, context: SampleContext): Transform | null;
}

/** Base for transforms that cannot be undone. */
export abstract class ForwardTransform implements Transform {
  abstract readonly name: string;
  readonly invertible: boolean = false;
  abstract apply(subject: Subject): Subject;
  /** The transform's name and arguments as plain JSON; `fromRecord` rebuilds it. */
  abstract record(): TransformRecord;
  inverse(): Transform {
    throw new TypeError(`${this.name} is not invertible`);
  }
}

/** Deterministic transforms applied in order. */
export class Compose implements Transform {
  readonly name = 'Compose';
  /**
   * Creates a `Compose`.
   * @param transforms applied first to last
   */
  constructor(readonly transforms: readonly Transform[]) {}
  get invertible(): boolean {
    return this.transforms.every((t) => t.invertible);
  }
  apply(subject: Subject): Subject {
    let s = subject;
    for (const t of this.transforms) s = t.apply(s);
    return s;
  }
  record(): TransformRecord {
    return { name: this.name, params: { transforms: this.transforms.map((t) => t.record()) } };
  }
  inverse(): Transform {
    return new Compose([...this.transforms].reverse().map((t) => t.inverse()));
  }
}

/** Draws 1 with probability p (always consumes one number, so streams stay aligned). */
export function coin(rng: Random, p: number): boolean {
  return rng.next() < p;
}

/** Uniform in [lo, hi]. */
export function uniform(rng: Random, [lo, hi]: readonly [number, number]): number {
  return lo === hi ? lo : rng.uniform(lo, hi);
}

/**
 * batchgenerators' BGContrast sampling for multiplicative factors: when the range straddles 1,
 * half the draws fall below 1 and half above, whatever the range's asymmetry.
 */
export function sampleFactor(rng: Random, [lo, hi]: readonly [number, number]): number {
  if (rng.next() < 0.5 && lo < 1) return rng.uniform(lo, Math.min(1, hi));
  return rng.uniform(Math.max(lo, 1), hi);
}

/** Spatial dimensions of a subject: its image is (C, [D,] H, W). */
export const spatialDimsOf = (s: Subject): number => s.image.ndim - 1;
