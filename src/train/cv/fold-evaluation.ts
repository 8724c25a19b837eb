/**
 * One fold's held-out cases: predicted by the fold's reported model with the run's inference settings
 * (mirroring TTA, overlap, post-processing), written as out-of-fold predictions on each input's grid,
 * and evaluated against the dataset's labels (sanitised as training reads them) inside their ROI, with
 * `evaluate`'s metrics and empty-mask policy.
 */
import { mkdirSync } from 'node:fs';
import type { Case, Dataset } from '../../data/layout/dataset.js';
import { sanitizeLabels } from '../../data/labels.js';
import { defaultFormat, outputPaths, predictCase, type PredictionRun } from '../../infer/predict.js';
import { createImage, type Image } from '../../io/image.js';
import { readImage } from '../../io/read.js';
import { LABEL_MAP } from '../../io/read-options.js';
import { writeImage } from '../../io/write.js';
import type { CaseRow } from '../../metrics/aggregate.js';
import { evaluateCase } from '../../metrics/evaluate-case.js';
import { addToRoc, type RocHistogram } from './roc.js';
import type { TrainingConfig } from '../config.js';

export type FoldRow = CaseRow & { fold: number };

export interface FoldEvaluation {
  rows: FoldRow[];
  roc: RocHistogram[];
  predictions: Record<string, string>;
  seconds: number;
}

/** The case's ground truth as class values on its own grid. */
export async function groundTruth(dataset: Dataset, c: Case): Promise<{ label: Image; roi?: Image }> {
  const raw = await readImage(c.label!, LABEL_MAP);
  const n = raw.shape[0]! * (raw.shape[1] ?? 1) * (raw.shape[2] ?? 1);
  const { data } = sanitizeLabels(
    raw.data.length === n ? raw.data : raw.data.subarray(0, n),
    dataset.labels.map((l) => l.value),
    c.label!,
    dataset.labelRemap,
  );
  const label = createImage(data, [raw.shape[0]!, raw.shape[1] ?? 1, raw.shape[2] ?? 1], raw);
  const roi = c.roi ? await readImage(c.roi, LABEL_MAP) : undefined;
  return { label, roi };
}

export async function evaluateFold(
  fold: number,
  run: PredictionRun,
  cases: readonly Case[],
  dataset: Dataset,
  config: TrainingConfig,
  outDir: string,
  say: (line: string) => void,
): Promise<FoldEvaluation> {
  const started = performance.now();
  const K = dataset.labels.length;
  const labels = dataset.labels.filter((l) => l.value > 0).map((l) => l.value);
  const rows: FoldRow[] = [];
  let roc: RocHistogram[] = [];
  const predictions: Record<string, string> = {};
  const inference = config.inference;
  for (const [i, c] of cases.entries()) {
    say(`fold ${fold}: predicting held-out case ${i + 1}/${cases.length} ${c.id}`);
    const prediction = await predictCase(
      run,
      { id: c.id, files: c.images, roi: c.roi },
      {
        tta: inference.mirror,
        overlap: inference.overlap,
        probabilities: true,
        postprocess: {
          keepLargest: inference.keep_largest,
          removeSmaller: inference.remove_small,
          fillHoles: inference.fill_holes,
        },
      },
    );
    const paths = outputPaths(outDir, c.id, defaultFormat(c.images[0]!));
    mkdirSync(outDir, { recursive: true });
    await writeImage(prediction.labels, paths.labels);
    predictions[c.id] = paths.labels;
    const probabilities = prediction.probabilities!;
    if (config.cv.probabilities) {
      mkdirSync(`${outDir}/probabilities`, { recursive: true });
      await writeImage(probabilities, paths.probabilities);
    }
    const truth = await groundTruth(dataset, c);
    const records = evaluateCase(prediction.labels, truth.label, {
      labels,
      roi: truth.roi,
      probability: probabilities,
      caseId: c.id,
    });
    for (const r of records) rows.push({ case: c.id, fold, missingPrediction: false, ...r });
    const roiMask = truth.roi?.data;
    roc = addToRoc(roc, probabilities.data, truth.label.data, K, roiMask);
  }
  return { rows, roc, predictions, seconds: (performance.now() - started) / 1000 };
}
