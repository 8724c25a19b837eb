/**
 * Sliding-window tiling and the Gaussian importance map, as nnU-Net computes them
 * (nnunetv2/inference/sliding_window_prediction.py). Shapes are in image axis order (i, j[, k]),
 * fastest axis first, like `Image.shape`; any number of axes works.
 */
import { roundHalfEven } from '../data/stats.js';
import { OptionError } from '../util/errors.js';

export interface WindowTiling {
  /** The shape the windows cover: max(image, patch) per axis (the image is padded up to the patch). */
  paddedShape: number[];
  /** Padding before the image per axis (half the padding, the odd voxel after, as nnU-Net pads). */
  padBefore: number[];
  /** Start offsets along each axis in the padded grid; every window is `patch` long. */
  steps: number[][];
  /** Every window's start corner in the padded grid (the cartesian product of `steps`, first axis fastest). */
  windows: number[][];
  /** The same windows' start corners in image coordinates (negative where the window reaches into padding). */
  imageStarts: number[][];
}

/**
 * Window starts along each axis: target step = patch·(1−overlap); count = ceil((size−patch)/step)+1;
 * the windows are then spread evenly so that the first starts at 0 and the last ends at the edge.
 * An axis shorter than the patch is padded to the patch (one window at 0).
 */
export function slidingWindowSteps(
  imageShape: readonly number[],
  patchSize: readonly number[],
  overlap = 0.5,
): number[][] {
  if (imageShape.length !== patchSize.length) {
    throw new OptionError('patch_size', `has ${patchSize.length} axes but the image has ${imageShape.length}`);
  }
  if (!(overlap >= 0 && overlap < 1)) throw new OptionError('overlap', `must be in [0, 1), got ${overlap}`);
  return imageShape.map((size, d) => {
    const patch = patchSize[d]!;
    if (!Number.isInteger(patch) || patch < 1)
      throw new OptionError('patch_size', `must be positive integers, got [${patchSize.join(', ')}]`);
    const padded = Math.max(size, patch);
    const target = patch * (1 - overlap);
    const count = Math.ceil((padded - patch) / target) + 1;
    const maxStart = padded - patch;
    const actual = count > 1 ? maxStart / (count - 1) : 0;
    return Array.from({ length: count }, (_, i) => roundHalfEven(actual * i));
  });
}

/**
 * Every window start of nnU-Net's tiling (image order), and the padding when the image is smaller
 * than the patch.
 */
export function slidingWindows(
  imageShape: readonly number[],
  patchSize: readonly number[],
  overlap = 0.5,
): WindowTiling {
  const steps = slidingWindowSteps(imageShape, patchSize, overlap);
  const windows: number[][] = [];
  const idx = steps.map(() => 0);
  const total = steps.reduce((n, s) => n * s.length, 1);
  for (let w = 0; w < total; w++) {
    windows.push(idx.map((i, d) => steps[d]![i]!));
    for (let d = 0; d < idx.length; d++) {
      if (++idx[d]! < steps[d]!.length) break;
      idx[d] = 0;
    }
  }
  const paddedShape = imageShape.map((s, d) => Math.max(s, patchSize[d]!));
  const padBefore = paddedShape.map((p, d) => Math.floor((p - imageShape[d]!) / 2));
  const imageStarts = windows.map((w) => w.map((x, d) => x - padBefore[d]!));
  return { paddedShape, padBefore, steps, windows, imageStarts };
}

/**
 * nnU-Net's importance map: a unit impulse at the patch centre (index ⌊n/2⌋) blurred with
 * scipy's `gaussian_filter` (σ = patch·sigmaScale per axis, kernel truncated at 4σ), scaled to a
 * maximum of 1, and zeros raised to the smallest non-zero value so no voxel gets weight 0.
 * Layout: first axis fastest, like the image.
 */
