/** `vesalius evaluate PRED GT`: per-case and aggregate segmentation metrics; the logic lives in src/metrics/evaluate.ts. */
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readImage } from '../io/read.js';
import { parseLabelList, parseRegions } from '../metrics/classes.js';
import { evaluateFolder, evaluationSummary, writeEvaluation, type FolderEvaluation } from '../metrics/evaluate.js';
import { OptionError } from '../util/errors.js';
import { runClassifyEvaluate } from './evaluate-classification.js';
import { withFlagNames } from './flags.js';

interface EvaluateFlags {
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
    .action(async (pred: string, gt: string | undefined, flags: EvaluateFlags) => {
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
