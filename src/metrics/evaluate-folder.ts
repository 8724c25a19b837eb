import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, type Image } from '../io/image.js';
import type { BootstrapOptions } from '../stats/bootstrap.js';
import { FileFormatError, OptionError, ShapeError } from '../util/errors.js';
import { aggregateRows, type CaseRow, type ClassAggregate } from './aggregate.js';
import { caseIdOf, DEFAULT_CASE_SUFFIXES } from '../io/case-id.js';
import { IMAGE_EXTENSIONS, imageExtension } from '../io/extensions.js';
import { classesFromLabels, type ClassSpec } from './classes.js';
import { evaluateCase, type ClassRecord, type EvaluateOptions } from './evaluate-case.js';
import { labelsPresent, nonzeroMask } from './mask.js';
import { type ImageReader, LABEL_MAP } from '../io/read-options.js';

export type { ImageReader };

export interface FolderOptions extends Pick<EvaluateOptions, 'labels' | 'regions' | 'binary' | 'tolerance'> {
  reader: ImageReader;
  /** Folder (or single file) of ROI masks, paired by case id. */
  roi?: string;
  /** Folder (or single file) of probability maps, paired by case id, for AUC. */
  probability?: string;
  /** Name endings stripped to find case ids (default DEFAULT_CASE_SUFFIXES). */
  suffixes?: readonly string[];
  /** File endings read as images (default IMAGE_EXTENSIONS). */
  extensions?: readonly string[];
  bootstrap?: BootstrapOptions;
  /** Called before each case, for progress output. */
  onCase?: (caseId: string, index: number, total: number) => void;
}

export interface FolderEvaluation {
  /** One row per case × class, cases in id order. */
  rows: CaseRow[];
  aggregate: Record<string, ClassAggregate>;
  cases: string[];
  /** Ground-truth cases without a prediction file, scored as empty predictions. */
  missingPredictions: string[];
  classes: ClassSpec[];
  toleranceMm: number;
}

/**
 * Evaluates every ground-truth case of `gtPath` against the prediction of the same case id in
 * `predPath` (each a folder, or a single file). A prediction without a ground truth is an error
 * listing the unpaired cases; a ground truth without a prediction is a missed case, scored as an
 * empty prediction (worst-case metrics) and listed in `missingPredictions` — never dropped.
 * Without `labels`/`regions`, the classes are the non-zero labels found in any truth or prediction
 * of the folder, and a case lacking one is scored for it too (usually both-empty).
 *
 * @param predPath a folder (or one file) of predicted label maps
 * @param gtPath a folder (or one file) of ground truths, paired with the predictions by case id
 * @param options the reader (`readImage`), classes/regions, ROI and probability folders, bootstrap settings
 * @returns one row per case and class, the per-class aggregate (mean, std, median, 95 % bootstrap CI),
 *   the cases and the missing predictions
 * @throws VesaliusError listing predictions without a ground truth; FileFormatError naming an unreadable
 *   file; ShapeError naming a case whose grids differ
 *
 * @example
 * ```ts
 * import { readImage } from 'vesalius/io';
 * import { evaluateFolder, writeEvaluation } from 'vesalius/metrics';
 * const result = await evaluateFolder('pred', 'labelsTs', { reader: readImage });
 * writeEvaluation('pred/evaluation', result); // per_case.csv and summary.json
 * console.log(result.aggregate['1']!.metrics.dice!.mean);
 * ```
 */
