/**
 * `vesalius worker`: takes jobs from the queue and runs each in a prediction thread (predictor.ts),
 * so this process's event loop stays free to renew BullMQ's job locks and to notice cancellations.
 * `concurrency` jobs run at once, each in its own thread.
 */
import { availableParallelism } from 'node:os';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { JobStore } from './job-store.js';
import { CancelledError, JobInputError, PredictorThread } from './predictor.js';
import { CancelFlags, QUEUE_NAME, type QueueJobData, redisOptions } from './queue.js';

export interface WorkerOptions {
  redis: string;
  data: string;
  models: string;
  /** Jobs at once (default 1). */
  concurrency?: number;
  /** libtorch threads per job (default: cores / concurrency). */
  threads?: number;
  /** Milliseconds a job's lock lasts without renewal: how soon a dead worker's job is retried (default 30 000). */
  lockDuration?: number;
  /** Milliseconds between checks for stalled jobs (default lockDuration / 2). */
  stalledInterval?: number;
  /** Times a stalled job is put back before it fails (default 2). */
  maxStalledCount?: number;
  logger: Logger;
}

export interface RunningWorker {
  worker: Worker<QueueJobData>;
  /** Finishes the running jobs, then stops taking new ones and ends the prediction threads. */
  close(): Promise<void>;
}

/**
 * Starts a worker on the queue of `options.redis`.
 *
 * @param options - Redis, the shared data and models folders, concurrency, threads, lock timing, logger
 * @returns the running worker (close() stops it)
 * @example
 * const worker = await startWorker({ redis: 'redis://10.0.0.5:6379', data: '/mnt/vesalius', models: '/srv/models', logger: pino() });
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const concurrency = options.concurrency ?? 1;
  const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
  const store = new JobStore(options.data);
  const idle: PredictorThread[] = [];
  const all: PredictorThread[] = [];
  const log = options.logger;
  const lockDuration = options.lockDuration ?? 30_000;

  const processor = async (job: Job<QueueJobData>, _token?: string, signal?: AbortSignal) => {
    const record = store.read(job.data.id);
    if (!record) return { skipped: 'the job was deleted' };
    if (record.cancelledAt) throw new UnrecoverableError('cancelled');
    const thread = idle.pop() ?? new PredictorThread({ data: options.data, models: options.models, threads });
    if (!all.includes(thread)) all.push(thread);
    const started = Date.now();
    log.info({ job: job.id, model: record.model, attempt: job.attemptsMade + 1 }, 'job started');
    try {
      let last = 0;
      const result = (await thread.run(
        job.data.id,
        (stage, fraction) => {
          if (Date.now() - last < 200 && fraction < 1) return;
          last = Date.now();
          void job.updateProgress({ stage, fraction }).catch(() => {});
        },
        signal,
      )) as { warnings?: { feature: string; message: string }[] };
      for (const w of result.warnings ?? [])
        log.warn({ job: job.id, model: record.model, feature: w.feature }, `input out of distribution: ${w.message}`);
      log.info({ job: job.id, model: record.model, ms: Date.now() - started }, 'job completed');
      return { ok: true, warnings: result.warnings?.length ?? 0 };
    } catch (err) {
      if (err instanceof CancelledError) {
        log.info({ job: job.id }, 'job cancelled');
        throw new UnrecoverableError('cancelled');
      }
      if (err instanceof JobInputError) {
        log.warn({ job: job.id, model: record.model }, 'job failed on its input');
        throw new UnrecoverableError(err.message);
      }
      log.error({ job: job.id, err: (err as Error).message }, 'job failed');
      throw err;
    } finally {
      idle.push(thread);
    }
  };

  const worker = new Worker<QueueJobData>(QUEUE_NAME, processor, {
    connection: redisOptions(options.redis),
    concurrency,
    lockDuration,
    stalledInterval: options.stalledInterval ?? Math.max(1000, Math.floor(lockDuration / 2)),
    maxStalledCount: options.maxStalledCount ?? 2,
  });
  worker.on('error', (err) => log.error({ err: err.message }, 'queue error'));
  await worker.waitUntilReady();

  // cancellations: the server sets a key; poll it for the jobs running here
  const running = new Set<string>();
  worker.on('active', (job) => running.add(job.id!));
  const done = (job: Job | undefined) => job?.id && running.delete(job.id);
  worker.on('completed', done);
  worker.on('failed', done);
  const flags = new CancelFlags(options.redis);
  const poll = setInterval(async () => {
    for (const id of running) {
      try {
        if (await flags.requested(id)) worker.cancelJob(id, 'cancelled');
      } catch {
        // Redis unavailable for a moment: try again on the next tick
      }
    }
  }, 500);
  poll.unref();
  log.info({ concurrency, threads, lockDuration }, 'worker ready');
  return {
    worker,
    async close() {
      clearInterval(poll);
      await worker.close();
      await flags.close();
      await Promise.all(all.map((t) => t.close()));
    },
  };
}
