/**
 * Datasets as folders of images and masks matched by name: each folder has a regular expression
 * whose capture group (named `id`, else the first group) is the case id, e.g. DRIVE
 *   images  training/images      ^(\d+)_training\.tif$
 *   labels  training/1st_manual  ^(\d+)_manual1\.gif$
 *   roi     training/mask        ^(\d+)_training_mask\.gif$
 * or ISBI-like folders with the same file names (the default pattern: the name without extension).
 * Several image folders give several channels. Files that do not match a folder's pattern are ignored;
 * a folder where nothing matches is an error. With `recursive`, the pattern is matched against the
 * path relative to the folder ('/' separators), which handles one-folder-per-case layouts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { OptionError, VesaliusError } from '../../util/errors.js';
import { type Case, type Dataset, type LabelClass, checkLabelClasses, sortCases } from './dataset.js';

export interface FolderSpec {
  /** The folder (relative paths resolve against the dataset root). */
  dir: string;
  /** Regular expression over file names (or relative paths when recursive); its capture group is the case id. */
  pattern?: string;
  recursive?: boolean;
}

export interface CaseSetSpec {
  /** One folder per channel. */
  images: FolderSpec[];
  labels?: FolderSpec;
  roi?: FolderSpec;
}

export interface FoldersOptions extends CaseSetSpec {
  root: string;
  name?: string;
  classes: LabelClass[];
  /** One name per image folder (default 'image', 'image1', ...). */
  channels?: string[];
  test?: CaseSetSpec;
  labelRemap?: Record<number, number>;
}

/** The file name without its extension (.nii.gz counts as one). */
export const DEFAULT_PATTERN = '^(.+?)(?:\\.nii\\.gz|\\.[^./]+)?$';

function compile(spec: FolderSpec, option: string): RegExp {
  const source = spec.pattern ?? DEFAULT_PATTERN;
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (err) {
    throw new OptionError(`${option}.pattern`, `not a valid regular expression: ${(err as Error).message}`);
  }
  // A capture group is needed: count them by matching the empty alternative.
  const groups = new RegExp(`${source}|`).exec('')!.length - 1;
  if (groups < 1)
    throw new OptionError(
      `${option}.pattern`,
      `'${source}' needs a capture group for the case id, e.g. ^(\\d+)_training\\.tif$`,
    );
  return re;
}

function walk(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (recursive) out.push(...walk(path, true));
    } else out.push(path);
  }
  return out;
}

/** id → file for one folder; duplicate ids and an empty match are errors. */
export function matchFolder(root: string, spec: FolderSpec, option: string): Map<string, string> {
  const dir = resolve(root, spec.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new VesaliusError(`${dir}: folder not found (${option}.dir)`);
  const re = compile(spec, option);
  const byId = new Map<string, string>();
  for (const path of walk(dir, spec.recursive ?? false)) {
    const key = spec.recursive ? relative(dir, path).split(sep).join('/') : path.slice(dir.length + 1);
    const m = re.exec(key);
    if (!m) continue;
    const id = m.groups?.id ?? m[1];
    if (id === undefined || id === '')
      throw new VesaliusError(`${path}: ${option}.pattern matched but captured no case id`);
    const previous = byId.get(id);
    if (previous) throw new VesaliusError(`${path}: duplicate case id '${id}' in ${option} (also ${previous})`);
    byId.set(id, path);
  }
  if (byId.size === 0)
    throw new VesaliusError(
      `${dir}: no file matches ${option}.pattern ${spec.pattern ?? DEFAULT_PATTERN} (empty dataset)`,
    );
  return byId;
}

/** Cases of one image/label/ROI set, every id present in every folder. */
export function matchCaseSet(root: string, spec: CaseSetSpec, option: string, labelsRequired: boolean): Case[] {
  if (spec.images.length === 0) throw new OptionError(`${option}.images`, 'needs at least one image folder');
  const channels = spec.images.map((s, c) =>
    matchFolder(root, s, spec.images.length > 1 ? `${option}.images[${c}]` : `${option}.images`),
  );
  const labels = spec.labels ? matchFolder(root, spec.labels, `${option}.labels`) : undefined;
  if (!labels && labelsRequired) throw new OptionError(`${option}.labels`, 'training needs a label folder');
  const roi = spec.roi ? matchFolder(root, spec.roi, `${option}.roi`) : undefined;
  const first = channels[0]!;
  const cases: Case[] = [];
  for (const [id, path] of first) {
    const images = [path];
    for (let c = 1; c < channels.length; c++) {
      const other = channels[c]!.get(id);
      if (!other)
        throw new VesaliusError(
          `${path}: case '${id}' has no image in ${option}.images[${c}] (${resolve(root, spec.images[c]!.dir)})`,
        );
      images.push(other);
    }
    const item: Case = { id, images };
    if (labels) {
      const label = labels.get(id);
      if (!label)
        throw new VesaliusError(
          `${path}: image without a label (case '${id}', nothing in ${resolve(root, spec.labels!.dir)} matches)`,
        );
      item.label = label;
    }
    if (roi) {
      const mask = roi.get(id);
      if (!mask)
        throw new VesaliusError(
          `${path}: image without a region-of-interest mask (case '${id}' in ${resolve(root, spec.roi!.dir)})`,
        );
      item.roi = mask;
    }
    cases.push(item);
  }
  const orphans: Array<[Map<string, string> | undefined, string]> = [
    ...channels.slice(1).map((m, c) => [m, `image (${option}.images[${c + 1}])`] as [Map<string, string>, string]),
    [labels, 'label'],
    [roi, 'region-of-interest mask'],
  ];
  for (const [map, what] of orphans) {
    for (const [id, path] of map ?? []) {
      if (!first.has(id)) throw new VesaliusError(`${path}: ${what} without an image (case '${id}')`);
    }
  }
  return sortCases(cases);
}

/** Discovers a dataset of matched folders. */
export function discoverFolders(options: FoldersOptions): Dataset {
  const root = resolve(options.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new VesaliusError(`${root}: dataset folder not found`);
  const labels = checkLabelClasses(options.classes, 'dataset.classes');
  const channels = options.channels ?? options.images.map((_, c) => (c === 0 ? 'image' : `image${c}`));
  if (channels.length !== options.images.length) {
    throw new OptionError(
      'dataset.channels',
      `names ${channels.length} channels but dataset.images lists ${options.images.length} folders`,
    );
  }
  const cases = matchCaseSet(root, options, 'dataset', true);
  const test = options.test ? matchCaseSet(root, options.test, 'dataset.test', false) : [];
  return {
    name: options.name ?? root.split(/[\\/]/).at(-1)!,
    layout: 'folders',
    root,
    cases,
    test,
    labels,
    channels,
    ...(options.labelRemap ? { labelRemap: options.labelRemap } : {}),
  };
}
