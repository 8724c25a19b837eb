/**
 * Classification samples made ready for the network: the dataset opened, split into training and
 * validation (the data's own train/val split when it has one — MedMNIST's official split — else k folds
 * over subjects, or samples when there are no subject ids), and every sample read and prepared to the
 * input size. Images of mixed channel counts are a one-line error naming the file.
 */
import { basename } from 'node:path';
import {
  type ClassificationDataset,
  type ClassificationSample,
  loadSampleImage,
  openClassificationDataset,
} from '../../data/classification/dataset.js';
import type { PreparedSample } from '../../data/classification/batches.js';
import {
  channelsOf,
  type InputSpec,
  loadHistogramTemplate,
  prepareInput,
} from '../../data/classification/preprocess.js';
import { type Fold, kFoldSplits } from '../../data/splits.js';
import { readImage } from '../../io/read.js';
import type { Modality } from '../../nets/fusion.js';
import { OptionError, ShapeError, VesaliusError } from '../../util/errors.js';
import type { ClassificationConfig } from './config.js';

/** The input preparation a config asks for, with its histogram reference read (when it has one). */
export async function inputSpec(config: Pick<ClassificationConfig, 'input'>): Promise<InputSpec> {
  const i = config.input;
  const c = i.clahe;
  return {
    size: i.size,
    fit: i.fit,
    channels: i.channels,
    intensity: i.intensity,
    clahe: c && { tiles: c.tiles, clipLimit: c.clip_limit, bins: c.bins },
    histogramMatch: i.histogram_match ? await loadHistogramTemplate(i.histogram_match, i.channels) : null,
  };
}

/** Where a sample came from, for messages. */
export function sampleSource(s: ClassificationSample): string {
  return s.paths ? s.paths.join(',') : s.id;
}

/** Reads and prepares samples; every one must give the same channel count. */
export async function prepareSamples(
  samples: readonly ClassificationSample[],
  spec: InputSpec,
  onProgress?: (done: number, total: number) => void,
): Promise<{ prepared: PreparedSample[]; channels: number }> {
  const prepared: PreparedSample[] = [];
  let channels = -1;
  let first = '';
  for (const [n, s] of samples.entries()) {
    const image = await loadSampleImage(s);
    const where = sampleSource(s);
    if (spec.channels === 'keep') {
      const c = channelsOf(image);
      if (channels === -1) {
        channels = c;
        first = where;
      } else if (c !== channels)
        throw new ShapeError(
          `${where}: ${c} channel(s), but ${first} has ${channels}: images of mixed channel counts (set input.channels to gray or rgb)`,
        );
    }
    const p = prepareInput(image, spec, where);
    channels = p.channels;
    prepared.push({ data: p.data, target: s.target });
    if (onProgress && (n + 1) % 500 === 0) onProgress(n + 1, samples.length);
  }
  return { prepared, channels };
}

/**
 * The modalities of feature-level fusion, from one sample: its CSV path columns, else its files when it
 * has several, else its image's channels; their channels must add up to the prepared input's.
 * @throws OptionError naming network.fusion when there is only one modality or the channels do not add up
 */
export async function modalitiesOf(sample: ClassificationSample, channels: number): Promise<Modality[]> {
  const paths = sample.paths ?? [];
  let modalities: Modality[];
  if (paths.length > 1) {
    const images = await Promise.all(paths.map((p) => readImage(p)));
    modalities = images.map((im, i) => ({
      name: sample.modalities?.[i] ?? basename(paths[i]!),
      channels: channelsOf(im),
    }));
  } else {
    const c = channelsOf(await loadSampleImage(sample));
    modalities = Array.from({ length: c }, (_, i) => ({ name: `channel ${i}`, channels: 1 }));
  }
  if (modalities.length < 2)
    throw new OptionError(
      'network.fusion',
      `feature fusion needs two or more modalities; ${sampleSource(sample)} has one (give dataset.path_columns, or several files or channels per case)`,
    );
  const total = modalities.reduce((n, m) => n + m.channels, 0);
  if (total !== channels)
    throw new OptionError(
      'network.fusion',
      `the modalities' ${total} channels are not the input's ${channels} (use input.channels keep with feature fusion)`,
    );
  return modalities;
}

