/** `vesalius worker`: takes jobs from the server's Redis queue (same models and data folders). */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { OptionError } from '../util/errors.js';

interface WorkerFlags {
  models: string;
  data: string;
  redis: string;
  concurrency: string;
  threads?: string;
  lockDuration: string;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new OptionError(flag, `must be a positive integer, got "${value}"`);
  return n;
}

export async function runWorker(flags: WorkerFlags): Promise<void> {
  const { startWorker, listModels } = await import('../serve/index.js');
  const { pino } = await import('pino');
  listModels(resolve(flags.models));
  const logger = pino({ level: 'info' }, pino.destination(2)).child({ component: 'worker', pid: process.pid });
  const worker = await startWorker({
    redis: flags.redis,
    data: resolve(flags.data),
    models: resolve(flags.models),
    concurrency: positiveInt(flags.concurrency, '--concurrency'),
    threads: flags.threads ? positiveInt(flags.threads, '--threads') : undefined,
    lockDuration: positiveInt(flags.lockDuration, '--lock-duration'),
    logger,
  });
  await new Promise<void>((done) => {
    const stop = async () => {
      await worker.close();
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  program
    .command('worker')
    .description("runs jobs from a server's queue; start any number, here or on machines that share the data folder")
    .requiredOption('--redis <url>', "the server's Redis: redis://host:port or a socket path")
    .requiredOption('--models <dir>', 'the same models folder as the server')
    .option(
      '--data <dir>',
      'the same data folder as the server (a shared file system across machines)',
      'vesalius-data',
    )
    .option('--concurrency <n>', 'jobs at once (each in its own thread)', '1')
    .option('--threads <n>', 'libtorch threads per job (default: cores / concurrency)')
    .option('--lock-duration <ms>', 'job lock; a job of a worker that died is retried after this long', '30000')
    .action(runWorker);
}
