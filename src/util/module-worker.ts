import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `name` (without its ending) beside `base` (the caller's
 * import.meta.url): the compiled `.js` next to compiled code, or the `.ts` source when the caller
 * runs from TypeScript (tests, tsx) — then the thread registers tsx itself, because --import does not
 * reach worker threads. The module reads `workerData` as usual (plus `entry` and `tsx`).
 */
export function moduleWorker(name: string, base: string, workerData: object = {}): Worker {
  const fromSource = base.endsWith('.ts');
  const entry = new URL(`${name}${fromSource ? '.ts' : '.js'}`, base).href;
  const tsx = fromSource ? import.meta.resolve('tsx/esm/api') : '';
  const code = `
    const { workerData } = require('node:worker_threads');
    (async () => {
      if (workerData.tsx) (await import(workerData.tsx)).register();
      await import(workerData.entry);
    })();`;
  return new Worker(code, { eval: true, workerData: { ...workerData, entry, tsx } });
}
