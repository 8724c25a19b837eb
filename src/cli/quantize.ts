/**
 * `vesalius quantize RUN --calibration IMAGES... -o RUN_INT8`: post-training static int8
 * quantization of a trained run (src/export/quantize-run.ts). Prints which layers stay in float, and
 * the agreement with the float model it measured.
 */
import type { Command } from 'commander';
import { setNumThreads } from '../engine/threads.js';
import { quantizeRun } from '../export/quantize-run.js';
import { OptionError } from '../util/errors.js';
import { numberFlag, withFlagNames } from './flags.js';

interface QuantizeFlags {
  calibration?: string[];
  output: string;
  checkpoint?: string;
  windows: string;
  minSqnr: string;
  check?: string[];
  observer: string;
  threads?: string;
  json?: boolean;
}

export async function runQuantize(run: string, flags: QuantizeFlags): Promise<void> {
  const windowsPerImage = numberFlag(
    flags.windows,
    '--windows',
    (n) => Number.isInteger(n) && n >= 1,
    'must be a positive integer',
  );
  const minSqnrDb = numberFlag(flags.minSqnr, '--min-sqnr', Number.isFinite, 'must be a number (dB)');
  if (flags.checkpoint !== undefined && flags.checkpoint !== 'best' && flags.checkpoint !== 'last')
    throw new OptionError('--checkpoint', `must be best or last, got "${flags.checkpoint}"`);
  if (flags.observer !== 'histogram' && flags.observer !== 'minmax')
    throw new OptionError('--observer', `must be histogram or minmax, got "${flags.observer}"`);
  if (flags.threads !== undefined)
    setNumThreads(
      numberFlag(flags.threads, '--threads', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer'),
    );
  const record = await withFlagNames(
    { calibration: '--calibration', out: '--output', INPUT: '--calibration', windowsPerImage: '--windows' },
    () =>
      quantizeRun(run, {
        calibration: flags.calibration ?? [],
        out: flags.output,
        checkpoint: flags.checkpoint as 'best' | 'last' | undefined,
        windowsPerImage,
        minSqnrDb,
        check: flags.check,
        observer: flags.observer as 'histogram' | 'minmax',
        onProgress: (line) => process.stderr.write(`quantize: ${line}\n`),
      }),
  );
  const a = record.agreement;
  process.stderr.write(
    `quantize: wrote ${flags.output} (${record.summary.int8_nodes} int8 node(s), ${record.summary.float_nodes.length} float) on ${record.engine}; ` +
      `label Dice vs float ${a.label_dice.map((d) => d.toFixed(4)).join('/')}, max |Δp| ${a.max_abs_probability_difference.toFixed(4)}, ` +
      `${(a.float_seconds / Math.max(1e-9, a.int8_seconds)).toFixed(2)}× the float speed on the check images\n`,
  );
  if (flags.json) {
    const { ranges, nodes, ...summary } = record;
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
}

export function register(program: Command): void {
  program
    .command('quantize')
    .description(
      'post-training static int8 quantization of a run: calibrate activation ranges on images, quantize weights per channel, keep layers that quantize badly in float; writes an int8 run that predict uses like any run',
    )
    .argument('<run>', 'the trained run folder')
    .option('--calibration <images...>', 'calibration images (as predict takes them)')
    .requiredOption('-o, --output <run>', 'the int8 run folder to write')
    .option('--checkpoint <best|last>', 'which checkpoint to quantize (default best)')
    .option('--windows <n>', 'windows taken from each calibration image', '16')
    .option('--min-sqnr <dB>', 'layers whose int8 output is below this signal-to-noise ratio stay in float', '20')
    .option(
      '--check <images...>',
      'images to measure the agreement with the float model on (default: the calibration images)',
    )
    .option(
      '--observer <kind>',
      'activation ranges: histogram (least quantization error, clips rare outliers) or minmax',
      'histogram',
    )
    .option('--threads <n>', 'CPU threads (default: every core)')
    .option('--json', 'print the quantization summary as JSON on stdout')
    .action(runQuantize);
}
