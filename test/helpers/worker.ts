import { Worker } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript file (resolved against `base`, a test's import.meta.url). It loads
 * through tsx's API because loader flags are not inherited by workers on Node 20.
 */
export function tsWorker(file: string, base: string, workerData?: unknown): Worker {
  const entry = new URL(file, base).href;
  const code = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(base)}))`;
  return new Worker(code, { eval: true, workerData });
}

/** The first message of a worker running `file` (rejects on its error). */
export function firstMessage<T>(file: string, base: string, workerData?: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const w = tsWorker(file, base, workerData);
    w.once('message', resolve);
    w.once('error', reject);
  });
}
