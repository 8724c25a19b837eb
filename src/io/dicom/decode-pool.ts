import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { FileFormatError } from '../../util/errors.js';
import { moduleWorker } from '../../util/module-worker.js';
import type { StoredArray } from './codecs.js';
import type { FrameToDecode } from './decode-file.js';

export interface DecodeJob {
  id: number;
  path: string;
  frames: FrameToDecode[];
}

export type DecodeReply =
  | { id: number; values: StoredArray[] }
  | { id: number; error: { path: string; reason: string } | { message: string } };

/** Threads to decode compressed frames with: all cores but never more than 4. */
export function defaultThreads(): number {
  return Math.min(4, availableParallelism());
}

function startWorker(): Worker {
  return moduleWorker('./decode-worker', import.meta.url);
}

/**
 * Decodes files on `threads` worker threads, one file per job, and returns each job's frames in
 * order. The workers live for this call only. A FileFormatError from a worker is rethrown as such.
 */
export async function decodeInWorkers(jobs: Omit<DecodeJob, 'id'>[], threads: number): Promise<StoredArray[][]> {
  const results = new Array<StoredArray[]>(jobs.length);
  const workers = Array.from({ length: Math.min(threads, jobs.length) }, startWorker);
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= jobs.length) return resolve();
              const id = next++;
              worker.postMessage({ id, ...jobs[id]! } satisfies DecodeJob);
            };
            worker.on('message', (reply: DecodeReply) => {
              if ('error' in reply) {
                const e = reply.error;
                return reject(
                  'reason' in e
                    ? new FileFormatError(e.path, e.reason)
                    : new Error(`DICOM decode worker failed: ${e.message}`),
                );
              }
              results[reply.id] = reply.values;
              send();
            });
            worker.on('error', reject);
            worker.on(
              'exit',
              (code) => next < jobs.length && reject(new Error(`DICOM decode worker exited with code ${code}`)),
            );
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
