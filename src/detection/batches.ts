/**
 * Training batches for detection: each sample picks an image (a share of them, `emptyFraction`, from
 * images without any box when the dataset has such: balanced sampling), centres its patch on a random
 * box (`objectFraction`) or anywhere, and runs the segmentation augmentation pipeline
 * (transforms/defaults.ts) on it; the boxes follow through the recorded transform (box-transforms.ts)
 * and are clipped to the patch, those that left it dropped. Batch i depends only on (seed, i).
 */
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/tensor.js';
import { batchSeed } from '../data/batch-seed.js';
import type { Augmentation } from '../transforms/augmentation.js';
import { Random } from '../util/random.js';
import { boxesThroughRecord, keepInside } from './box-transforms.js';
import type { BoxDims, BoxSet } from './boxes.js';
import type { PreparedCase } from './prepare.js';

export interface DetectionBatch {
  /** (N, C, ...patch), row-major */
  image: Float32Array;
  imageShape: number[];
  boxes: BoxSet[];
  cases: number[];
}

export interface BatchOptions {
  batchSize: number;
  /** Tensor order. */
  patchSize: number[];
  objectFraction: number;
  emptyFraction: number;
  /**
   * Object-centred samples pick a class uniformly among those annotated, then one of its boxes (nnU-Net's
   * class-balanced foreground sampling), so rare classes are seen as often as common ones; false: a random
   * image, then a random box of it.
   */
  balanceClasses?: boolean;
  seed: number;
  minVisibility?: number;
}

/** Makes augmented, box-aware training batches from prepared cases (batch i from (seed, i)). */
export class DetectionBatchMaker {
  private readonly tensors: Tensor[];
  private readonly withBoxes: number[];
  private readonly empty: number[];
  /** Per class: every (case, box) pair annotated with it. */
  private readonly byClass: [number, number][][];

  /** Keeps the prepared cases as tensors; draws samples per `o`. */
  constructor(
    private readonly cases: readonly PreparedCase[],
    private readonly augmentation: Augmentation,
    private readonly o: BatchOptions,
  ) {
    this.tensors = cases.map((c) => ve.keep(ve.Tensor.from(c.data, [c.channels, ...c.size])));
    this.withBoxes = cases.flatMap((c, i) => (c.boxes.labels.length > 0 ? [i] : []));
    this.empty = cases.flatMap((c, i) => (c.boxes.labels.length === 0 ? [i] : []));
    const byClass = new Map<number, [number, number][]>();
    cases.forEach((c, i) => {
      c.boxes.labels.forEach((label, b) => {
        const list = byClass.get(label) ?? [];
        list.push([i, b]);
        byClass.set(label, list);
      });
    });
    this.byClass = [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => list);
  }

  /** A random (case, box) of a uniformly chosen class. */
  private balancedBox(rng: Random): [number, number] {
    const list = this.byClass[rng.int(this.byClass.length)]!;
    return list[rng.int(list.length)]!;
  }

  /** Batch `index` of the stream. */
  make(index: number): DetectionBatch {
    const rng = new Random(batchSeed(this.o.seed, index));
    const images: Tensor[] = [];
    const boxes: BoxSet[] = [];
    const chosen: number[] = [];
    return ve.tidy(() => {
      for (let s = 0; s < this.o.batchSize; s++) {
        const pool =
          this.empty.length > 0 && (this.withBoxes.length === 0 || rng.uniform(0, 1) < this.o.emptyFraction)
            ? this.empty
            : this.withBoxes;
        let i = pool[rng.int(pool.length)]!;
        let b = -1;
        if (this.cases[i]!.boxes.labels.length > 0 && rng.uniform(0, 1) < this.o.objectFraction) {
          if (this.o.balanceClasses) [i, b] = this.balancedBox(rng);
          else b = rng.int(this.cases[i]!.boxes.labels.length);
        }
        const c = this.cases[i]!;
        const dims = c.boxes.dims as BoxDims;
        let centre: number[];
        if (b >= 0) {
          // box centre (x, y(, z) edges) → tensor-order voxel index
          centre = Array.from({ length: dims }, (_, t) => {
            const a = dims - 1 - t;
            return (c.boxes.boxes[b * 2 * dims + a]! + c.boxes.boxes[b * 2 * dims + dims + a]!) / 2 - 0.5;
          });
        } else {
          centre = c.size.map((n) => rng.uniform(0, n) - 0.5);
        }
        const { subject, transform } = this.augmentation.apply({ image: this.tensors[i]! }, rng, centre);
        const moved = boxesThroughRecord(c.boxes.boxes, dims, c.size, transform.record());
        boxes.push(keepInside({ ...c.boxes, boxes: moved.boxes }, moved.size, { minVisibility: this.o.minVisibility }));
        images.push(subject.image);
        chosen.push(i);
      }
      const stacked = ve.stack(images, 0);
      return { image: stacked.toArray() as Float32Array, imageShape: stacked.shape, boxes, cases: chosen };
    });
  }

  /** Frees the cases' tensors. */
  dispose(): void {
    ve.dispose(this.tensors);
  }
}
