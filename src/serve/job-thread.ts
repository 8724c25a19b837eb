/**
 * The prediction thread of a worker: it owns the loaded models (ModelCache) and runs one job at a
 * time (run-job.ts), reporting progress to the worker's main thread, whose event loop keeps BullMQ's
 * lock renewed meanwhile. Cancelling a job terminates the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setNumThreads } from '../engine/threads.js';
import { VesaliusError } from '../util/errors.js';
import { JobStore } from './job-store.js';
import { ModelCache } from './models.js';
import { runJob } from './run-job.js';

export interface ThreadRequest {
  type: 'run';
  jobId: string;
}

export type ThreadReply =
  | { type: 'progress'; stage: string; fraction: number }
  | { type: 'done'; result: unknown }
  | { type: 'error'; message: string; userError: boolean };

const { data, models, threads } = workerData as { data: string; models: string; threads: number };
setNumThreads(threads);
const store = new JobStore(data);
const cache = new ModelCache(models);

parentPort!.on('message', async (m: ThreadRequest) => {
  const send = (reply: ThreadReply) => parentPort!.postMessage(reply);
  try {
    const record = store.read(m.jobId);
    if (!record) throw new VesaliusError('the job was deleted before it ran');
    const result = await runJob(store, cache, record, (stage, fraction) => send({ type: 'progress', stage, fraction }));
    send({ type: 'done', result });
  } catch (err) {
    const e = err as Error;
    send({ type: 'error', message: e?.message ?? String(err), userError: err instanceof VesaliusError });
  }
});
parentPort!.postMessage({ type: 'ready' });
