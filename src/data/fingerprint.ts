/**
 * The dataset fingerprint (nnU-Net's DatasetFingerprintExtractor): per case the spacing, the shape
 * and the shape after cropping to the non-zero region; per channel the intensity statistics of
 * foreground voxels (up to 10 000 seeded samples per case, pooled); the class frequencies.
 * `fingerprintCase` works on already-loaded arrays; `fingerprintDataset` reads a Dataset through a
 * reader callback (the io layer's readImage) one case at a time.
 */
import type { Image } from '../io/image.js';
import { ShapeError, VesaliusError } from '../util/errors.js';
import { Random } from '../util/random.js';
import { boundingBox, boxShape, nonZeroMask } from './crop.js';
import { sanitizeLabels } from './labels.js';
import type { Dataset } from './layout/dataset.js';
import { percentileOfSorted } from '../util/percentile.js';
import { type ImageReader, LABEL_MAP } from '../io/read-options.js';

/** A case in memory: one flat array per channel (first axis fastest), a label of class indices. */
export interface LoadedCase {
  id: string;
  shape: [number, number, number];
  spacing: [number, number, number];
  channels: ArrayLike<number>[];
  /** Class index per voxel (already sanitised); absent for unlabelled cases. */
  label?: ArrayLike<number>;
}

export interface CaseFingerprint {
  id: string;
  spacing: [number, number, number];
  shape: [number, number, number];
  shape_after_crop: [number, number, number];
  /** Voxels per class value (index = class). */
  class_voxels: number[];
  /** Per-channel intensity summary of this case (what model monitoring compares new inputs against; absent in fingerprints written before it existed). */
  intensity?: CaseIntensity[];
  /** Foreground intensity samples per channel (not saved in the JSON fingerprint). */
  samples: Float32Array[];
}

/**
 * One channel of one case: percentiles of its foreground samples (label > 0, else the non-zero
 * region) and of the whole non-zero region (independent of any label or prediction).
 */
export interface CaseIntensity {
  foreground_median: number;
  foreground_percentile_00_5: number;
  foreground_percentile_99_5: number;
  image_percentile_01: number;
  image_median: number;
  image_percentile_99: number;
}

export interface ChannelStats {
  name: string;
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
  percentile_00_5: number;
  percentile_99_5: number;
}

export interface DatasetFingerprint {
  dataset: string;
  channels: string[];
  num_classes: number;
  cases: Omit<CaseFingerprint, 'samples'>[];
  foreground_intensity: ChannelStats[];
  /** Fraction of all labelled voxels per class. */
  class_frequencies: number[];
  /** Median over cases of (voxels after crop / voxels before): nnU-Net uses the non-zero mask for z-score when < 0.75. */
  median_relative_size_after_crop: number;
}

export interface FingerprintOptions {
  samplesPerCase?: number;
  seed?: number;
}

