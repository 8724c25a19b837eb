/**
 * Decision-level fusion: several classification runs — typically one per modality, each trained on its
 * own image column — classify the same cases, and their probabilities are averaged. Each run reads its
 * own modality: a case is one CSV row, so the runs' samples are lined up by row (by id elsewhere).
 */
import type { ClassificationSample } from '../../data/classification/dataset.js';
import type { Prediction } from '../../metrics/classification-files.js';
import { OptionError } from '../../util/errors.js';
import { type ClassificationRun, predictSamples } from './run.js';

/** What lines a case up across runs: its CSV row, else its id. */
export const caseKey = (s: ClassificationSample): string => (s.row !== undefined ? `row ${s.row}` : s.id);

/**
 * The mean of the members' probabilities, case by case (members in the same case order). The id and
 * truth are the first member's; the source lists every member's.
 * @throws OptionError naming `runs` when the members differ in cases, class counts or truths
 */
export function averageProbabilities(members: readonly (readonly Prediction[])[]): Prediction[] {
  const first = members[0];
  if (!first) throw new OptionError('runs', 'no predictions to fuse');
  return first.map((p, i) => {
    const all = members.map((m, r) => {
      const q = m[i];
      if (!q) throw new OptionError('runs', `run ${r + 1} has ${m.length} case(s), run 1 has ${first.length}`);
      if (q.probabilities.length !== p.probabilities.length)
        throw new OptionError(
          'runs',
          `run ${r + 1} gives ${q.probabilities.length} probabilities, run 1 gives ${p.probabilities.length}`,
        );
      if (q.truth && p.truth && q.truth.join() !== p.truth.join())
        throw new OptionError(
          'runs',
          `case ${p.id}: run ${r + 1}'s truth differs from run 1's (are the cases lined up?)`,
        );
      return q;
    });
    const probabilities = p.probabilities.map((_, k) => all.reduce((s, q) => s + q.probabilities[k]!, 0) / all.length);
    return { id: p.id, source: all.map((q) => q.source).join(' + '), truth: p.truth, probabilities };
  });
}

/**
 * Classifies cases with every run and averages the probabilities. `samplesOf` gives each run its samples
 * (e.g. its own dataset's test split, reading its own image column); they are lined up by `caseKey`.
 * @throws OptionError naming `runs` when the runs' classes differ or a case is missing from a run
 */
export async function predictFused(
  runs: readonly ClassificationRun[],
  samplesOf: (run: ClassificationRun) => ClassificationSample[],
  options: { batchSize?: number; device?: string } = {},
): Promise<Prediction[]> {
  const first = runs[0];
  if (!first) throw new OptionError('runs', 'give at least one run');
  for (const run of runs)
    if (
      run.info.classes.join('\u0000') !== first.info.classes.join('\u0000') ||
      run.info.multiLabel !== first.info.multiLabel
    )
      throw new OptionError(
        'runs',
        `${run.runDir} has classes ${run.info.classes.join(', ')}; ${first.runDir} has ${first.info.classes.join(', ')}`,
      );
  const reference = samplesOf(first);
  const order = reference.map(caseKey);
  const members: Prediction[][] = [];
  for (const run of runs) {
    const samples = run === first ? reference : samplesOf(run);
    const byKey = new Map(samples.map((s) => [caseKey(s), s]));
    const lined = order.map((k) => {
      const s = byKey.get(k);
      if (!s) throw new OptionError('runs', `${run.runDir} has no case ${k} (its samples must be the same cases)`);
      return s;
    });
    members.push(await predictSamples(run, lined, options));
  }
  return averageProbabilities(members);
}
