/** `vesalius cv CONFIG --folds K [--out DIR] [--splits FILE] [--resume]`: k-fold cross-validation; the logic is src/train/cv. */
import type { Command } from 'commander';
import type { ClassificationCvSummary } from '../train/cv/classification-summary.js';
import { runCrossValidation } from '../train/cv/cross-validate.js';
import { OptionError } from '../util/errors.js';
import { withFlagNames } from './flags.js';

interface CvFlags {
  folds?: string;
  out?: string;
  splits?: string;
  resume?: boolean;
  json?: boolean;
  workers?: string;
  progress?: boolean;
  stopAfterFolds?: string;
}

function positiveInt(value: string | undefined, option: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min)) throw new OptionError(option, `must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

export async function runCv(config: string, flags: CvFlags): Promise<void> {
  const result = await withFlagNames({ folds: '--folds', splits: '--splits' }, () =>
    runCrossValidation(config, {
      folds: positiveInt(flags.folds, '--folds', 2),
      out: flags.out,
      splits: flags.splits,
      resume: flags.resume,
      workers: positiveInt(flags.workers, '--workers'),
      progress: flags.progress !== false,
      stopAfterFolds: positiveInt(flags.stopAfterFolds, '--stop-after-folds', 0),
    }),
  );
  const { summary, state } = result;
  if (!state.finished)
    process.stderr.write(
      `cv: ${state.foldStatus.filter((f) => f.done).length}/${state.folds} fold(s) done in ${result.cvDir}; continue with --resume\n`,
    );
  if ('task' in summary) {
    if (summary.sampleCount > 0) process.stderr.write(classificationTable(summary, result.cvDir));
    if (flags.json) process.stdout.write(`${JSON.stringify({ cvDir: result.cvDir, ...state, summary })}\n`);
    return;
  }
  if (summary.caseCount === 0) return;
  process.stderr.write(
    `cv: ${state.method}, ${state.finished ? state.folds : `${summary.foldsDone.length} of ${state.folds}`} folds, ${summary.caseCount} out-of-fold cases, ${state.wallSeconds.toFixed(0)} s (CPU ${state.cpuSeconds.toFixed(0)} s)\n`,
  );
  process.stderr.write(
    `${'class'.padEnd(12)}${'Dice over cases'.padStart(18)}${'Dice over folds'.padStart(18)}${'IoU over cases'.padStart(18)}\n`,
  );
  for (const [name, agg] of Object.entries(summary.classes)) {
    const d = agg.metrics.dice!,
      j = agg.metrics.iou!,
      f = summary.overFolds[name]!.dice!;
    process.stderr.write(
      `${name.padEnd(12)}${`${d.mean.toFixed(4)} ± ${d.std.toFixed(3)}`.padStart(18)}${`${f.mean.toFixed(4)} ± ${f.std.toFixed(3)}`.padStart(18)}${`${j.mean.toFixed(4)} ± ${j.std.toFixed(3)}`.padStart(18)}\n`,
    );
  }
  process.stderr.write(`cv: wrote ${result.cvDir}/per_case.csv, summary.json and the out-of-fold predictions\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify({ cvDir: result.cvDir, ...state, summary })}\n`);
}

const fixed = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(4));

/** The human table of a classification CV: per fold, over folds (mean ± std) and over all samples (with CIs). */
function classificationTable(s: ClassificationCvSummary, cvDir: string): string {
  const o = s.overall;
  const lines = [
    `cv: ${s.foldsDone.length} of ${s.folds} folds, ${s.sampleCount} out-of-fold samples`,
    `${'fold'.padEnd(8)}${['n', 'AUC', 'accuracy', 'bal. acc.', 'macro F1'].map((h) => h.padStart(11)).join('')}`,
    ...s.perFold.map(
      (f) =>
        `${String(f.fold).padEnd(8)}${[String(f.samples), fixed(f.report.auc), fixed(f.report.accuracy), fixed(f.report.balancedAccuracy), fixed(f.report.macroF1)].map((v) => v.padStart(11)).join('')}`,
    ),
    `over folds: ${(['auc', 'accuracy', 'balancedAccuracy', 'macroF1'] as const)
      .map((m) => (s.overFolds[m] ? `${m} ${fixed(s.overFolds[m].mean)} ± ${s.overFolds[m].std.toFixed(4)}` : null))
      .filter(Boolean)
      .join(', ')}`,
    `all samples: AUC ${fixed(o.auc)} (95% CI ${fixed(o.aucCi[0])}–${fixed(o.aucCi[1])}), accuracy ${fixed(o.accuracy)} (95% CI ${fixed(o.accuracyCi[0])}–${fixed(o.accuracyCi[1])})`,
    `cv: wrote ${cvDir}/predictions.csv (with a fold column; vesalius evaluate reads it) and summary.json`,
  ];
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('cv')
    .description(
      "k-fold cross-validation of the config's network or baseline: the same folds for every method, out-of-fold predictions, per-case table with folds, aggregates per fold and overall",
    )
    .argument('<config>', 'training config (YAML or JSON)')
    .option('--folds <k>', 'number of folds (default: the config’s cv.folds, 5)')
    .option('--out <dir>', "CV folder (default: the config's output)")
    .option('--splits <file>', 'use these folds (a splits.json of another CV, or nnU-Net’s splits_final.json)')
    .option('--resume', 'continue an interrupted CV at its fold and epoch')
    .option('--workers <n>', 'batch-loader worker threads (default: cores − 1)')
    .option(
      '--stop-after-folds <n>',
      'stop after training this many folds (time-boxed runs; continue with --resume); 0 with --resume only gathers the finished folds',
    )
    .option('--no-progress', 'no progress bar (epoch lines only)')
    .option('--json', 'print the CV state and summary as JSON on stdout')
    .action(runCv);
}