/** nnU-Net's per-case fingerprint. Foreground = label > 0; without a label, the non-zero region. */
export function fingerprintCase(c: LoadedCase, numClasses: number, options: FingerprintOptions = {}): CaseFingerprint {
  const samplesPerCase = options.samplesPerCase ?? 10_000;
  const n = c.shape[0] * c.shape[1] * c.shape[2];
  if (c.channels.length === 0) throw new ShapeError(`case ${c.id}: no image channels`);
  c.channels.forEach((ch, i) => {
    if (ch.length !== n)
      throw new ShapeError(
        `case ${c.id}: channel ${i} has ${ch.length} voxels, shape [${c.shape.join(', ')}] needs ${n}`,
      );
  });
  if (c.label && c.label.length !== n)
    throw new ShapeError(`case ${c.id}: label has ${c.label.length} voxels, image has ${n}`);
  // Non-zero crop over all channels (stack them as extra axis for nonZeroMask).
  const mask = new Uint8Array(n);
  for (const ch of c.channels) {
    const m = nonZeroMask(ch, c.shape);
    for (let v = 0; v < n; v++) mask[v]! |= m[v]!;
  }
  const box = boundingBox(mask, c.shape);
  const shapeAfterCrop = box ? boxShape(box) : ([...c.shape] as [number, number, number]);
  const classVoxels = new Array<number>(numClasses).fill(0);
  const inForeground = (v: number) => (c.label ? c.label[v]! > 0 : mask[v] !== 0);
  if (c.label) {
    for (let v = 0; v < n; v++) {
      const k = c.label[v]!;
      if (!(k >= 0 && k < numClasses))
        throw new VesaliusError(`case ${c.id}: label value ${k} is not a class index below ${numClasses}`);
      classVoxels[k]!++;
    }
  }
  let count = 0;
  for (let v = 0; v < n; v++) if (inForeground(v)) count++;
  const foreground = new Int32Array(count);
  for (let v = 0, f = 0; v < n; v++) if (inForeground(v)) foreground[f++] = v;
  const rng = new Random(options.seed ?? 1234);
  const picks =
    foreground.length === 0
      ? []
      : Array.from({ length: samplesPerCase }, () => foreground[rng.int(foreground.length)]!);
  const samples = c.channels.map((ch) => Float32Array.from(picks, (v) => ch[v]!));
  const nonZero: number[] = [];
  for (let v = 0; v < n; v++) if (mask[v]) nonZero.push(v);
  const imagePicks =
    nonZero.length === 0 ? [] : Array.from({ length: samplesPerCase }, () => nonZero[rng.int(nonZero.length)]!);
  const intensity = c.channels.map((ch, i) => {
    const fg = Float64Array.from(samples[i]!).sort();
    const image = Float64Array.from(imagePicks, (v) => ch[v]!).sort();
    return {
      foreground_median: percentileOfSorted(fg, 50),
      foreground_percentile_00_5: percentileOfSorted(fg, 0.5),
      foreground_percentile_99_5: percentileOfSorted(fg, 99.5),
      image_percentile_01: percentileOfSorted(image, 1),
      image_median: percentileOfSorted(image, 50),
      image_percentile_99: percentileOfSorted(image, 99),
    };
  });
  return {
    id: c.id,
    spacing: [...c.spacing],
    shape: [...c.shape],
    shape_after_crop: shapeAfterCrop,
    class_voxels: classVoxels,
    intensity,
    samples,
  };
}

function channelStats(name: string, samples: Float32Array[]): ChannelStats {
  const all = new Float64Array(samples.reduce((a, s) => a + s.length, 0));
  let off = 0;
  for (const s of samples) {
    all.set(s, off);
    off += s.length;
  }
  if (all.length === 0)
    return { name, mean: 0, median: 0, std: 1, min: 0, max: 0, percentile_00_5: 0, percentile_99_5: 0 };
  all.sort();
  let sum = 0;
  for (const x of all) sum += x;
  const mean = sum / all.length;
  let sq = 0;
  for (const x of all) sq += (x - mean) ** 2;
  return {
    name,
    mean,
    median: percentileOfSorted(all, 50),
    std: Math.sqrt(sq / all.length),
    min: all[0]!,
    max: all[all.length - 1]!,
    percentile_00_5: percentileOfSorted(all, 0.5),
    percentile_99_5: percentileOfSorted(all, 99.5),
  };
}

