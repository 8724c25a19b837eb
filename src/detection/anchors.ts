/**
 * Anchors as torchvision's AnchorGenerator lays them out, in 2D and 3D: per pyramid level a set of
 * cell anchors centred on the origin (half-sizes rounded half to even, as torch.round does), shifted
 * to every feature-map position p · stride (stride = input size ÷ feature size, per axis). Order:
 * positions in tensor order (z, y, x; x fastest), the level's cell anchors inside each position — the
 * order of the head's outputs (N, positions·A, K). Boxes use the corners layout (boxes.ts).
 *
 * Cell anchors: in 2D from sizes × aspect ratios (h/w; torchvision: w = s/√r, h = s·√r, ratios
 * outer); in 2D or 3D from explicit shapes [w, h(, d)] in voxels (anisotropic 3D volumes).
 */
import { roundHalfEven } from '../data/stats.js';
import { OptionError } from '../util/errors.js';
import type { BoxDims } from './boxes.js';

export interface AnchorConfig {
  /** Per level: anchor sizes (2D, with aspect ratios; 3D: cubes). */
  sizes?: number[][];
  /** h / w, the same for every level (2D). */
  aspectRatios?: number[];
  /** Per level: explicit anchor shapes [w, h(, d)]; replaces sizes and ratios. */
  shapes?: number[][][];
}

/** Cell anchors of each level: rows [−w/2, −h/2, (−d/2,) w/2, h/2, (d/2)], rounded. */
export function cellAnchors(config: AnchorConfig, dims: BoxDims): number[][][] {
  let shapes: number[][][];
  if (config.shapes) {
    shapes = config.shapes;
    for (const level of shapes)
      for (const s of level)
        if (s.length !== dims || !s.every((v) => v > 0))
          throw new OptionError('anchors.shapes', `each shape needs ${dims} positive sizes, got [${s.join(', ')}]`);
  } else {
    if (!config.sizes?.length)
      throw new OptionError('anchors.sizes', 'give anchor sizes per level (or anchors.shapes)');
    const ratios = dims === 2 ? (config.aspectRatios ?? [0.5, 1, 2]) : [1];
    if (!ratios.every((r) => r > 0)) throw new OptionError('anchors.aspect_ratios', 'must be positive');
    shapes = config.sizes.map((sizes) => {
      if (!sizes.every((s) => s > 0)) throw new OptionError('anchors.sizes', 'must be positive');
      const out: number[][] = [];
      for (const r of ratios) {
        const h = Math.sqrt(r),
          w = 1 / h;
        for (const s of sizes) out.push(dims === 2 ? [w * s, h * s] : [s, s, s]);
      }
      return out;
    });
  }
  // float32 arithmetic as torchvision's, so the rounding ties land the same way
  const f = Math.fround;
  return shapes.map((level) =>
    level.map((s) => {
      const half = s.map((v) => roundHalfEven(f(f(v) / 2)));
      return [...half.map((v) => -v), ...half];
    }),
  );
}

export interface LevelAnchors {
  /** Corners layout, positions × cell anchors. */
  boxes: Float64Array;
  /** Tensor-order feature size and stride of each level. */
  featureSize: number[][];
  strides: number[][];
  /** Anchors per level and per position of each level. */
  counts: number[];
  perPosition: number[];
}

/** Anchors for an input of tensor-order `inputSize` and the levels' tensor-order feature sizes. */
export function gridAnchors(cells: number[][][], inputSize: readonly number[], featureSizes: number[][]): LevelAnchors {
  const dims = inputSize.length as BoxDims;
  if (cells.length !== featureSizes.length)
    throw new OptionError('anchors', `${cells.length} levels of anchors for ${featureSizes.length} feature maps`);
  const all: number[] = [];
  const strides = featureSizes.map((f) => f.map((s, t) => Math.floor(inputSize[t]! / s)));
  const counts: number[] = [];
  featureSizes.forEach((size, l) => {
    const stride = strides[l]!;
    const cell = cells[l]!;
    const positions = size.reduce((a, b) => a * b, 1);
    for (let p = 0; p < positions; p++) {
      // tensor-order position → box-order shift (x = last tensor axis)
      const shift = Array<number>(dims);
      let rest = p;
      for (let t = dims - 1; t >= 0; t--) {
        shift[dims - 1 - t] = (rest % size[t]!) * stride[t]!;
        rest = Math.floor(rest / size[t]!);
      }
      for (const c of cell) for (let k = 0; k < 2 * dims; k++) all.push(shift[k % dims]! + c[k]!);
    }
    counts.push(positions * cell.length);
  });
  return {
    boxes: Float64Array.from(all),
    featureSize: featureSizes.map((f) => [...f]),
    strides,
    counts,
    perPosition: cells.map((c) => c.length),
  };
}
