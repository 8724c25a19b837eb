/** Opens the training and validation sets of a detection config's dataset section, whatever its format. */
import { dirname, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { caseIdOf } from '../../io/case-id.js';
import { readImage } from '../../io/read.js';
import { FileFormatError, OptionError } from '../../util/errors.js';
import { readCocoDataset } from './coco.js';
import { readCsvDataset } from './csv.js';
import type { BadBoxPolicy, DetectionCase, DetectionDataset } from './dataset.js';
import { boxesFromLabels } from './from-labels.js';
import { readLuna16Dataset } from './luna16.js';
import { readVocDataset } from './voc.js';

export interface DetectionDatasetSpec {
  format: 'voc' | 'coco' | 'csv' | 'luna16' | 'labels';
  root: string;
  /** The split (VOC) or annotation file (COCO, CSV, LUNA16) of this set. */
  split: string;
  classes: string[] | null;
  badBoxes: BadBoxPolicy;
  dims: 2 | 3;
  images: string | null;
  labels: string | null;
}

type Reader = (spec: DetectionDatasetSpec) => Promise<DetectionDataset> | DetectionDataset;
const readers: Record<DetectionDatasetSpec['format'], Reader> = {
  voc: (s) => readVocDataset(s.root, { split: s.split, classes: s.classes ?? undefined, badBoxes: s.badBoxes }),
  coco: (s) =>
    readCocoDataset(join(s.root, s.split), join(s.root, s.images ?? '.'), {
      classes: s.classes ?? undefined,
      badBoxes: s.badBoxes,
    }),
  csv: (s) =>
    readCsvDataset(join(s.root, s.split), (p) => readImage(p), {
      dims: s.dims,
      classes: s.classes ?? undefined,
      badBoxes: s.badBoxes,
    }),
  luna16: (s) =>
    readLuna16Dataset(
      join(s.root, s.split),
      join(dirname(join(s.root, s.split)), s.images ?? '.'),
      (p) => readImage(p),
      {
        classes: s.classes ?? undefined,
        badBoxes: s.badBoxes,
      },
    ),
  labels: readLabelDataset,
};

/** Images and label maps in two folders, paired by case id; `split` lists case ids (comma-separated) or is '*' for all. */
async function readLabelDataset(s: DetectionDatasetSpec): Promise<DetectionDataset> {
  if (!s.images || !s.labels) throw new OptionError('dataset', "format 'labels' needs the images and labels folders");
  if (!s.classes)
    throw new OptionError('dataset.classes', "format 'labels' needs class names (label value 1 is the first)");
  const list = (dir: string) =>
    new Map(
      readdirSync(join(s.root, dir))
        .filter((f) => !f.startsWith('.'))
        .map((f) => [caseIdOf(f), join(s.root, dir, f)]),
    );
  const images = list(s.images),
    labels = list(s.labels);
  const wanted = s.split === '*' ? [...labels.keys()].sort() : s.split.split(',').map((x) => x.trim());
  const warnings: string[] = [];
  const cases: DetectionCase[] = [];
  for (const id of wanted) {
    const labelPath = labels.get(id);
    if (!labelPath) throw new OptionError('dataset.train', `case ${id} has no label map in ${s.labels}`);
    const image = images.get(id);
    if (!image) throw new FileFormatError(labelPath, `its image (case ${id}) is not in ${s.images}`);
    const { boxes, dropped } = boxesFromLabels(await readImage(labelPath), s.dims);
    for (const l of boxes.labels)
      if (l >= s.classes.length)
        throw new FileFormatError(
          labelPath,
          `label value ${l + 1} has no class name (classes: ${s.classes.join(', ')})`,
        );
    if (dropped) warnings.push(`${labelPath}: ${dropped} component(s) below the minimum size skipped`);
    cases.push({ id, image, boxes, source: labelPath });
  }
  return { name: s.root, dims: s.dims, classes: s.classes, cases, warnings };
}

/** Opens a detection dataset of any supported format. */
export async function openDetectionDataset(spec: DetectionDatasetSpec): Promise<DetectionDataset> {
  const reader = readers[spec.format];
  if (!reader) throw new OptionError('dataset.format', `no reader for '${spec.format}'`);
  return reader(spec);
}
