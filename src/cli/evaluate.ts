/** `vesalius evaluate PRED GT`: per-case and aggregate segmentation metrics; the logic lives in src/metrics/evaluate.ts. */
import type { Command } from 'commander';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readImage } from '../io/read.js';
import { parseLabelList, parseRegions } from '../metrics/classes.js';
import { evaluateFolder, evaluationSummary, writeEvaluation, type FolderEvaluation } from '../metrics/evaluate.js';
import { OptionError } from '../util/errors.js';
import { runClassifyEvaluate } from './evaluate-classification.js';
import { withFlagNames } from './flags.js';
import { writeDetectionEvaluation } from '../detection/metrics/evaluate.js';
import { evaluateDetectionFolder } from '../infer/detect-evaluate.js';

interface EvaluateFlags {
  detection?: boolean;
  split?: string;
  classes?: string;
  scoreThreshold?: string;
  json?: boolean;
  labels?: string;
  regions?: string;
  binary?: boolean;
  roi?: string;
  prob?: string;
  tolerance: string;
  out?: string;
  seed: string;
  resamples: string;
  multiLabel?: boolean;
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description(
      'per-case and aggregate segmentation metrics of predictions against ground truth (folders paired by case id, or two files); for a classification predictions CSV: AUC, accuracy, F1, kappa, calibration with bootstrap CIs',
    )
    .argument('<pred>', 'folder (or file) of predicted label maps')
    .argument('[gt]', 'folder (or file) of ground-truth label maps; for a predictions CSV, an optional CSV of id,label')
    .option('--json', 'print the aggregate summary as JSON on stdout')
    .option('--labels <list>', 'labels evaluated one by one, e.g. 1,2 (default: every non-zero label found)')
    .option('--regions <spec>', "named merged regions, e.g. 'WT=1,2,3,4;TC=1,3,4;ET=4'")
    .option('--binary', 'non-zero is foreground in both maps (masks stored as 0/255)')
    .option(
      '--roi <path>',
      'folder (or file) of region-of-interest masks (e.g. DRIVE field of view): voxels outside are ignored',
    )
    .option('--prob <path>', 'folder (or file) of probability maps for AUC')
    .option('--tolerance <mm>', 'normalised surface Dice tolerance in mm', '1')
    .option('--out <dir>', 'where per_case.csv and summary.json go (default: <pred folder>/evaluation)')
    .option('--seed <n>', 'seed of the bootstrap confidence intervals', '0')
    .option('--resamples <n>', 'bootstrap resamples', '2000')
    .option('--multi-label', 'classification: the CSV holds one independent probability per label')
    .option(
      '--detection',
      'score detections (predict of a detection run) against box annotations: COCO AP, FROC, per case',
    )
    .option('--split <name>', 'detection: the split of a VOC folder (ImageSets/Main/NAME.txt) to score')
    .option('--classes <names>', 'detection: class names in order, comma-separated (default: those of the annotations)')
    .option('--score-threshold <s>', 'detection: score that counts in the per-case table', '0.5')
    .action(async (pred: string, gt: string | undefined, flags: EvaluateFlags) => {
      if (flags.detection) {
        if (gt === undefined)
          throw new OptionError('gt', '--detection needs the annotations (a VOC folder, COCO .json or .csv)');
        return evaluateDetectionCli(pred, gt, flags);
      }
      const tolerance = Number(flags.tolerance);
      if (!Number.isFinite(tolerance) || tolerance < 0)
        throw new OptionError('--tolerance', `expected a non-negative number of mm, got "${flags.tolerance}"`);
      const seed = Number(flags.seed),
        resamples = Number(flags.resamples);
      if (!Number.isInteger(seed)) throw new OptionError('--seed', `expected an integer, got "${flags.seed}"`);
      if (!Number.isInteger(resamples) || resamples < 1)
        throw new OptionError('--resamples', `expected a positive integer, got "${flags.resamples}"`);
      if (/\.csv$/i.test(pred)) {
        runClassifyEvaluate(pred, gt, {
          out: flags.out,
          json: flags.json,
          seed,
          resamples,
          multiLabel: flags.multiLabel,
        });
        return;
      }
      if (gt === undefined) throw new OptionError('gt', 'give the ground-truth label maps to evaluate against');
      const result = await withFlagNames({ probability: '--prob', roi: '--roi' }, () =>
        evaluateFolder(pred, gt, {
          reader: readImage,
          labels: flags.labels !== undefined ? parseLabelList(flags.labels) : undefined,
          regions: flags.regions !== undefined ? parseRegions(flags.regions) : undefined,
          binary: flags.binary,
          roi: flags.roi,
          probability: flags.prob,
          tolerance,
          bootstrap: { seed, resamples },
          onCase: (id, index, total) => process.stderr.write(`evaluate: case ${index + 1}/${total} ${id}\n`),
        }),
      );
      const out = flags.out ?? join(isDirectory(pred) ? pred : dirname(pred), 'evaluation');
      const paths = writeEvaluation(out, result);
      printTable(result);
      for (const id of result.missingPredictions)
        process.stderr.write(`evaluate: no prediction for case ${id}: scored as an empty prediction\n`);
      process.stderr.write(`evaluate: wrote ${paths.csv} and ${paths.json}\n`);
      if (flags.json) process.stdout.write(`${JSON.stringify(evaluationSummary(result), null, 2)}\n`);
    });
}

