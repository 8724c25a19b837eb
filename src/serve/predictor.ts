/**
 * The worker side of a prediction thread (job-thread.ts): one job at a time, progress forwarded,
 * and cancellation by terminating the thread (a new one starts for the next job). Models stay loaded
 * in the thread between jobs.
 */
import type { Worker } from 'node:worker_threads';
import { VesaliusError } from '../util/errors.js';
import { moduleWorker } from '../util/module-worker.js';
import type { ThreadReply } from './job-thread.js';

/** A job stopped on request. */
export class CancelledError extends VesaliusError {
  override name = 'CancelledError';
}

/** The job failed for a reason retrying will not fix (bad input, unknown model). */
export class JobInputError extends VesaliusError {
  override name = 'JobInputError';
}

export class PredictorThread {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;

  constructor(private readonly options: { data: string; models: string; threads: number }) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = moduleWorker('./job-thread', import.meta.url, this.options);
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type === 'ready') {
          worker.off('message', onMessage);
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    worker.once('exit', () => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.ready = undefined;
      }
    });
    return this.ready;
  }

  /** Runs a job; rejects with CancelledError when `signal` aborts, JobInputError for bad input. */
  async run(
    jobId: string,
    onProgress: (stage: string, fraction: number) => void,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (signal?.aborted) throw new CancelledError('cancelled');
    await this.start();
    const worker = this.worker!;
    return new Promise<unknown>((resolve, reject) => {
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (m: ThreadReply) => {
        if (m.type === 'progress') return onProgress(m.stage, m.fraction);
        cleanup();
        if (m.type === 'done') resolve(m.result);
        else reject(m.userError ? new JobInputError(m.message) : new Error(m.message));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the prediction thread stopped (exit code ${code})`));
      };
      const onAbort = () => {
        cleanup();
        void worker.terminate();
        reject(new CancelledError('cancelled'));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ type: 'run', jobId });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