export async function evaluateFolder(
  predPath: string,
  gtPath: string,
  options: FolderOptions,
): Promise<FolderEvaluation> {
  const gtFiles = listCases(gtPath, 'ground truth', options);
  const predFiles = listCases(predPath, 'predictions', options);
  const roiFiles = options.roi !== undefined ? listCases(options.roi, 'roi', options) : undefined;
  const probFiles =
    options.probability !== undefined ? listCases(options.probability, 'probability', options) : undefined;
  // A single pred file against a single truth file is one case, whatever their names.
  if (gtFiles.size === 1 && predFiles.size === 1 && isFile(gtPath) && isFile(predPath)) {
    const [id] = gtFiles.keys();
    predFiles.set(id!, [...predFiles.values()][0]!);
    predFiles.forEach((_, key) => key !== id && predFiles.delete(key));
    for (const extra of [roiFiles, probFiles]) {
      if (extra?.size === 1) {
        const only = [...extra.values()][0]!;
        extra.clear();
        extra.set(id!, only);
      }
    }
  }
  const unpaired = [...predFiles.keys()].filter((id) => !gtFiles.has(id));
  if (unpaired.length > 0) {
    const missing = [...gtFiles.keys()].filter((id) => !predFiles.has(id));
    throw new OptionError(
      predPath,
      `no ground truth for prediction case(s) ${listIds(unpaired)} in ${gtPath}` +
        (missing.length > 0 ? `; ground-truth case(s) without a prediction: ${listIds(missing)}` : ''),
    );
  }
  const ids = [...gtFiles.keys()].sort();
  if (ids.length === 0) throw new OptionError(gtPath, 'no ground-truth images found');
  for (const [files, option] of [
    [roiFiles, 'roi'],
    [probFiles, 'probability'],
  ] as const) {
    const lacking = files ? ids.filter((id) => predFiles.has(id) && !files.has(id)) : [];
    if (lacking.length > 0) throw new OptionError(option, `no file for case(s) ${listIds(lacking)}`);
  }
  const explicit = options.labels !== undefined || options.regions !== undefined || options.binary === true;
  const perCase = new Map<string, { records: ClassRecord[]; voxelsInRoi: number; missing: boolean }>();
  const labelsSeen = new Set<number>();
  for (const [index, id] of ids.entries()) {
    options.onCase?.(id, index, ids.length);
    const gt = await options.reader(gtFiles.get(id)!, LABEL_MAP);
    const predFile = predFiles.get(id);
    const pred = predFile !== undefined ? await options.reader(predFile, LABEL_MAP) : emptyLike(gt);
    const roi = roiFiles?.has(id) ? await options.reader(roiFiles.get(id)!, LABEL_MAP) : undefined;
    const probability = predFile !== undefined && probFiles ? await options.reader(probFiles.get(id)!) : undefined;
    const caseOptions: EvaluateOptions = { ...options, caseId: id, roi, probability };
    if (!explicit) {
      const present = [...labelsPresent(gt.data), ...labelsPresent(pred.data)];
      present.forEach((l) => labelsSeen.add(l));
      caseOptions.labels = present;
    }
    const records = evaluateCase(pred, gt, caseOptions);
    const voxelsInRoi = roi ? countNonzeroValues(roi) : gt.shape[0]! * gt.shape[1]! * gt.shape[2]!;
    perCase.set(id, { records, voxelsInRoi, missing: predFile === undefined });
  }
  const classes: ClassSpec[] = explicit
    ? perCase.get(ids[0]!)!.records.map((r) => ({ name: r.class, labels: r.labels }))
    : classesFromLabels(labelsSeen);
  const rows: CaseRow[] = [];
  for (const id of ids) {
    const { records, voxelsInRoi, missing } = perCase.get(id)!;
    for (const spec of classes) {
      const record = records.find((r) => r.class === spec.name) ?? bothEmptyRecord(spec, voxelsInRoi);
      rows.push({ case: id, missingPrediction: missing, ...record });
    }
  }
  return {
    rows,
    aggregate: aggregateRows(rows, options.bootstrap),
    cases: ids,
    missingPredictions: ids.filter((id) => perCase.get(id)!.missing),
    classes,
    toleranceMm: options.tolerance ?? 1,
  };
}

/**
 * The record of a class absent from both truth and prediction of a case (EMPTY_MASK_POLICY, both
 * empty): what evaluateMasks gives for two empty masks, without building them.
 */
export function bothEmptyRecord(spec: ClassSpec, voxelsInRoi: number): ClassRecord {
  return {
    class: spec.name,
    labels: spec.labels,
    emptiness: 'both-empty',
    dice: 1,
    iou: 1,
    precision: 1,
    recall: 1,
    specificity: 1,
    predVolumeMm3: 0,
    gtVolumeMm3: 0,
    volumeDifferenceMm3: 0,
    absoluteVolumeDifferenceMm3: 0,
    relativeVolumeDifferencePercent: 0,
    hd: 0,
    hd95: 0,
    assd: 0,
    nsd: 1,
    auc: null,
    averagePrecision: null,
    tp: 0,
    fp: 0,
    fn: 0,
    tn: voxelsInRoi,
  };
}

/** Case id → file, for a folder of images or a single image file. Two files of one case are an error. */
export function listCases(
  path: string,
  what: string,
  options: Pick<FolderOptions, 'suffixes' | 'extensions'> = {},
): Map<string, string> {
  const suffixes = options.suffixes ?? DEFAULT_CASE_SUFFIXES;
  const extensions = options.extensions ?? IMAGE_EXTENSIONS;
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new FileFormatError(path, `${what}: no such file or folder`);
  }
  const files = stat.isDirectory()
    ? readdirSync(path)
        .filter((name) => !name.startsWith('.') && imageExtension(name, extensions) !== undefined)
        .map((name) => join(path, name))
        .filter((file) => statSync(file).isFile())
    : [path];
  const cases = new Map<string, string>();
  for (const file of files.sort()) {
    const id = caseIdOf(file, suffixes, extensions);
    const other = cases.get(id);
    if (other !== undefined) throw new OptionError(what, `${other} and ${file} both belong to case "${id}"`);
    cases.set(id, file);
  }
  return cases;
}

function isFile(path: string): boolean {
  return statSync(path).isFile();
}

function emptyLike(gt: Image): Image {
  const n = gt.shape[0]! * gt.shape[1]! * gt.shape[2]!;
  if (n !== gt.data.length)
    throw new ShapeError(`ground truth: expected a single-channel label map, got shape [${gt.shape.join(', ')}]`);
  return createImage(new Uint8Array(n), gt.shape.slice(0, 3), gt);
}

function countNonzeroValues(image: Image): number {
  const mask = nonzeroMask(image.data);
  let n = 0;
  for (let v = 0; v < mask.length; v++) n += mask[v]!;
  return n;
}

function listIds(ids: string[]): string {
  return ids.length <= 10 ? ids.join(', ') : `${ids.slice(0, 10).join(', ')} and ${ids.length - 10} more`;
}
