/**
 * The folds of a cross-validation: given back from a splits file (to share folds between methods or
 * reproduce a run), or made from the config's `cv` section — seeded k-fold over case ids (nnU-Net's
 * split), grouped by subject and stratified by a metadata column when asked.
 */
import { groupedKFoldSplits, loadSplits, type Fold } from '../../data/splits.js';
import { parseCsvTable } from '../../util/csv.js';
import { readTextFile } from '../../util/read-text.js';
import { FileFormatError, OptionError } from '../../util/errors.js';
import type { CvConfig } from '../config.js';

/** case id → value of `column` in the metadata CSV (which must have a `case` column). */
export function metadataColumn(path: string, column: string, option: string): Map<string, string> {
  const text = readTextFile(path, 'metadata');
  const { columns, records } = parseCsvTable(text, path);
  if (!columns.includes('case')) throw new FileFormatError(path, `needs a "case" column (has ${columns.join(', ')})`);
  if (!columns.includes(column))
    throw new OptionError(option, `"${column}" is not a column of ${path} (${columns.join(', ')})`);
  return new Map(records.map((r) => [r.case!, r[column]!]));
}

/** Checks that folds cover the dataset's cases, each validated exactly once. */
export function checkFolds(folds: Fold[], ids: readonly string[], source: string): Fold[] {
  const known = new Set(ids);
  const seen = new Map<string, number>();
  folds.forEach((f, i) => {
    for (const id of f.val) {
      if (!known.has(id))
        throw new FileFormatError(source, `fold ${i} holds out case '${id}', which the dataset does not have`);
      if (seen.has(id)) throw new FileFormatError(source, `case '${id}' is held out by folds ${seen.get(id)} and ${i}`);
      seen.set(id, i);
    }
    const overlap = f.train.filter((id) => f.val.includes(id));
    if (overlap.length) throw new FileFormatError(source, `fold ${i} trains and validates on '${overlap[0]}'`);
  });
  const missing = ids.filter((id) => !seen.has(id));
  if (missing.length)
    throw new FileFormatError(
      source,
      `case(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' ...' : ''} are in no fold's held-out set`,
    );
  return folds;
}

/** Folds read from a splits file (ours or nnU-Net's) and checked against the ids; a train list left empty is every other id. */
export function foldsFromFile(ids: readonly string[], splitsFile: string): Fold[] {
  const full = loadSplits(splitsFile).map((f) => ({
    train: f.train.length ? f.train : ids.filter((id) => !f.val.includes(id)),
    val: f.val,
  }));
  return checkFolds(full, ids, splitsFile);
}

/** The folds for the dataset's case ids: from `splitsFile`, or made as the config's cv section says. */
export function cvFolds(ids: readonly string[], cv: CvConfig, folds: number, splitsFile?: string): Fold[] {
  if (splitsFile) return foldsFromFile(ids, splitsFile);
  if ((cv.group_by || cv.stratify_by) && !cv.metadata)
    throw new OptionError(
      cv.group_by ? 'cv.group_by' : 'cv.stratify_by',
      'needs cv.metadata, a CSV with a case column',
    );
  if (cv.group_by && cv.group_pattern)
    throw new OptionError('cv.group_pattern', 'give cv.group_by or cv.group_pattern, not both');
  let groups: Map<string, string> | undefined;
  if (cv.group_by) groups = metadataColumn(cv.metadata!, cv.group_by, 'cv.group_by');
  if (cv.group_pattern) {
    let re: RegExp;
    try {
      re = new RegExp(cv.group_pattern);
    } catch (err) {
      throw new OptionError('cv.group_pattern', `not a regular expression (${(err as Error).message})`);
    }
    groups = new Map(
      ids.map((id) => {
        const m = re.exec(id);
        if (!m || m[1] === undefined)
          throw new OptionError('cv.group_pattern', `does not match case '${id}' with a group`);
        return [id, m[1]];
      }),
    );
  }
  const strata = cv.stratify_by ? metadataColumn(cv.metadata!, cv.stratify_by, 'cv.stratify_by') : undefined;
  return groupedKFoldSplits(ids, folds, cv.seed, { groups, strata });
}
