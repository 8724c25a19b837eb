/** Opens the training and validation sets of a detection config's dataset section, whatever its format. */
import { join } from 'node:path';
import { OptionError } from '../../util/errors.js';
import type { BadBoxPolicy, DetectionDataset } from './dataset.js';
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
const readers: Partial<Record<DetectionDatasetSpec['format'], Reader>> = {
  voc: (s) => readVocDataset(s.root, { split: s.split, classes: s.classes ?? undefined, badBoxes: s.badBoxes }),
};

/** Registers the reader of a format (the readers of coco, csv, luna16 and labels add themselves). */
export function registerDetectionReader(format: DetectionDatasetSpec['format'], reader: Reader): void {
  readers[format] = reader;
}

export async function openDetectionDataset(spec: DetectionDatasetSpec): Promise<DetectionDataset> {
  const reader = readers[spec.format];
  if (!reader) throw new OptionError('dataset.format', `no reader for '${spec.format}'`);
  return reader(spec);
}

export const resolveIn = (root: string, path: string) => join(root, path);