/** Pools per-case fingerprints into the dataset fingerprint. */
export function summarizeFingerprint(
  dataset: string,
  channelNames: string[],
  numClasses: number,
  cases: CaseFingerprint[],
): DatasetFingerprint {
  if (cases.length === 0) throw new VesaliusError(`${dataset}: no cases to fingerprint (empty dataset)`);
  const channels = cases[0]!.samples.length;
  if (channelNames.length !== channels)
    throw new ShapeError(`${dataset}: ${channelNames.length} channel names for ${channels} channels`);
  for (const c of cases) {
    if (c.samples.length !== channels)
      throw new ShapeError(`case ${c.id} has ${c.samples.length} channels, case ${cases[0]!.id} has ${channels}`);
  }
  const totals = new Array<number>(numClasses).fill(0);
  for (const c of cases) c.class_voxels.forEach((n, k) => (totals[k]! += n));
  const all = totals.reduce((a, b) => a + b, 0);
  const relative = cases
    .map((c) => c.shape_after_crop.reduce((a, b) => a * b, 1) / c.shape.reduce((a, b) => a * b, 1))
    .sort((a, b) => a - b);
  return {
    dataset,
    channels: channelNames,
    num_classes: numClasses,
    cases: cases.map(({ samples: _samples, ...rest }) => rest),
    foreground_intensity: channelNames.map((name, i) =>
      channelStats(
        name,
        cases.map((c) => c.samples[i]!),
      ),
    ),
    class_frequencies: totals.map((n) => (all > 0 ? n / all : 0)),
    median_relative_size_after_crop: percentileOfSorted(relative, 50),
  };
}

export type { ImageReader };

/** Spatial shape and channel arrays of an image whose extra axes (if any) are channels. */
export function channelsOf(image: Image): { shape: [number, number, number]; channels: ArrayLike<number>[] } {
  const shape: [number, number, number] = [image.shape[0]!, image.shape[1] ?? 1, image.shape[2] ?? 1];
  const n = shape[0] * shape[1] * shape[2];
  const count = image.shape.slice(3).reduce((a, b) => a * b, 1);
  const channels = Array.from({ length: count }, (_, c) => image.data.subarray(c * n, (c + 1) * n));
  return { shape, channels };
}

/** Channel names after expanding files that hold several channels ('rgb' with 3 → 'rgb:0', 'rgb:1', 'rgb:2'). */
export function expandChannelNames(names: string[], perFile: number[]): string[] {
  return names.flatMap((name, f) =>
    perFile[f] === 1 ? [name] : Array.from({ length: perFile[f]! }, (_, c) => `${name}:${c}`),
  );
}

/**
 * Names for the loaded channels: the dataset's names when they count the channels (a 4D MSD file
 * with its "modality" list), else one name per file expanded over that file's channels.
 */
export function channelNamesFor(names: string[], perFile: number[], where: string): string[] {
  const total = perFile.reduce((a, b) => a + b, 0);
  if (names.length === total) return [...names];
  if (names.length === perFile.length) return expandChannelNames(names, perFile);
  throw new ShapeError(
    `${where}: the dataset names ${names.length} channel(s) (${names.join(', ')}) but the case has ${total} in ${perFile.length} file(s)`,
  );
}

/**
 * Reads one case through `reader`: images concatenated along channels, label sanitised to class
 * indices (dataset.labelRemap first), image/label grids checked to agree.
 */
export async function loadCase(
  dataset: Dataset,
  c: Dataset['cases'][number],
  reader: ImageReader,
): Promise<LoadedCase & { channelsPerFile: number[]; image: Image }> {
  const channels: ArrayLike<number>[] = [];
  const perFile: number[] = [];
  let first: Image | undefined;
  let shape: [number, number, number] | undefined;
  for (const path of c.images) {
    const img = await reader(path);
    const parts = channelsOf(img);
    if (!first) {
      first = img;
      shape = parts.shape;
    } else checkSameGrid(first, img, c.images[0]!, path);
    channels.push(...parts.channels);
    perFile.push(parts.channels.length);
  }
  let label: ArrayLike<number> | undefined;
  if (c.label) {
    const img = await reader(c.label, LABEL_MAP);
    checkSameGrid(first!, img, c.images[0]!, c.label);
    label = sanitizeLabels(
      singleChannel(img, c.label),
      dataset.labels.map((l) => l.value),
      c.label,
      dataset.labelRemap,
    ).data;
  }
  return {
    id: c.id,
    shape: shape!,
    spacing: [...first!.spacing],
    channels,
    label,
    channelsPerFile: perFile,
    image: first!,
  };
}

