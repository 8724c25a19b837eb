/**
 * Cross-validation splits, nnU-Net style: case ids sorted, then sklearn's
 * `KFold(n_splits, shuffle=True, random_state=seed)` — reproduced exactly, including numpy's legacy
 * `RandomState(seed).shuffle` (MT19937 + bounded rejection sampling), so a seed gives the same folds
 * as nnU-Net's `splits_final.json` (its default seed is 12345).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { FileFormatError, OptionError, VesaliusError } from '../util/errors.js';

/** numpy's legacy MT19937 (`np.random.RandomState(seed)` with an integer seed). */
export class NumpyRandomState {
  private mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new OptionError('seed', `must be an integer in [0, 2^32), got ${seed}`);
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30);
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % 624]! & 0x7fffffff);
      mt[i] = mt[(i + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** numpy's `random_interval(max)`: uniform in [0, max] by masking and rejection. */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  /** In-place shuffle exactly as `RandomState.shuffle` on a 1-D array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.interval(i);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

export interface Fold {
  train: string[];
  val: string[];
}

/** nnU-Net's default cross-validation seed. */
export const NNUNET_SPLIT_SEED = 12345;

function checkIds(ids: readonly string[]): string[] {
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1])
      throw new VesaliusError(`case id '${sorted[i]}' appears twice; case ids must be unique`);
  }
  return sorted;
}

/**
 * K folds over the sorted case ids (sklearn KFold with shuffling): the first n mod k folds get one
 * case more. Each case is in exactly one validation set. Lists inside a fold keep sorted order.
 */
export function kFoldSplits(caseIds: readonly string[], folds = 5, seed = NNUNET_SPLIT_SEED): Fold[] {
  if (!Number.isInteger(folds) || folds < 2) throw new OptionError('folds', `must be an integer ≥ 2, got ${folds}`);
  const sorted = checkIds(caseIds);
  if (sorted.length < folds)
    throw new OptionError('folds', `${folds} folds need at least ${folds} cases, the dataset has ${sorted.length}`);
  const order = new NumpyRandomState(seed).shuffle(sorted.map((_, i) => i));
  const out: Fold[] = [];
  let start = 0;
  for (let f = 0; f < folds; f++) {
    const size = Math.floor(sorted.length / folds) + (f < sorted.length % folds ? 1 : 0);
    const valIdx = new Set(order.slice(start, start + size));
    start += size;
    out.push({
      train: sorted.filter((_, i) => !valIdx.has(i)),
      val: sorted.filter((_, i) => valIdx.has(i)),
    });
  }
  return out;
}

/**
 * One seeded train/validation split: shuffle the sorted ids like `kFoldSplits` and take
 * round(n·valFraction) (at least 1 when n ≥ 2) for validation.
 */
export function trainValSplit(caseIds: readonly string[], valFraction = 0.2, seed = NNUNET_SPLIT_SEED): Fold {
  if (!(valFraction > 0 && valFraction < 1))
    throw new OptionError('val_fraction', `must be in (0, 1), got ${valFraction}`);
  const sorted = checkIds(caseIds);
  if (sorted.length < 2)
    throw new OptionError(
      'val_fraction',
      `a train/validation split needs at least 2 cases, the dataset has ${sorted.length}`,
    );
  const order = new NumpyRandomState(seed).shuffle(sorted.map((_, i) => i));
  const nVal = Math.min(sorted.length - 1, Math.max(1, Math.round(sorted.length * valFraction)));
  const valIdx = new Set(order.slice(0, nVal));
  return { train: sorted.filter((_, i) => !valIdx.has(i)), val: sorted.filter((_, i) => valIdx.has(i)) };
}

/** Writes folds as nnU-Net's splits_final.json: [{"train": [...], "val": [...]}, ...]. */
export function saveSplits(path: string, folds: Fold[]): void {
  writeFileAtomic(path, `${JSON.stringify(folds, null, 2)}\n`);
}

