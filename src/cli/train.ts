/** `vesalius train CONFIG [--resume] [--out RUN] [--json]`: trains the config's task (segmentation, classification, …) into a run folder. */
import type { Command } from 'commander';
import { OptionError } from '../util/errors.js';
import { train } from '../train/trainer.js';

interface TrainFlags {
  resume?: boolean;
  out?: string;
  json?: boolean;
  workers?: string;
  stopAfter?: string;
  progress?: boolean;
}

function positiveInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0)) throw new OptionError(option, `must be a positive integer, got '${value}'`);
  return n;
}

export async function runTrain(config: string, flags: TrainFlags): Promise<void> {
  const result = await train(config, {
    out: flags.out,
    resume: flags.resume,
    workers: positiveInt(flags.workers, '--workers'),
    stopAfterEpoch: positiveInt(flags.stopAfter, '--stop-after'),
    progress: flags.progress !== false,
  });
  const best =
    result.bestMetric === null
      ? 'no validation'
      : `best ${result.metricName} ${result.bestMetric.toFixed(4)} at epoch ${result.bestEpoch}`;
  process.stderr.write(
    `run folder ${result.runDir}: ${result.epochsDone} epoch(s), ${result.iterations} iterations, ${best}; ${result.trainSeconds.toFixed(1)} s training, ${result.dataWaitSeconds.toFixed(2)} s waiting for data${result.stoppedEarly ? ' (stopped early)' : ''}\n`,
  );
  if (flags.json) {
    const { log, ...summary } = result;
    process.stdout.write(`${JSON.stringify({ ...summary, last: log.at(-1) ?? null })}\n`);
  }
}

export function register(program: Command): void {
  program
    .command('train')
    .description(
      'train a network from a config (task: segmentation by default, or classification; dataset, network, loss, optimizer, schedule, augmentation); writes a run folder with config, checkpoints and log',
    )
    .argument('<config>', 'training config (YAML or JSON)')
    .option('--resume', 'continue the run in the run folder exactly where it stopped')
    .option('--out <run>', "run folder (default: the config's output)")
    .option('--json', 'print a JSON summary on stdout at the end')
    .option('--workers <n>', 'batch-loader worker threads (default: cores − 1)')
    .option('--stop-after <epoch>', 'stop after this epoch, resumable (time-boxed runs)')
    .option('--no-progress', 'no progress bar (epoch lines only)')
    .action(runTrain);
}