async function evaluateDetectionCli(pred: string, gt: string, flags: EvaluateFlags): Promise<void> {
  const seed = Number(flags.seed),
    resamples = Number(flags.resamples),
    threshold = Number(flags.scoreThreshold ?? '0.5');
  if (!(threshold >= 0 && threshold <= 1))
    throw new OptionError('--score-threshold', `must lie in [0, 1], got "${flags.scoreThreshold}"`);
  const result = await evaluateDetectionFolder(pred, gt, {
    split: flags.split,
    classes: flags.classes?.split(',').map((c) => c.trim()),
    scoreThreshold: threshold,
    bootstrap: { seed, resamples },
  });
  for (const w of result.warnings) process.stderr.write(`evaluate: warning: ${w}\n`);
  for (const id of result.missing)
    process.stderr.write(`evaluate: no prediction for case ${id}: scored as no detections\n`);
  const s = result.evaluation.summary;
  const f = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(4));
  process.stderr.write(
    `${'class'.padEnd(12)}${'objects'.padStart(8)}${'AP@0.5'.padStart(10)}${'AP@.5:.95'.padStart(11)}\n`,
  );
  for (const c of s.classes)
    process.stderr.write(
      `${c.padEnd(12)}${String(s.objects[c]).padStart(8)}${f(s.ap50[c]).padStart(10)}${f(s.ap[c]).padStart(11)}\n`,
    );
  process.stderr.write(
    `mAP@0.5 ${f(s.map50)} [${s.ci95.map50.map((v) => v.toFixed(3)).join(', ')}], mAP@[.5:.95] ${f(s.map)}, FROC CPM ${f(s.froc.cpm)} (${s.froc.hit})\n`,
  );
  const out = flags.out ?? join(isDirectory(pred) ? pred : dirname(pred), 'evaluation');
  mkdirSync(out, { recursive: true });
  const paths = writeDetectionEvaluation(out, result.evaluation);
  process.stderr.write(`evaluate: wrote ${paths.csv} and ${paths.json}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A short human summary on stderr: mean ± std per class and metric. */
function printTable(result: FolderEvaluation): void {
  const metrics = ['dice', 'iou', 'hd95', 'assd', 'nsd', 'auc'] as const;
  process.stderr.write(`${'class'.padEnd(10)}${'cases'.padStart(6)}${metrics.map((m) => m.padStart(18)).join('')}\n`);
  for (const [name, agg] of Object.entries(result.aggregate)) {
    const cells = metrics.map((m) => {
      const s = agg.metrics[m];
      return (s ? `${s.mean.toFixed(4)} ± ${s.std.toFixed(3)}` : '—').padStart(18);
    });
    process.stderr.write(`${name.padEnd(10)}${String(agg.cases).padStart(6)}${cells.join('')}\n`);
  }
}
