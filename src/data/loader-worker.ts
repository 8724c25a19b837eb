/** A batch loader worker: makes the batches the main thread asks for and transfers them back. */
import { parentPort, workerData } from 'node:worker_threads';
import { setNumThreads } from '../engine/threads.js';
import { type BatchSpec, BatchMaker } from './batch-maker.js';

const { spec, threads } = workerData as { spec: BatchSpec; threads: number };
setNumThreads(threads);
const maker = new BatchMaker(spec);

parentPort!.on('message', (m: { type: 'batch'; index: number } | { type: 'close' }) => {
  if (m.type === 'close') {
    maker.close();
    parentPort!.close();
    return;
  }
  try {
    const b = maker.make(m.index);
    parentPort!.postMessage({ type: 'batch', batch: b }, [
      b.image.buffer as ArrayBuffer,
      b.label.buffer as ArrayBuffer,
    ]);
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ type: 'error', index: m.index, message: err?.message ?? String(e), stack: err?.stack });
  }
});
parentPort!.postMessage({ type: 'ready' });
