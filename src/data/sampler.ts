/**
 * Patch sampling, as nnU-Net's data loader does it (pure index math; no tensors):
 * - per case, foreground voxel locations per class are precomputed once (at most 10 000 per class,
 *   but at least 1 % of the class, chosen without replacement, seeded);
 * - in a batch of B, the last round(B·p) samples are forced to contain foreground (p = 1/3): a
 *   class present in the case is picked uniformly, then one of its voxels, and the patch is centred
 *   on it; the other samples take a uniformly random patch position;
 * - positions may reach beyond the image (the patch is then padded): an axis shorter than the
 *   patch is padded symmetrically, and with `finalPatchSize` (a larger patch loaded for
 *   augmentation, cropped to the final size later) the range grows so the final crop can reach
 *   every border.
 * Unlike nnU-Net, a foreground-centred patch is also clamped to the upper bound so it does not
 * reach needlessly into padding (it still contains the chosen voxel).
 * Shapes and boxes use the image's axis order (i, j[, k]).
 */
import { OptionError, VesaliusError } from '../util/errors.js';
import { Random } from '../util/random.js';

export interface ClassLocations {
  /** Spatial shape of the case (2 or 3 axes, image order). */
  shape: number[];
  /** Index = class value; flat voxel indices (first axis fastest). Entry 0 (background) is empty. */
  byClass: Int32Array[];
}

export interface LocationOptions {
  maxPerClass?: number;
  minCoverage?: number;
  seed?: number;
}

/** nnU-Net's sample_foreground_locations for one case. */
export function foregroundLocations(
  label: ArrayLike<number>,
  shape: readonly number[],
  numClasses: number,
  options: LocationOptions = {},
): ClassLocations {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== label.length)
    throw new VesaliusError(`label has ${label.length} voxels, shape [${shape.join(', ')}] needs ${n}`);
  const counts = new Int32Array(numClasses);
  for (let v = 0; v < n; v++) {
    const k = label[v]!;
    if (k > 0 && k < numClasses) counts[k]!++;
  }
  const all = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(numClasses);
  for (let v = 0; v < n; v++) {
    const k = label[v]!;
    if (k > 0 && k < numClasses) all[k]![fill[k]!++] = v;
  }
  const rng = new Random(options.seed ?? 1234);
  const maxPerClass = options.maxPerClass ?? 10_000;
  const minCoverage = options.minCoverage ?? 0.01;
  const byClass = all.map((locs, k) => {
    if (k === 0) return new Int32Array(0);
    const target = Math.max(Math.min(maxPerClass, locs.length), Math.ceil(locs.length * minCoverage));
    if (target >= locs.length) return locs;
    // partial Fisher–Yates: a uniform subset without replacement
    const pool = locs.slice();
    for (let i = 0; i < target; i++) {
      const j = i + rng.int(pool.length - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    return pool.slice(0, target).sort();
  });
  return { shape: [...shape], byClass };
}

export interface PatchBox {
  /** Index of the case in the list the sampler was given. */
  caseIndex: number;
  /** Start corner per axis (may be negative or reach past the end: pad there). */
  start: number[];
  /** Patch size per axis. */
  size: number[];
  /** True when the sample was forced to contain foreground. */
  forcedForeground: boolean;
  /** The class whose voxel the patch was centred on, when forced and the case has foreground. */
  centredOnClass?: number;
}

export interface SamplerOptions {
  patchSize: number[];
  /** Patch size after augmentation's final crop (default: patchSize). */
  finalPatchSize?: number[];
  /** Fraction of each batch forced to contain foreground (nnU-Net: 0.33). */
  foregroundFraction?: number;
  seed?: number;
}

/**
 * nnU-Net's patch sampling (see the file's comment): random positions, and a fraction of each batch
 * centred on foreground voxels of a class present in the case; seeded.
 */
export class PatchSampler {
  readonly patchSize: number[];
  private readonly basePad: number[];
  private readonly fraction: number;
  private readonly rng: Random;

  /** @throws OptionError for a foreground fraction outside [0, 1] or patch sizes of different ranks */
  constructor(options: SamplerOptions) {
    this.patchSize = [...options.patchSize];
    const final = options.finalPatchSize ?? options.patchSize;
    if (final.length !== this.patchSize.length)
      throw new OptionError('patch_size', 'final patch size has a different number of axes');
    this.basePad = this.patchSize.map((p, d) => Math.max(0, p - final[d]!));
    this.fraction = options.foregroundFraction ?? 0.33;
    if (!(this.fraction >= 0 && this.fraction <= 1))
      throw new OptionError('sampling.foreground_fraction', `must be in [0, 1], got ${this.fraction}`);
    this.rng = new Random(options.seed ?? 0);
  }

  /** Whether sample `j` of a batch of `batchSize` must contain foreground (nnU-Net's get_do_oversample). */
  forcesForeground(j: number, batchSize: number): boolean {
    return !(j < Math.round(batchSize * (1 - this.fraction)));
  }

  /** Bounds of the start corner per axis, [lower, upper] inclusive. */
  bounds(shape: readonly number[]): Array<[number, number]> {
    return this.patchSize.map((p, d) => {
      const size = shape[d]!;
      const pad = this.basePad[d]! + size < p ? p - size : this.basePad[d]!;
      return [0 - Math.ceil(pad / 2), size + Math.floor(pad / 2) + (pad % 2) - p];
    });
  }

  /** One patch box for a case; `forceForeground` centres it on a random foreground voxel. */
  sample(caseIndex: number, locations: ClassLocations, forceForeground: boolean): PatchBox {
    const shape = locations.shape;
    if (shape.length !== this.patchSize.length)
      throw new OptionError('patch_size', `has ${this.patchSize.length} axes, the case has ${shape.length}`);
    const bounds = this.bounds(shape);
    const random = () => bounds.map(([lo, hi]) => lo + this.rng.int(hi - lo + 1));
    if (forceForeground) {
      const eligible = locations.byClass.map((l, k) => (k > 0 && l.length > 0 ? k : -1)).filter((k) => k > 0);
      if (eligible.length > 0) {
        const k = eligible[this.rng.int(eligible.length)]!;
        const locs = locations.byClass[k]!;
        let flat = locs[this.rng.int(locs.length)]!;
        const voxel = shape.map((s) => {
          const x = flat % s;
          flat = (flat - x) / s;
          return x;
        });
        const start = voxel.map((x, d) =>
          Math.min(bounds[d]![1], Math.max(bounds[d]![0], x - Math.floor(this.patchSize[d]! / 2))),
        );
        return { caseIndex, start, size: [...this.patchSize], forcedForeground: true, centredOnClass: k };
      }
    }
    return { caseIndex, start: random(), size: [...this.patchSize], forcedForeground: forceForeground };
  }

  /** A batch: cases drawn uniformly with replacement, the last round(B·p) forced to foreground. */
  sampleBatch(cases: readonly ClassLocations[], batchSize: number): PatchBox[] {
    if (cases.length === 0) throw new VesaliusError('no cases to sample patches from (empty dataset)');
    return Array.from({ length: batchSize }, (_, j) => {
      const caseIndex = this.rng.int(cases.length);
      return this.sample(caseIndex, cases[caseIndex]!, this.forcesForeground(j, batchSize));
    });
  }
}
