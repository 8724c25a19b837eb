/**
 * Makes one training batch (runs inside a loader worker, or on the main thread in tests): patch
 * boxes from nnU-Net's sampler (a third of the samples forced onto foreground), then the
 * augmentation, which samples each output patch straight from the case arrays.
 */
import { closeSync, openSync } from 'node:fs';
import * as ve from '../engine/index.js';
import { type AugmentationConfig, defaultAugmentation } from '../transforms/defaults.js';
import { Augmentation } from '../transforms/augmentation.js';
import { RandomSpatial } from '../transforms/spatial.js';
import { type PatchSource, arraySource, tensorSource } from '../transforms/source.js';
import type { TransformRecord } from '../transforms/transform.js';
import { Random } from '../util/random.js';
import { type LoaderCase, fileSource, isFileCase, voxels } from './batch-cases.js';
import { batchSeed } from './batch-seed.js';
import { type ClassLocations, PatchSampler } from './sampler.js';

export interface BatchSpec {
  cases: LoaderCase[];
  locations: ClassLocations[];
  batchSize: number;
  /** Tensor order. */
  patchSize: number[];
  channels: number;
  foregroundFraction: number;
  /** false: patches are cropped, not augmented. */
  augmentation: AugmentationConfig | false;
  seed: number;
  records: boolean;
  /**
   * Data-parallel training: batch i is the same global batch of `batchSize` samples in every process,
   * and this process renders only its contiguous share (rank·n … (rank+1)·n − 1, n = batchSize /
   * worldSize). The other samples' random draws are still made, so every sample is the one a single
   * process would make: N processes together see exactly the batches one process sees.
   */
  shard?: { rank: number; worldSize: number };
  /**
   * Bytes of in-memory cases this maker may also hold as engine tensors (default 1 GiB): a rotated
   * patch then samples the case tensor in place instead of copying the region it spans out of the
   * arrays first (for a 96³ patch rotated about three axes that region is most of the case).
   */
  tensorCacheBytes?: number;
}

export interface BatchData {
  index: number;
  /** (N, C, ...patch) */
  image: Float32Array;
  /** (N, 1, ...patch) */
  label: Uint8Array;
  /** Case index of each sample. */
  cases: number[];
  records?: TransformRecord[];
}

export class BatchMaker {
  private readonly augmentation: Augmentation;
  private readonly sources = new Map<number, PatchSource>();
  private readonly fds: number[] = [];
  private cacheLeft: number;
  private readonly cached: ve.Tensor[] = [];

  constructor(private readonly spec: BatchSpec) {
    this.cacheLeft = spec.tensorCacheBytes ?? 2 ** 30;
    const dims = spec.patchSize.length as 2 | 3;
    this.augmentation =
      spec.augmentation === false
        ? new Augmentation(spec.patchSize, new RandomSpatial({ patchSize: spec.patchSize }), [])
        : defaultAugmentation(dims, spec.augmentation, { patchSize: spec.patchSize });
  }

  private source(i: number): PatchSource {
    let s = this.sources.get(i);
    if (!s) {
      const c = this.spec.cases[i]!;
      if (isFileCase(c)) {
        const fd = openSync(c.file, 'r');
        this.fds.push(fd);
        s = fileSource(c, fd);
      } else {
        const n = voxels(c.spatialShape);
        const bytes = 4 * n * c.channels + (c.label ? n : 0);
        if (bytes <= this.cacheLeft) {
          this.cacheLeft -= bytes;
          // the addon cannot read SharedArrayBuffer-backed arrays: copy through a private one (once per case)
          const image = ve.keep(ve.Tensor.from(new Float32Array(c.image), [c.channels, ...c.spatialShape]));
          const label =
            c.label && ve.keep(ve.Tensor.from(new Uint8Array(c.label), [1, ...c.spatialShape], { dtype: 'uint8' }));
          this.cached.push(image, ...(label ? [label] : []));
          s = tensorSource(label ? { image, label } : { image });
        } else {
          s = arraySource(c);
        }
      }
      this.sources.set(i, s);
    }
    return s;
  }

  make(index: number): BatchData {
    const { batchSize, patchSize, channels } = this.spec;
    const { rank, worldSize } = this.spec.shard ?? { rank: 0, worldSize: 1 };
    const mine = batchSize / worldSize;
    const first = rank * mine;
    const rng = new Random(batchSeed(this.spec.seed, index));
    const sampler = new PatchSampler({
      patchSize: [...patchSize].reverse(),
      foregroundFraction: this.spec.foregroundFraction,
      seed: rng.nextUint32(),
    });
    const boxes = sampler.sampleBatch(this.spec.locations, batchSize);
    const per = voxels(patchSize);
    const image = new Float32Array(mine * channels * per);
    const label = new Uint8Array(mine * per);
    const records: TransformRecord[] = [];
    boxes.forEach((box, j) => {
      const start = [...box.start].reverse();
      const centre = start.map((s, a) => s + (patchSize[a]! - 1) / 2);
      const source = this.source(box.caseIndex);
      if (j < first || j >= first + mine) {
        // another process's sample: draw its transform (the stream must advance alike), do not render it
        this.augmentation.sample(rng, { spatialShape: source.spatialShape, channels: source.channels, centre });
        return;
      }
      const k = j - first;
      ve.tidy(() => {
        const { subject, transform } = this.augmentation.applyFrom(source, rng, centre);
        image.set(subject.image.toArray() as Float32Array, k * channels * per);
        if (subject.label) label.set(subject.label.toArray() as Uint8Array, k * per);
        if (this.spec.records) records.push(transform.record());
      });
    });
    const cases = boxes.slice(first, first + mine).map((b) => b.caseIndex);
    return { index, image, label, cases, ...(this.spec.records ? { records } : {}) };
  }

  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
    ve.dispose(this.cached.splice(0));
    this.sources.clear();
  }
}
