/**
 * Classification datasets: samples with one class (multi-class) or a 0/1 vector (multi-label), from
 *  - a folder per class (root/<class>/<image>), optionally under train/, val/, test/ folders;
 *  - a CSV of path + label(s) (+ subject id for grouped splits, + a split column, + extra columns);
 *    several paths joined by ';' are the channels of one case (input-level fusion), and so are the
 *    files of several image columns (`path_columns`, one modality per column: feature-level fusion);
 *  - a MedMNIST `.npz` (train_/val_/test_ images and labels; 2D grey, 2D RGB and 3D).
 * Every sample is checked here: a class folder without images, a label outside the declared classes,
 * an .npz without its arrays are one-line errors naming the folder, row or array.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { imageExtension } from '../../io/extensions.js';
import { createImage, type Image } from '../../io/image.js';
import { type NpyArray, readNpz } from '../../io/npz.js';
import { readImage } from '../../io/read.js';
import { FileFormatError, OptionError, ShapeError, VesaliusError } from '../../util/errors.js';
import { parseCsv } from '../../util/csv.js';

export type SplitName = 'train' | 'val' | 'test';

export interface ClassificationSample {
  id: string;
  /** Image files; several are the channels of one case. */
  paths?: string[];
  /** Or an image held in memory (MedMNIST). */
  image?: Image;
  /** Multi-class: [class index]; multi-label: one 0/1 per class. */
  target: number[];
  subject?: string;
  split?: SplitName;
  extra?: Record<string, string>;
  /** CSV: the row number in the file (header = 1), which lines up one case across runs reading other columns. */
  row?: number;
  /** CSV with `path_columns`: the modality (column) of each file in `paths`. */
  modalities?: string[];
}

export interface ClassificationDataset {
  name: string;
  classes: string[];
  multiLabel: boolean;
  samples: ClassificationSample[];
}

export interface DatasetSpec {
  format: 'folders' | 'csv' | 'medmnist';
  /** Folder (folders), CSV file (csv) or .npz file (medmnist). */
  path: string;
  /** Class names in index order (default: the folder names sorted, the CSV labels sorted, or 0..K−1). */
  classes?: string[] | null;
  multi_label?: boolean;
  path_column?: string;
  /** CSV: several image columns, one file each, stacked as channels in this order (one modality per column). */
  path_columns?: string[] | null;
  label_column?: string;
  /** Multi-label CSV: one 0/1 column per class (or one label column with names joined by `label_separator`). */
  label_columns?: string[] | null;
  label_separator?: string;
  subject_column?: string | null;
  split_column?: string | null;
  /** CSV: cases without labels are allowed when the label column(s) are absent (new cases to classify). */
  labels_optional?: boolean;
}

/** A sample's image: the one in memory, a file, or several files stacked as channels (same grid). */
export async function loadSampleImage(sample: ClassificationSample): Promise<Image> {
  if (sample.image) return sample.image;
  const paths = sample.paths ?? [];
  const images = await Promise.all(paths.map((p) => readImage(p)));
  if (images.length === 1) return images[0]!;
  const first = images[0]!;
  images.forEach((im, i) => {
    if (im.shape.slice(0, 3).some((n, a) => n !== first.shape[a]))
      throw new ShapeError(
        `${paths[i]}: grid ${im.shape.slice(0, 3).join('×')} differs from ${paths[0]}'s ${first.shape.slice(0, 3).join('×')}`,
      );
  });
  const n = first.shape[0]! * first.shape[1]! * first.shape[2]!;
  const channels = images.map((im) => im.data.length / n);
  // 8-bit files stay 8-bit when stacked, so 'auto' intensity still divides them by 255
  const total = n * channels.reduce((a, b) => a + b, 0);
  const data = images.every((im) => im.data instanceof Uint8Array) ? new Uint8Array(total) : new Float32Array(total);
  let at = 0;
  for (const im of images) {
    data.set(im.data as ArrayLike<number>, at);
    at += im.data.length;
  }
  return { ...first, data, shape: [...first.shape.slice(0, 3), data.length / n] };
}

/**
 * Opens a classification dataset and checks every sample's label.
 * @throws VesaliusError naming the folder, row or array of bad input
 * @example
 * const ds = openClassificationDataset({ format: 'medmnist', path: 'pneumoniamnist.npz' });
 */
export function openClassificationDataset(spec: DatasetSpec): ClassificationDataset {
  if (!existsSync(spec.path)) throw new FileFormatError(spec.path, 'not found (dataset.path)');
  switch (spec.format) {
    case 'folders':
      return openClassFolders(spec);
    case 'csv':
      return openCsv(spec);
    case 'medmnist':
      return openMedmnist(spec);
    default:
      throw new OptionError('dataset.format', `expected folders, csv or medmnist, got ${JSON.stringify(spec.format)}`);
  }
}

function isImageFile(path: string): boolean {
  return imageExtension(basename(path)) !== undefined && statSync(path).isFile();
}

