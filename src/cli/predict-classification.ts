/**
 * `vesalius predict RUN INPUT... -o OUT` for a classification run: class probabilities of each input
 * (a case's channel files joined by commas), or of a split of the run's own dataset (`--split test`),
 * written as a predictions CSV (OUT, or OUT/predictions.csv) that `evaluate` scores. With `--ensemble
 * RUN2 …` the runs' probabilities are averaged (decision-level fusion: with `--split`, each run reads
 * its own dataset, e.g. its own image column of one CSV, and the cases are lined up by row). A single
 * CSV input is a table of new cases that each run reads with its own columns.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SplitName } from '../data/classification/dataset.js';
import { predictionsCsv } from '../metrics/classification-files.js';
import { predictFused } from '../train/classification/fusion.js';
import {
  type ClassificationRun,
  loadClassificationRun,
  predictSamples,
  samplesFromCsv,
  samplesFromPaths,
  samplesOfSplit,
} from '../train/classification/run.js';
import { openClassificationCvRuns } from '../train/cv/open.js';
import { isCvFolder } from '../train/open-run.js';
import { writeFileAtomic } from '../util/atomic.js';
import { taskOfRun } from '../train/tasks.js';
import { OptionError } from '../util/errors.js';
import { withFlagNames } from './flags.js';

export interface ClassifyFlags {
  output: string;
  checkpoint?: string;
  split?: string;
  /** More runs whose probabilities are averaged in (decision-level fusion). */
  ensemble?: string[];
  json?: boolean;
}

export async function runClassifyPredict(runDir: string, inputs: string[], flags: ClassifyFlags): Promise<void> {
  if (flags.checkpoint !== undefined && flags.checkpoint !== 'best' && flags.checkpoint !== 'last')
    throw new OptionError('--checkpoint', `must be best or last, got "${flags.checkpoint}"`);
  const cv = isCvFolder(runDir);
  if (cv && flags.checkpoint !== undefined)
    throw new OptionError('--checkpoint', "a cross-validation's fold models are the checkpoints it reported");
  const checkpoint = (flags.checkpoint as 'best' | 'last' | undefined) ?? 'best';
  const others = (flags.ensemble ?? []).map((dir) => {
    if (taskOfRun(dir) !== 'classification') throw new OptionError('--ensemble', `${dir} is not a classification run`);
    return loadClassificationRun(dir, checkpoint);
  });
  const runs = [...(cv ? openClassificationCvRuns(runDir) : [loadClassificationRun(runDir, checkpoint)]), ...others];
  const run = runs[0]!;
  if (flags.split !== undefined && !['train', 'val', 'test'].includes(flags.split))
    throw new OptionError('--split', `must be train, val or test, got "${flags.split}"`);
  if ((flags.split === undefined) === (inputs.length === 0))
    throw new OptionError(
      'inputs',
      'give images to classify, or --split train|val|test of the run’s dataset (not both)',
    );
  const table = inputs.length === 1 && inputs[0]!.toLowerCase().endsWith('.csv') ? inputs[0]! : null;
  const samplesOf = (r: ClassificationRun) =>
    flags.split
      ? samplesOfSplit(r, flags.split as SplitName)
      : table
        ? samplesFromCsv(r, table)
        : samplesFromPaths(inputs);
  const started = performance.now();
  // several runs (a cross-validation's fold models, or one run per modality, each reading its own image
  // column): probabilities averaged
  if (runs.length > 1)
    process.stderr.write(
      cv && others.length === 0
        ? `predict: an ensemble of ${runs.length} fold models (probabilities averaged)\n`
        : `predict: decision-level fusion of ${runs.length} runs (probabilities averaged)\n`,
    );
  const predictions =
    runs.length > 1
      ? await withFlagNames({ runs: '--ensemble' }, () => predictFused(runs, samplesOf))
      : await predictSamples(run, samplesOf(run));
  const out =
    flags.output.toLowerCase().endsWith('.csv') || (existsSync(flags.output) && statSync(flags.output).isFile())
      ? flags.output
      : join(flags.output, 'predictions.csv');
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(out, predictionsCsv(predictions, run.info.classes, run.info.multiLabel));
  process.stderr.write(
    `predict: ${predictions.length} sample(s) classified in ${((performance.now() - started) / 1000).toFixed(1)} s (${cv ? `${runs.length} fold models` : run.checkpoint}); wrote ${out}\n`,
  );
  if (flags.json) process.stdout.write(`${JSON.stringify({ predictions: out, count: predictions.length })}\n`);
}