/**
 * A label's voxels. Grey masks saved as RGB(A) (GIF, some PNGs) decode with identical colour
 * channels: the first is taken (alpha ignored); genuinely different channels are an error.
 */
export function singleChannel(img: Image, path: string): ArrayLike<number> {
  const { channels } = channelsOf(img);
  if (channels.length === 1) return channels[0]!;
  const colour = channels.length === 4 ? channels.slice(0, 3) : channels;
  const first = colour[0]!;
  for (const other of colour.slice(1)) {
    for (let v = 0; v < first.length; v++) {
      if (other[v] !== first[v])
        throw new ShapeError(
          `${path}: a label must have one channel, got shape [${img.shape.join(', ')}] with differing channels`,
        );
    }
  }
  return first;
}

/** Image and label (and every channel file) must share the grid: shape, spacing, origin, direction. */
export function checkSameGrid(a: Image, b: Image, pathA: string, pathB: string): void {
  for (let d = 0; d < 3; d++) {
    if ((a.shape[d] ?? 1) !== (b.shape[d] ?? 1)) {
      throw new ShapeError(
        `${pathB}: grid ${b.shape.slice(0, 3).join('×')} does not match ${pathA} (${a.shape.slice(0, 3).join('×')})`,
      );
    }
    if (Math.abs(a.spacing[d]! - b.spacing[d]!) > 1e-3 * Math.max(1, Math.abs(a.spacing[d]!))) {
      throw new ShapeError(
        `${pathB}: spacing [${b.spacing.join(', ')}] does not match ${pathA} ([${a.spacing.join(', ')}])`,
      );
    }
  }
  // origins within a hundredth of the smallest voxel, directions within 1e-3 (nnU-Net checks the same)
  const tolerance = 0.01 * Math.min(...a.spacing);
  if (a.origin.some((x, d) => Math.abs(x - b.origin[d]!) > tolerance)) {
    throw new ShapeError(
      `${pathB}: origin [${b.origin.map((x) => +x.toFixed(4)).join(', ')}] does not match ${pathA} ([${a.origin.map((x) => +x.toFixed(4)).join(', ')}])`,
    );
  }
  if (a.direction.some((x, n) => Math.abs(x - b.direction[n]!) > 1e-3)) {
    throw new ShapeError(`${pathB}: direction does not match ${pathA} (the label must be on the image's grid)`);
  }
}

/** Reads every training case once (one at a time) and computes the dataset fingerprint. */
export async function fingerprintDataset(
  dataset: Dataset,
  reader: ImageReader,
  options: FingerprintOptions & { onCase?: (id: string, index: number, total: number) => void } = {},
): Promise<DatasetFingerprint> {
  if (dataset.cases.length === 0) throw new VesaliusError(`${dataset.root}: no training cases (empty dataset)`);
  const prints: CaseFingerprint[] = [];
  let names: string[] | undefined;
  for (const [index, c] of dataset.cases.entries()) {
    const loaded = await loadCase(dataset, c, reader);
    const caseNames = channelNamesFor(dataset.channels, loaded.channelsPerFile, c.images[0]!);
    if (names && names.join('|') !== caseNames.join('|')) {
      throw new ShapeError(
        `${c.images[0]}: case ${c.id} has channels [${caseNames.join(', ')}], earlier cases [${names.join(', ')}]`,
      );
    }
    names = caseNames;
    prints.push(fingerprintCase(loaded, dataset.labels.length, { ...options, seed: (options.seed ?? 1234) + index }));
    options.onCase?.(c.id, index, dataset.cases.length);
  }
  return summarizeFingerprint(dataset.name, names!, dataset.labels.length, prints);
}