/** Reads a splits_final.json (ours or nnU-Net's), checking its shape. */
export function loadSplits(path: string): Fold[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FileFormatError(path, `cannot read the splits (${(err as Error).message})`);
  }
  const isIds = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (
    !Array.isArray(raw) ||
    raw.length === 0 ||
    !raw.every((f) => f && typeof f === 'object' && isIds(f.train) && isIds(f.val))
  ) {
    throw new FileFormatError(path, 'expected a list of {"train": [ids], "val": [ids]} folds');
  }
  return raw.map((f: Fold) => ({ train: f.train, val: f.val }));
}

export interface GroupedSplitOptions {
  /** Case id → subject id: every subject's cases land in one fold. */
  groups?: ReadonlyMap<string, string>;
  /** Case id → stratum (a label, a site, a grade): each stratum is spread evenly over the folds. */
  strata?: ReadonlyMap<string, string>;
}

/**
 * K folds that keep each subject's cases together and balance strata, seeded: without groups and
 * strata it is exactly `kFoldSplits` (nnU-Net's split). Otherwise the units (subjects, or single cases)
 * are shuffled with numpy's RandomState(seed), ordered by stratum (a subject's stratum is its most
 * common one) and size (largest first, stable), and each goes to the fold with the fewest cases of its
 * stratum, then the fewest cases overall, then the lowest index — scikit-learn's StratifiedGroupKFold
 * idea, greedy and deterministic.
 */
export function groupedKFoldSplits(
  caseIds: readonly string[],
  folds: number,
  seed = NNUNET_SPLIT_SEED,
  options: GroupedSplitOptions = {},
): Fold[] {
  if (!options.groups && !options.strata) return kFoldSplits(caseIds, folds, seed);
  if (!Number.isInteger(folds) || folds < 2) throw new OptionError('folds', `must be an integer ≥ 2, got ${folds}`);
  const sorted = checkIds(caseIds);
  const unitOf = (id: string) => {
    if (!options.groups) return id;
    const g = options.groups.get(id);
    if (g === undefined) throw new OptionError('cv.group_by', `no subject for case '${id}'`);
    return g;
  };
  const units = new Map<string, string[]>();
  for (const id of sorted) {
    const u = unitOf(id);
    if (!units.has(u)) units.set(u, []);
    units.get(u)!.push(id);
  }
  if (units.size < folds)
    throw new OptionError(
      'folds',
      `${folds} folds need at least ${folds} ${options.groups ? 'subjects' : 'cases'}, the dataset has ${units.size}`,
    );
  const stratumOf = (ids: string[]) => {
    if (!options.strata) return '';
    const counts = new Map<string, number>();
    for (const id of ids) {
      const s = options.strata.get(id);
      if (s === undefined) throw new OptionError('cv.stratify_by', `no value for case '${id}'`);
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  };
  const names = [...units.keys()].sort();
  const order = new NumpyRandomState(seed).shuffle(names.map((_, i) => i));
  const list = order.map((i) => ({ ids: units.get(names[i]!)!, stratum: stratumOf(units.get(names[i]!)!) }));
  list.sort((a, b) => (a.stratum < b.stratum ? -1 : a.stratum > b.stratum ? 1 : b.ids.length - a.ids.length));
  const val: string[][] = Array.from({ length: folds }, () => []);
  const perStratum = new Map<string, number[]>();
  for (const unit of list) {
    if (!perStratum.has(unit.stratum)) perStratum.set(unit.stratum, Array(folds).fill(0));
    const counts = perStratum.get(unit.stratum)!;
    let best = 0;
    for (let f = 1; f < folds; f++) {
      if (counts[f]! < counts[best]! || (counts[f] === counts[best] && val[f]!.length < val[best]!.length)) best = f;
    }
    counts[best]! += unit.ids.length;
    val[best]!.push(...unit.ids);
  }
  return val.map((v) => {
    const held = new Set(v);
    return { train: sorted.filter((id) => !held.has(id)), val: sorted.filter((id) => held.has(id)) };
  });
}
