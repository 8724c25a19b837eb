/**
 * `vesalius predict RUN INPUT... -o OUT` for a classification run: class probabilities of each input
 * (a case's channel files joined by commas), or of a split of the run's own dataset (`--split test`),
 * written as a predictions CSV (OUT, or OUT/predictions.csv) that `evaluate` scores.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SplitName } from '../data/classification/dataset.js';
import { predictionsCsv } from '../metrics/classification-files.js';
import {
  loadClassificationRun,
  predictEnsemble,
  predictSamples,
  samplesFromPaths,
  samplesOfSplit,
} from '../train/classification/run.js';
import { openClassificationCvRuns } from '../train/cv/open.js';
import { isCvFolder } from '../train/open-run.js';
import { writeFileAtomic } from '../util/atomic.js';
import { OptionError } from '../util/errors.js';

export interface ClassifyFlags {
  output: string;
  checkpoint?: string;
  split?: string;
  json?: boolean;
}

export async function runClassifyPredict(runDir: string, inputs: string[], flags: ClassifyFlags): Promise<void> {
  if (flags.checkpoint !== undefined && flags.checkpoint !== 'best' && flags.checkpoint !== 'last')
    throw new OptionError('--checkpoint', `must be best or last, got "${flags.checkpoint}"`);
  const cv = isCvFolder(runDir);
  if (cv && flags.checkpoint !== undefined)
    throw new OptionError('--checkpoint', "a cross-validation's fold models are the checkpoints it reported");
  const runs = cv
    ? openClassificationCvRuns(runDir)
    : [loadClassificationRun(runDir, (flags.checkpoint as 'best' | 'last' | undefined) ?? 'best')];
  const run = runs[0]!;
  if (flags.split !== undefined && !['train', 'val', 'test'].includes(flags.split))
    throw new OptionError('--split', `must be train, val or test, got "${flags.split}"`);
  if ((flags.split === undefined) === (inputs.length === 0))
    throw new OptionError(
      'inputs',
      'give images to classify, or --split train|val|test of the run’s dataset (not both)',
    );
  const samples = flags.split ? samplesOfSplit(run, flags.split as SplitName) : samplesFromPaths(inputs);
  const started = performance.now();
  if (runs.length > 1)
    process.stderr.write(`predict: an ensemble of ${runs.length} fold models (probabilities averaged)\n`);
  const predictions = runs.length > 1 ? await predictEnsemble(runs, samples) : await predictSamples(run, samples);
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
