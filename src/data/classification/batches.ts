/**
 * Training batches for classification from prepared samples held in memory: each epoch visits every
 * sample once in an order shuffled by (seed, epoch) (the last batch of an epoch may be smaller, as a
 * PyTorch DataLoader without drop_last), or — class-balanced sampling — each batch draws samples with
 * every class equally likely. Batch i depends only on (seed, i), so `position` resumes exactly.
 * Augmentation runs per sample, then the mean/std normalisation.
 */
import * as ve from '../../engine/index.js';
import { Random } from '../../util/random.js';
import { batchSeed } from '../batch-seed.js';
import type { ClassificationAugmentation } from './augment.js';

export interface PreparedSample {
  /** (C, ...size) float32 in [0, 1] (before the mean/std normalisation). */
  data: Float32Array;
  target: number[];
}

export interface ClassificationBatch {
  index: number;
  /** (N, C, ...size) */
  input: Float32Array;
  inputShape: number[];
  /** Multi-class: class index per sample; multi-label: N × K 0/1. */
  target: number[];
  samples: number[];
}

/** What a classification batch stream draws from and how. */
export interface ClassificationBatchOptions {
  samples: PreparedSample[];
  channels: number;
  size: number[];
  batchSize: number;
  seed: number;
  /** Equal class probabilities per draw (multi-class: by target; multi-label: by the first positive label). */
  balanced?: boolean;
  augmentation?: ClassificationAugmentation | null;
  mean: number[];
  std: number[];
  startBatch?: number;
}

/** Normalises (N, C, …) values in place: (x − mean_c) / std_c, `spatial` values per channel. */
export function normalizeByChannel(
  x: Float32Array,
  channels: number,
  spatial: number,
  mean: number[],
  std: number[],
): void {
  for (let b = 0, at = 0; at < x.length; b++, at += spatial) {
    const c = b % channels;
    const m = mean[c] ?? mean[0]!,
      s = std[c] ?? std[0]!;
    for (let i = at; i < at + spatial; i++) x[i] = (x[i]! - m) / s;
  }
}

/** The training batches of a classification run (a resumable BatchStream). */
export class ClassificationBatches {
  private next_: number;
  private order: { epoch: number; indices: number[] } | null = null;
  readonly batchesPerEpoch: number;
  private readonly byClass: number[][];

  /**
   * A stream starting at batch `o.startBatch` (default 0).
   * @param o samples, batch size, seed, sampling, augmentation and normalisation
   */
  constructor(private readonly o: ClassificationBatchOptions) {
    this.next_ = o.startBatch ?? 0;
    this.batchesPerEpoch = Math.ceil(o.samples.length / o.batchSize);
    const k = Math.max(1, ...o.samples.map((s) => (s.target.length === 1 ? s.target[0]! + 1 : s.target.length)));
    this.byClass = Array.from({ length: k }, () => [] as number[]);
    o.samples.forEach((s, i) => {
      const cls = s.target.length === 1 ? s.target[0]! : Math.max(0, s.target.indexOf(1));
      this.byClass[cls]!.push(i);
    });
  }

  get position(): number {
    return this.next_;
  }

  /** The next batch in order. */
  async next(): Promise<ClassificationBatch> {
    return this.make(this.next_++);
  }

  /** Nothing to release (batches are made on the calling thread). */
  async close(): Promise<void> {}

  private indicesOf(index: number, rng: Random): number[] {
    const { samples, batchSize, seed } = this.o;
    if (this.o.balanced) {
      const present = this.byClass.filter((c) => c.length > 0);
      return Array.from({ length: batchSize }, () => {
        const members = present[rng.int(present.length)]!;
        return members[rng.int(members.length)]!;
      });
    }
    const epoch = Math.floor(index / this.batchesPerEpoch);
    if (this.order?.epoch !== epoch) {
      const all = samples.map((_, i) => i);
      this.order = { epoch, indices: new Random(batchSeed(seed ^ 0x5eed, epoch)).shuffle(all) };
    }
    const k = index % this.batchesPerEpoch;
    return this.order.indices.slice(k * batchSize, (k + 1) * batchSize);
  }

  /** Batch `index` (made on demand; the same for the same seed and index). */
  make(index: number): ClassificationBatch {
    const { samples, channels, size, augmentation } = this.o;
    const rng = new Random(batchSeed(this.o.seed, index));
    const chosen = this.indicesOf(index, rng);
    const per = channels * size.reduce((a, b) => a * b, 1);
    const input = new Float32Array(chosen.length * per);
    chosen.forEach((s, j) => {
      const data = samples[s]!.data;
      if (augmentation?.active) {
        ve.tidy(() => {
          const out = augmentation.apply(ve.Tensor.from(data, [channels, ...size]), rng);
          input.set(out.contiguous().toArray() as Float32Array, j * per);
        });
      } else input.set(data, j * per);
    });
    normalizeByChannel(input, channels, per / channels, this.o.mean, this.o.std);
    return {
      index,
      input,
      inputShape: [chosen.length, channels, ...size],
      target: chosen.flatMap((s) => samples[s]!.target),
      samples: chosen,
    };
  }
}
