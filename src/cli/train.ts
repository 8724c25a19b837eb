/**
 * `vesalius train CONFIG [--resume] [--out RUN] [--json] [--nproc N [--nnodes M --node-rank R
 * --master-addr A --master-port P]]`: trains the config's task (segmentation, classification, …) into a
 * run folder, in one process or data-parallel over several (src/train/launch.ts, distributed.ts).
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { OptionError } from '../util/errors.js';
import { joinProcessGroup, settingsFromEnv } from '../train/distributed.js';
import { launch } from '../train/launch.js';
import { train } from '../train/trainer.js';

interface TrainFlags {
  resume?: boolean;
  out?: string;
  json?: boolean;
  workers?: string;
  stopAfter?: string;
  progress?: boolean;
  nproc?: string;
  nnodes?: string;
  nodeRank?: string;
  masterAddr?: string;
  masterPort?: string;
}

function positiveInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0)) throw new OptionError(option, `must be a positive integer, got '${value}'`);
  return n;
}

function nonNegativeInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 0)) throw new OptionError(option, `must be a non-negative integer, got '${value}'`);
  return n;
}

export async function runTrain(config: string, flags: TrainFlags): Promise<void> {
  const nproc = positiveInt(flags.nproc, '--nproc');
  const nnodes = positiveInt(flags.nnodes, '--nnodes');
  const settings = settingsFromEnv();
  if (settings === null && ((nproc ?? 1) > 1 || (nnodes ?? 1) > 1)) {
    // the launcher: the same command in every worker, told its rank by the environment
    await launch({
      nproc: nproc ?? 1,
      nnodes,
      nodeRank: nonNegativeInt(flags.nodeRank, '--node-rank'),
      masterAddr: flags.masterAddr,
      masterPort: positiveInt(flags.masterPort, '--master-port'),
      command: process.execPath,
      args: [...process.execArgv, ...process.argv.slice(1)],
    });
    return;
  }
  const distributed = settings === null ? undefined : await joinProcessGroup(settings);
  const localProcesses = Number(process.env.LOCAL_WORLD_SIZE ?? 1) || 1;
  let result: Awaited<ReturnType<typeof train>>;
  try {
    result = await train(config, {
      out: flags.out,
      resume: flags.resume,
      workers: positiveInt(flags.workers, '--workers'),
      stopAfterEpoch: positiveInt(flags.stopAfter, '--stop-after'),
      progress: flags.progress !== false && (distributed?.isMain ?? true),
      distributed,
      cores: Math.max(1, Math.floor(availableParallelism() / localProcesses)),
    });
  } finally {
    distributed?.close();
  }
  if (distributed && !distributed.isMain) return;
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
    .option(
      '--nproc <n>',
      'data-parallel training in n processes on this machine (torch.distributed, Gloo); the batch size is split between them',
    )
    .option('--nnodes <m>', 'machines taking part (default 1); run the same command on each with its --node-rank')
    .option('--node-rank <r>', "this machine's index, 0 … nnodes − 1 (default 0)")
    .option('--master-addr <host>', 'address of node 0, where rank 0 hosts the rendezvous store (default 127.0.0.1)')
    .option('--master-port <port>', "the store's port (default: a free port on one machine, 29500 across machines)")
    .action(runTrain);
}
