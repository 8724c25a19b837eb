/**
 * The dataset every layout produces: cases with one file path per image entry (channel), an
 * optional label and region-of-interest mask, plus the declared classes and channel names.
 */
import { VesaliusError } from '../../util/errors.js';

export interface LabelClass {
  name: string;
  value: number;
}

export interface Case {
  id: string;
  /**
   * Image files in channel order. A file may itself hold several channels (a 4D NIfTI, an RGB
   * photograph); the loaded case is the concatenation of all files' channels in this order.
   */
  images: string[];
  label?: string;
  /** Region-of-interest mask (e.g. DRIVE's field of view); non-zero = inside. */
  roi?: string;
}

export interface Dataset {
  name: string;
  layout: 'msd' | 'folders';
  /** The folder the dataset was discovered in (absolute). */
  root: string;
  /** Labelled training cases, sorted by id. */
  cases: Case[];
  /** Test cases (labels optional), sorted by id. */
  test: Case[];
  /** Classes, sorted by value: 0 = background, then 1, 2, ... consecutive. */
  labels: LabelClass[];
  /** One name per entry of `Case.images` (e.g. 'CT', 'T2', 'FLAIR', 'rgb'); drives the normalisation. */
  channels: string[];
  /** Raw label value → class value applied before checking labels (e.g. BraTS {2: 1, 3: 1, 4: 1} for whole tumour). */
  labelRemap?: Record<number, number>;
}

/** Checks classes: unique names, values 0..n-1 (each class value is the network's output channel). */
export function checkLabelClasses(labels: LabelClass[], where: string): LabelClass[] {
  const sorted = [...labels].sort((a, b) => a.value - b.value);
  if (sorted.length < 2)
    throw new VesaliusError(
      `${where}: needs at least two classes (background 0 and one foreground), got ${sorted.length}`,
    );
  sorted.forEach((c, i) => {
    if (c.value !== i) {
      throw new VesaliusError(
        `${where}: class values must be 0, 1, 2, ... without gaps (0 = background); got ${sorted.map((l) => `${l.name}=${l.value}`).join(', ')}`,
      );
    }
  });
  const names = new Set<string>();
  for (const c of sorted) {
    if (names.has(c.name)) throw new VesaliusError(`${where}: class name '${c.name}' is used twice`);
    names.add(c.name);
  }
  return sorted;
}

/** Classes from a {name: value} map. */
export function classesFromMap(map: Record<string, number>, where: string): LabelClass[] {
  return checkLabelClasses(
    Object.entries(map).map(([name, value]) => ({ name, value })),
    where,
  );
}

export function sortCases(cases: Case[]): Case[] {
  return cases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