export interface SampleSplit {
  train: ClassificationSample[];
  val: ClassificationSample[];
  /** Sample ids per fold, as splits.json stores them. */
  folds: Fold[];
  /** Where the split came from, for the log. */
  origin: string;
}

/** The samples named by validation.val_samples (and train_samples; else every other non-test sample). */
function explicitSplit(dataset: ClassificationDataset, valIds: string[], trainIds: string[] | null): SampleSplit {
  const byId = new Map(dataset.samples.map((s) => [s.id, s]));
  const pick = (ids: string[], key: string) =>
    ids.map((id) => {
      const s = byId.get(id);
      if (!s) throw new OptionError(key, `names sample '${id}', which the dataset does not have`);
      return s;
    });
  const val = pick(valIds, 'validation.val_samples');
  const held = new Set(valIds);
  const train = trainIds
    ? pick(trainIds, 'validation.train_samples')
    : dataset.samples.filter((s) => s.split !== 'test' && !held.has(s.id));
  const both = train.find((s) => held.has(s.id));
  if (both) throw new OptionError('validation.train_samples', `sample '${both.id}' is also in val_samples`);
  return {
    train,
    val,
    folds: [{ train: train.map((s) => s.id), val: val.map((s) => s.id) }],
    origin: 'the samples the config names',
  };
}

/** The training and validation samples the config asks for. */
export function splitSamples(dataset: ClassificationDataset, config: ClassificationConfig): SampleSplit {
  const tagged = dataset.samples.filter((s) => s.split === 'train');
  const v = config.validation;
  if (v.val_samples) return explicitSplit(dataset, v.val_samples, v.train_samples);
  if (dataset.samples.some((s) => s.split === 'val') && v.fold !== 'all') {
    const train = tagged;
    const val = dataset.samples.filter((s) => s.split === 'val');
    return {
      train,
      val,
      folds: [{ train: train.map((s) => s.id), val: val.map((s) => s.id) }],
      origin: "the data's own train/val split",
    };
  }
  const pool = tagged.length > 0 ? tagged : dataset.samples.filter((s) => s.split !== 'test');
  if (pool.length === 0) throw new VesaliusError(`${config.dataset.path}: no training samples`);
  if (v.fold === 'all') {
    return {
      train: pool,
      val: [],
      folds: [{ train: pool.map((s) => s.id), val: [] }],
      origin: 'every sample (fold all)',
    };
  }
  if (v.fold >= v.folds)
    throw new OptionError('validation.fold', `is ${v.fold} but there are only ${v.folds} folds (0..${v.folds - 1})`);
  const groupOf = (s: ClassificationSample) => s.subject ?? s.id;
  const groups = [...new Set(pool.map(groupOf))];
  if (groups.length < v.folds)
    throw new OptionError('validation.folds', `is ${v.folds} but there are only ${groups.length} subjects/samples`);
  const groupFolds = kFoldSplits(groups, v.folds, v.split_seed);
  const folds = groupFolds.map((f) => {
    const val = new Set(f.val);
    return {
      train: pool.filter((s) => !val.has(groupOf(s))).map((s) => s.id),
      val: pool.filter((s) => val.has(groupOf(s))).map((s) => s.id),
    };
  });
  const held = new Set(groupFolds[v.fold]!.val);
  return {
    train: pool.filter((s) => !held.has(groupOf(s))),
    val: pool.filter((s) => held.has(groupOf(s))),
    folds,
    origin: `fold ${v.fold} of ${v.folds} over ${pool.some((s) => s.subject) ? 'subjects' : 'samples'}`,
  };
}

export function openDataset(config: ClassificationConfig): ClassificationDataset {
  return openClassificationDataset(config.dataset);
}
