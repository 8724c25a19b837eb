/**
 * `vesalius findings PRED [--image IMG] [--probabilities P] [--atlas A]`: connected-component findings
 * of a prediction as a structured report (text on stdout; -o OUT writes OUT.txt/.json/.html/.pdf).
 */
import type { Command } from 'commander';
import { findingsFromFiles, REPORT_FORMATS, type ReportFormat } from '../report/findings-files.js';
import { reportText } from '../report/findings-report.js';
import { OptionError } from '../util/errors.js';
import { withFlagNames } from './flags.js';

interface FindingsFlags {
  image?: string;
  probabilities?: string;
  atlas?: string;
  atlasNames?: string;
  names?: string;
  run?: string;
  output?: string;
  format?: string;
  minVolume?: string;
  midline?: string;
  json?: boolean;
}

function numberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new OptionError(flag, `must be a number, got "${value}"`);
  return n;
}

export async function runFindings(prediction: string, flags: FindingsFlags): Promise<void> {
  const formats = flags.format?.split(',').map((f) => f.trim()) as ReportFormat[] | undefined;
  for (const f of formats ?? [])
    if (!REPORT_FORMATS.includes(f))
      throw new OptionError('--format', `must be among ${REPORT_FORMATS.join(', ')}, got "${f}"`);
  const minVolume = numberFlag(flags.minVolume, '--min-volume');
  if (minVolume !== undefined && minVolume < 0) throw new OptionError('--min-volume', 'must not be negative');
  const { report, written } = await withFlagNames({ run: '--run', segments: '--names' }, () =>
    findingsFromFiles(prediction, {
      image: flags.image,
      probabilities: flags.probabilities,
      atlas: flags.atlas,
      atlasNames: flags.atlasNames,
      names: flags.names,
      run: flags.run,
      output: flags.output,
      formats,
      minVolume,
      midlineX: numberFlag(flags.midline, '--midline'),
    }),
  );
  for (const path of written) process.stderr.write(`findings: wrote ${path}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else if (!flags.output) process.stdout.write(reportText(report));
}

export function register(program: Command): void {
  program
    .command('findings')
    .description(
      'lesion list and structured findings report of a prediction: per connected component its volume, long and short axis, centroid, side, slices, mean intensity and model probability',
    )
    .argument('<prediction>', 'label image (NIfTI, NRRD, DICOM SEG ...)')
    .option('--image <img>', 'the image predicted on (mean intensity per finding)')
    .option('--probabilities <p>', 'probability map of the prediction ([i, j, k, classes] or foreground probability)')
    .option('--atlas <a>', 'label atlas or organ segmentation: names the structure each finding lies in')
    .option('--atlas-names <json>', 'names of the atlas labels ({"1": "liver"} or a dataset.json; a SEG names itself)')
    .option('--names <json>', 'names of the predicted classes (default: from --run, or the SEG)')
    .option('--run <dir>', 'the run folder that made the prediction (class names, model line)')
    .option('-o, --output <base>', 'write BASE.txt, BASE.json, BASE.html and BASE.pdf')
    .option('--format <list>', `with -o, which of ${REPORT_FORMATS.join(',')} (comma-separated)`)
    .option('--min-volume <mm3>', 'leave out findings smaller than this (mm³; mm² for 2D)')
    .option('--midline <x>', 'x of the body midline in patient coordinates (mm, default 0)')
    .option('--json', 'print the report as JSON on stdout')
    .action(runFindings);
}