function openClassFolders(spec: DatasetSpec): ClassificationDataset {
  const root = spec.path;
  const splits = (['train', 'val', 'test'] as const).filter((s) => existsSync(join(root, s)));
  const parts: Array<[string, SplitName | undefined]> = splits.length
    ? splits.map((s) => [join(root, s), s])
    : [[root, undefined]];
  const found = [...new Set(parts.flatMap(([dir]) => subfolders(dir)))].sort();
  const classes = spec.classes ?? found;
  if (classes.length === 0) throw new VesaliusError(`${root}: no class folders (expected ${root}/<class>/<images>)`);
  const samples: ClassificationSample[] = [];
  for (const [dir, split] of parts) {
    for (const name of subfolders(dir)) {
      const index = classes.indexOf(name);
      if (index < 0)
        throw new VesaliusError(
          `${join(dir, name)}: class folder '${name}' is not one of dataset.classes (${classes.join(', ')})`,
        );
      const files = readdirSync(join(dir, name))
        .sort()
        .map((f) => join(dir, name, f))
        .filter(isImageFile);
      if (files.length === 0) throw new VesaliusError(`${join(dir, name)}: class folder without images`);
      for (const f of files)
        samples.push({ id: `${split ? `${split}/` : ''}${name}/${basename(f)}`, paths: [f], target: [index], split });
    }
  }
  return { name: basename(resolve(root)), classes, multiLabel: false, samples };
}

function subfolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory() && !['train', 'val', 'test'].includes(n))
    .sort();
}

function openCsv(spec: DatasetSpec): ClassificationDataset {
  const file = spec.path;
  const rows = parseCsv(readFileSync(file, 'utf8'), file);
  if (rows.length < 2) throw new FileFormatError(file, 'no rows below the header');
  const header = rows[0]!;
  const column = (name: string, option: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new OptionError(option, `column '${name}' is not in ${file} (columns: ${header.join(', ')})`);
    return i;
  };
  const pathCols = spec.path_columns
    ? spec.path_columns.map((c) => column(c, 'dataset.path_columns'))
    : [column(spec.path_column ?? 'path', 'dataset.path_column')];
  const multiLabel = !!spec.multi_label || !!spec.label_columns;
  const unlabelled =
    !!spec.labels_optional && (spec.label_columns ?? [spec.label_column ?? 'label']).some((c) => !header.includes(c));
  const labelCols = unlabelled ? undefined : spec.label_columns?.map((c) => column(c, 'dataset.label_columns'));
  const labelCol = labelCols || unlabelled ? -1 : column(spec.label_column ?? 'label', 'dataset.label_column');
  const subjectCol = spec.subject_column ? column(spec.subject_column, 'dataset.subject_column') : -1;
  const splitCol = spec.split_column ? column(spec.split_column, 'dataset.split_column') : -1;
  const separator = spec.label_separator ?? '|';
  const body = rows.slice(1).filter((r) => r.some((c) => c.trim() !== ''));
  const names = (r: string[]) =>
    r[labelCol]!.split(multiLabel ? separator : /$^/)
      .map((s) => s.trim())
      .filter(Boolean);
  const classes = spec.classes ?? spec.label_columns ?? [...new Set(body.flatMap((r) => names(r)))].sort(naturalOrder);
  const base = dirname(resolve(file));
  const used = new Set(
    header
      .map((_, i) => i)
      .filter((i) => [...pathCols, labelCol, subjectCol, splitCol].includes(i) || labelCols?.includes(i)),
  );
  const samples = body.map((r, n) => {
    const where = `${file} row ${n + 2}`;
    const cells = pathCols.map((c) => (r[c] ?? '').trim());
    if (spec.path_columns)
      cells.forEach((cell, i) => {
        if (cell === '' || cell.includes(';'))
          throw new VesaliusError(
            `${where}: column ${spec.path_columns![i]} must hold one image file (dataset.path_columns), got '${cell}'`,
          );
      });
    const paths = cells.flatMap((cell) => cell.split(';')).map((p) => resolve(base, p.trim()));
    let target: number[];
    if (unlabelled) target = [];
    else if (labelCols) {
      target = labelCols.map((c) => {
        const v = Number(r[c]);
        if (v !== 0 && v !== 1) throw new VesaliusError(`${where}: ${header[c]} is '${r[c]}', expected 0 or 1`);
        return v;
      });
    } else {
      const indices = names(r).map((label) => {
        const i = classes.indexOf(label);
        if (i < 0)
          throw new VesaliusError(`${where}: label '${label}' is not one of the classes (${classes.join(', ')})`);
        return i;
      });
      if (!multiLabel && indices.length !== 1) throw new VesaliusError(`${where}: no label`);
      target = multiLabel ? classes.map((_, i) => (indices.includes(i) ? 1 : 0)) : indices;
    }
    const split = splitCol >= 0 ? parseSplit(r[splitCol]!, where) : undefined;
    const extra = Object.fromEntries(
      [...header.keys()].filter((i) => !used.has(i)).map((i) => [header[i]!, r[i] ?? '']),
    );
    return {
      id: `${n + 2}:${basename(paths[0]!)}`,
      paths,
      target,
      row: n + 2,
      ...(spec.path_columns ? { modalities: [...spec.path_columns] } : {}),
      ...(subjectCol >= 0 ? { subject: r[subjectCol]! } : {}),
      ...(split ? { split } : {}),
      ...(Object.keys(extra).length ? { extra } : {}),
    };
  });
  return { name: basename(file).replace(/\.csv$/i, ''), classes, multiLabel, samples };
}

