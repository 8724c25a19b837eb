/**
 * The folds of a classification cross-validation, over every sample but the data's test split (for
 * MedMNIST: train and val pooled, the official test split untouched): seeded, stratified by the label
 * (or an extra CSV column) and grouped by subject when the data gives subject ids — the same greedy
 * StratifiedGroupKFold as segmentation's (`groupedKFoldSplits`), or given back from a splits file.
 */
import type { ClassificationDataset, ClassificationSample } from '../../data/classification/dataset.js';
import { type Fold, groupedKFoldSplits } from '../../data/splits.js';
import { OptionError } from '../../util/errors.js';
import type { ClassificationConfig } from '../classification/config.js';
import { foldsFromFile } from './folds.js';

/** The samples a classification CV folds: every one not tagged as test. */
export function cvPool(dataset: ClassificationDataset): ClassificationSample[] {
  return dataset.samples.filter((s) => s.split !== 'test');
}

/** A sample's stratum: its class (multi-label: its label set), or its value of an extra CSV column. */
function strataOf(pool: readonly ClassificationSample[], by: string, source: string): Map<string, string> {
  if (by === 'label') return new Map(pool.map((s) => [s.id, s.target.join(',')]));
  const missing = pool.find((s) => s.extra?.[by] === undefined);
  if (missing) {
    const columns = Object.keys(missing.extra ?? {});
    throw new OptionError(
      'cv.stratify_by',
      `"${by}" is not 'label' nor a column of ${source}${columns.length ? ` (extra columns: ${columns.join(', ')})` : ' (it has no extra columns)'}`,
    );
  }
  return new Map(pool.map((s) => [s.id, s.extra![by]!]));
}

/** Sample id → subject id, when the data gives subjects (CSV subject_column). */
export function subjectsOf(pool: readonly ClassificationSample[]): Map<string, string> | undefined {
  if (!pool.some((s) => s.subject !== undefined)) return undefined;
  return new Map(pool.map((s) => [s.id, s.subject ?? `sample:${s.id}`]));
}

/**
 * K folds over the pool's sample ids.
 *
 * @param dataset the opened dataset (its test split is left out)
 * @param config the classification config (its cv section: seed, stratify_by; dataset.path for messages)
 * @param folds K
 * @param splitsFile folds to use instead (a CV's splits.json)
 * @throws OptionError for more folds than samples (or subjects), or a stratify column the data lacks
 */
export function classificationFolds(
  dataset: ClassificationDataset,
  config: Pick<ClassificationConfig, 'cv' | 'dataset'>,
  folds: number,
  splitsFile?: string,
): Fold[] {
  const pool = cvPool(dataset);
  const ids = pool.map((s) => s.id);
  if (splitsFile) return foldsFromFile(ids, splitsFile);
  const by = config.cv.stratify_by;
  return groupedKFoldSplits(ids, folds, config.cv.seed, {
    groups: subjectsOf(pool),
    strata: by === null ? undefined : strataOf(pool, by, config.dataset.path),
  });
}

/**
 * An inner train/validation split of a fold's training samples, stratified and grouped like the folds:
 * one of round(1 / fraction) folds of them is validated on.
 */
export function innerSplit(
  trainIds: readonly string[],
  dataset: ClassificationDataset,
  config: Pick<ClassificationConfig, 'cv' | 'dataset'>,
): Fold {
  const keep = new Set(trainIds);
  const pool = cvPool(dataset).filter((s) => keep.has(s.id));
  const k = Math.max(2, Math.round(1 / config.cv.inner_val_fraction));
  const by = config.cv.stratify_by;
  return groupedKFoldSplits(
    pool.map((s) => s.id),
    k,
    config.cv.seed,
    { groups: subjectsOf(pool), strata: by === null ? undefined : strataOf(pool, by, config.dataset.path) },
  )[0]!;
}
