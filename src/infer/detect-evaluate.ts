/**
 * `evaluate --detection PRED GT`: the `<case>.json` files `predict` wrote for a detection run, paired by
 * case id with the annotations in GT — a VOC folder (with `--split`), a COCO JSON file or a CSV file —
 * and scored by detection/metrics/evaluate.ts. A case without a prediction file counts as one with no
 * detections (and is reported); prediction files without annotations are reported and left out.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { DetectionDataset } from '../detection/datasets/dataset.js';
import { openDetectionDataset } from '../detection/datasets/open.js';
import { emptyBoxSet } from '../detection/boxes.js';
import { type DetectionEvaluation, evaluateDetections } from '../detection/metrics/evaluate.js';
import type { BootstrapOptions } from '../stats/bootstrap.js';
import { OptionError, VesaliusError } from '../util/errors.js';
import { readCaseDetections } from './detect-output.js';

export interface DetectionFolderOptions {
  split?: string;
  classes?: string[];
  scoreThreshold?: number;
  bootstrap?: BootstrapOptions;
}

/** The annotations at `gt`: a VOC folder, a COCO .json or a .csv. */
export async function openGroundTruth(gt: string, o: DetectionFolderOptions): Promise<DetectionDataset> {
  if (!existsSync(gt)) throw new VesaliusError(`${gt}: no such annotation folder or file`);
  const common = { classes: o.classes ?? null, badBoxes: 'warn' as const, images: null, labels: null };
  if (statSync(gt).isDirectory()) {
    if (!existsSync(join(gt, 'Annotations')))
      throw new OptionError(
        'gt',
        `${gt} is a folder without Annotations/ (a VOC dataset); give a COCO .json or a .csv instead`,
      );
    return openDetectionDataset({ format: 'voc', root: gt, split: o.split ?? '', dims: 2, ...common });
  }
  const ext = extname(gt).toLowerCase();
  if (ext === '.json')
    return openDetectionDataset({ format: 'coco', root: join(gt, '..'), split: basename(gt), dims: 2, ...common });
  if (ext === '.csv')
    return openDetectionDataset({ format: 'csv', root: join(gt, '..'), split: basename(gt), dims: 2, ...common });
  throw new OptionError('gt', `${gt}: expected a VOC folder, a COCO .json or a .csv file`);
}

export async function evaluateDetectionFolder(
  pred: string,
  gt: string,
  o: DetectionFolderOptions = {},
): Promise<{ evaluation: DetectionEvaluation; missing: string[]; warnings: string[] }> {
  const dataset = await openGroundTruth(gt, o);
  const files = statSync(pred).isDirectory()
    ? readdirSync(pred)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(pred, f))
    : [pred];
  const predictions = new Map<string, ReturnType<typeof readCaseDetections>['set']>();
  for (const f of files) {
    const { id, set } = readCaseDetections(f, dataset.classes);
    predictions.set(id, set);
  }
  const warnings = [...dataset.warnings];
  const known = new Set(dataset.cases.map((c) => c.id));
  for (const id of predictions.keys())
    if (!known.has(id)) warnings.push(`prediction for case ${id}, which the annotations do not have: left out`);
  const missing: string[] = [];
  const pairs = dataset.cases.map((c) => {
    const p = predictions.get(c.id);
    if (!p) missing.push(c.id);
    return { id: c.id, gt: c.boxes, pred: p ?? emptyBoxSet(dataset.dims, true) };
  });
  const evaluation = evaluateDetections(pairs, {
    classes: dataset.classes,
    scoreThreshold: o.scoreThreshold,
    bootstrap: o.bootstrap,
  });
  return { evaluation, missing, warnings };
}