function parseSplit(value: string, where: string): SplitName | undefined {
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  const map: Record<string, SplitName> = {
    train: 'train',
    training: 'train',
    val: 'val',
    valid: 'val',
    validation: 'val',
    test: 'test',
  };
  if (!map[v]) throw new VesaliusError(`${where}: split '${value}' is not train, val or test`);
  return map[v];
}

const naturalOrder = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

function openMedmnist(spec: DatasetSpec): ClassificationDataset {
  const file = spec.path;
  const arrays = readNpz(file);
  const parts = (['train', 'val', 'test'] as const).filter((s) => arrays[`${s}_images`] || arrays[`${s}_labels`]);
  if (!parts.includes('train'))
    throw new FileFormatError(
      file,
      `no train_images/train_labels arrays (found: ${Object.keys(arrays).join(', ') || 'none'})`,
    );
  let width = 0;
  const loaded = parts.map((s) => {
    const images = arrays[`${s}_images`];
    const labels = arrays[`${s}_labels`];
    if (!images || !labels)
      throw new FileFormatError(
        file,
        `has ${s}_${images ? 'images' : 'labels'} without ${s}_${images ? 'labels' : 'images'}`,
      );
    if (labels.shape[0] !== images.shape[0])
      throw new FileFormatError(
        file,
        `${s}_images has ${images.shape[0]} images but ${s}_labels ${labels.shape[0]} labels`,
      );
    width = Math.max(width, labels.shape[1] ?? 1);
    return { split: s, images, labels };
  });
  const multiLabel = spec.multi_label ?? width > 1;
  let top = 0;
  for (const p of loaded) for (const v of p.labels.data as Iterable<number | bigint>) top = Math.max(top, Number(v));
  const count = multiLabel ? width : top + 1;
  const classes = spec.classes ?? Array.from({ length: count }, (_, i) => String(i));
  const samples: ClassificationSample[] = [];
  for (const { split, images, labels } of loaded) {
    const n = images.shape[0]!;
    const labelWidth = labels.shape[1] ?? 1;
    for (let i = 0; i < n; i++) {
      const row = Array.from({ length: labelWidth }, (_, c) => Number(labels.data[i * labelWidth + c]!));
      if (!multiLabel && (row.length !== 1 || !(Number.isInteger(row[0]) && row[0]! >= 0 && row[0]! < classes.length)))
        throw new VesaliusError(
          `${file}: ${split}_labels[${i}] = ${row.join(',')} is outside the ${classes.length} classes (0..${classes.length - 1})`,
        );
      if (multiLabel && (row.length !== classes.length || row.some((v) => v !== 0 && v !== 1)))
        throw new VesaliusError(`${file}: ${split}_labels[${i}] is not a 0/1 vector of ${classes.length} labels`);
      samples.push({ id: `${split}_${i}`, image: npzImage(images, i, file, split), target: row, split });
    }
  }
  return { name: basename(file).replace(/\.npz$/i, ''), classes, multiLabel, samples };
}

/** Image i of an (N, H, W), (N, H, W, 3) or (N, D, H, W) array, as an `Image` (i fastest, channels last). */
function npzImage(images: NpyArray, i: number, file: string, split: string): Image {
  const s = images.shape.slice(1);
  const rgb = s.length === 3 && (s[2] === 3 || s[2] === 4);
  if (s.length < 2 || s.length > 4 || (s.length === 4 && !(s[3] === 3 || s[3] === 1)))
    throw new FileFormatError(
      file,
      `${split}_images has shape (${images.shape.join(', ')}); expected (N, H, W), (N, H, W, 3) or (N, D, H, W)`,
    );
  const per = s.reduce((a, b) => a * b, 1);
  const src = images.data.subarray(i * per, (i + 1) * per) as ArrayLike<number>;
  if (!rgb && s.length <= 3) {
    const data = images.data instanceof Uint8Array ? Uint8Array.from(src) : Float32Array.from(src, Number);
    return createImage(data, [...s].reverse());
  }
  // (…, C) interleaved → channels last (slowest) after i, j, k
  const c = s.at(-1)!;
  const spatial = s.slice(0, -1);
  const n = per / c;
  const data = images.data instanceof Uint8Array ? new Uint8Array(per) : new Float32Array(per);
  for (let v = 0; v < n; v++) for (let ch = 0; ch < c; ch++) data[ch * n + v] = Number(src[v * c + ch]);
  const shape = [...spatial].reverse();
  while (shape.length < 3) shape.push(1);
  return createImage(data, [...shape, c]);
}