export function gaussianImportanceMap(patchSize: readonly number[], sigmaScale = 1 / 8): Float32Array {
  const profiles = patchSize.map((n) => {
    const sigma = n * sigmaScale;
    const radius = Math.floor(4 * sigma + 0.5); // scipy: int(truncate * sd + 0.5)
    const centre = Math.floor(n / 2);
    const p = new Float64Array(n);
    for (let x = 0; x < n; x++) {
      const o = x - centre;
      p[x] = Math.abs(o) > radius ? 0 : sigma > 0 ? Math.exp((-0.5 * o * o) / (sigma * sigma)) : o === 0 ? 1 : 0;
    }
    return p;
  });
  const total = patchSize.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  const idx = patchSize.map(() => 0);
  let minNonZero = Infinity;
  for (let v = 0; v < total; v++) {
    let w = 1;
    for (let d = 0; d < idx.length; d++) w *= profiles[d]![idx[d]!]!;
    out[v] = w;
    if (out[v]! > 0 && out[v]! < minNonZero) minNonZero = out[v]!;
    for (let d = 0; d < idx.length; d++) {
      if (++idx[d]! < patchSize[d]!) break;
      idx[d] = 0;
    }
  }
  for (let v = 0; v < total; v++) if (out[v] === 0) out[v] = minNonZero;
  return out;
}

/**
 * Sums window predictions weighted by the importance map and divides by the summed weights, over
 * the image extent (window parts in padding are dropped). Values are [C, ...patch] per window and
 * [C, ...image] for the result, channel slowest, first spatial axis fastest (an engine tensor
 * [C, k, j, i] read flat).
 */
export class WindowAccumulator {
  readonly tiling: WindowTiling;
  private readonly sums: Float32Array;
  private readonly weights: Float32Array;
  private readonly importance: Float32Array;
  private readonly shape: number[];
  private readonly patch: number[];

  /**
   * @param imageShape spatial shape, image order
   * @param patchSize window size, image order
   * @param channels classes per voxel
   * @throws OptionError for more than 3 spatial axes
   */
  constructor(
    imageShape: readonly number[],
    patchSize: readonly number[],
    readonly channels: number,
    options: { overlap?: number; gaussian?: boolean; sigmaScale?: number } = {},
  ) {
    if (imageShape.length > 3) throw new OptionError('patch_size', 'sliding windows take 2 or 3 spatial axes');
    this.tiling = slidingWindows(imageShape, patchSize, options.overlap ?? 0.5);
    this.shape = [...imageShape];
    this.patch = [...patchSize];
    const patchVoxels = patchSize.reduce((a, b) => a * b, 1);
    this.importance =
      options.gaussian === false
        ? new Float32Array(patchVoxels).fill(1)
        : gaussianImportanceMap(patchSize, options.sigmaScale);
    const n = imageShape.reduce((a, b) => a * b, 1);
    this.sums = new Float32Array(n * channels);
    this.weights = new Float32Array(n);
  }

  /** Adds one window's values at `imageStart` (from `tiling.imageStarts`). */
  add(imageStart: readonly number[], values: ArrayLike<number>): void {
    const [pi, pj = 1, pk = 1] = this.patch;
    const [ni, nj = 1, nk = 1] = this.shape;
    const [si, sj = 0, sk = 0] = imageStart;
    const patchVoxels = pi! * pj * pk;
    const n = ni! * nj * nk;
    if (values.length !== patchVoxels * this.channels)
      throw new OptionError('window', `expected ${this.channels}×${this.patch.join('×')} values, got ${values.length}`);
    const i0 = Math.max(0, -si!),
      i1 = Math.min(pi!, ni! - si!);
    for (let k = Math.max(0, -sk); k < Math.min(pk, nk - sk); k++) {
      for (let j = Math.max(0, -sj); j < Math.min(pj, nj - sj); j++) {
        const prow = pi! * (j + pj * k);
        const irow = si! + ni! * (sj + j + nj * (sk + k));
        for (let i = i0; i < i1; i++) this.weights[irow + i]! += this.importance[prow + i]!;
        for (let c = 0; c < this.channels; c++) {
          const po = prow + patchVoxels * c,
            io = irow + n * c;
          for (let i = i0; i < i1; i++) this.sums[io + i]! += values[po + i]! * this.importance[prow + i]!;
        }
      }
    }
  }

  /** The weighted average, [C, ...image]. Every voxel is covered when all windows were added. */
  result(): Float32Array {
    const n = this.weights.length;
    const out = new Float32Array(this.sums.length);
    for (let c = 0; c < this.channels; c++) {
      for (let v = 0; v < n; v++) out[v + n * c] = this.weights[v]! > 0 ? this.sums[v + n * c]! / this.weights[v]! : 0;
    }
    return out;
  }
}
