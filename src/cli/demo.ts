import type { Command } from 'commander';
import { DEMO_DEFAULTS } from '../demo/options.js';
import { OptionError } from '../util/errors.js';

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new OptionError(name, `must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** `vesalius demo`: trains a small U-Net on generated phantoms, shows the loss falling, and writes a report. */
export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'train a small U-Net on generated phantoms (ellipses in noise), print the loss falling, and write an HTML report (loss curve, a validation phantom)',
    )
    .option('--steps <n>', 'training steps', integer('--steps', 1), DEMO_DEFAULTS.steps)
    .option('--batch <n>', 'images per step', integer('--batch', 1), DEMO_DEFAULTS.batch)
    .option('--size <n>', 'image edge in pixels (multiple of 4)', integer('--size', 4), DEMO_DEFAULTS.size)
    .option('--seed <n>', 'random seed', integer('--seed', 0), DEMO_DEFAULTS.seed)
    .option('--report <file>', 'the HTML report', 'demo-report.html')
    .option('--no-report', 'no report')
    .option('--json', 'print a JSON summary on stdout')
    .action(
      async (opts: {
        steps: number;
        batch: number;
        size: number;
        seed: number;
        report: string | false;
        json?: boolean;
      }) => {
        if (opts.size % 4 !== 0) throw new OptionError('--size', `must be a multiple of 4, got ${opts.size}`);
        // Loaded here so that other commands (and --help) work without the native engine.
        const { runDemoTraining } = await import('../demo/train-demo.js');
        const every = Math.max(1, Math.round(opts.steps / 10));
        process.stderr.write(
          `demo: training a small U-Net on ${opts.size}×${opts.size} phantoms, batch ${opts.batch}, ${opts.steps} steps\n`,
        );
        const result = runDemoTraining({
          steps: opts.steps,
          batch: opts.batch,
          size: opts.size,
          seed: opts.seed,
          onStep: (step, loss) => {
            if (step === 1 || step % every === 0 || step === opts.steps) {
              process.stderr.write(
                `step ${String(step).padStart(String(opts.steps).length)}/${opts.steps}  loss ${loss.toFixed(4)}\n`,
              );
            }
          },
        });
        process.stderr.write(
          `demo: loss ${result.firstLossMean.toFixed(4)} → ${result.lastLossMean.toFixed(4)} (mean of first/last tenth), ` +
            `validation Dice ${result.validationDice.toFixed(3)}, ${result.seconds.toFixed(1)} s\n`,
        );
        if (opts.report !== false) {
          const { writeDemoReport } = await import('../demo/report.js');
          const bytes = await writeDemoReport(result, opts.report);
          process.stderr.write(`demo: wrote ${opts.report} (${Math.round(bytes / 1024)} KiB, self-contained)\n`);
        }
        const { losses: _losses, example: _example, ...summary } = result;
        if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      },
    );
}
