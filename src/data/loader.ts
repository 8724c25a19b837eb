/**
 * The training batch loader: batches are made OFF the main thread by worker_threads (the native
 * addon is context-aware, so each worker runs its own libtorch ops) and queued ahead of use, so
 * augmentation overlaps the training step and `await loader.next()` returns at once once warm.
 *
 * - Cases: in-memory typed arrays (copied once into SharedArrayBuffers that every worker reads
 *   without copying) or files in the preprocessing cache's layout (read region by region).
 * - Order: batch i draws from its own RNG stream (batchSeed(seed, i)), so the sequence of batches
 *   is the same for any number of workers and any timing; `startBatch` resumes it exactly.
 * - Queue: at most `prefetch` batches are made ahead of the consumer; each worker holds a few jobs
 *   so it keeps working while the main thread is busy in a synchronous step.
 * - Batches come back as transferred typed arrays (no copy). A worker's exception rejects that
 *   batch's `next()` with the worker's message; a crashed worker fails the loader. `close()` ends
 *   the workers; idle workers never keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as ve from '../engine/index.js';
import type { Tensor } from '../engine/index.js';
import type { AugmentationConfig } from '../transforms/defaults.js';
import type { TransformRecord } from '../transforms/transform.js';
import { OptionError, ShapeError, VesaliusError } from '../util/errors.js';
import { type LoaderCase, isFileCase, readFileLabel, shareCase, voxels } from './batch-cases.js';
export { loaderCase } from './batch-cases.js';
import type { BatchData, BatchSpec } from './batch-maker.js';
import { foregroundLocations } from './sampler.js';

export type { FileCase, LoaderCase, MemoryCase } from './batch-cases.js';

export interface BatchLoaderOptions {
  cases: LoaderCase[];
  batchSize: number;
  /** Patch size in tensor order ([D, H, W] or [H, W]). */
  patchSize: number[];
  /** Label values are 0..numClasses−1 (0 = background). */
  numClasses: number;
  /** Fraction of each batch centred on foreground (nnU-Net: 0.33). */
  foregroundFraction?: number;
  /** The augmentation config (nnU-Net's defaults for what is left out); false = crop only. */
  augmentation?: AugmentationConfig | false;
  seed?: number;
  /** Worker threads (default: cores − 1, at least 1). */
  workers?: number;
  /** Batches made ahead of the consumer (default 2 per worker, at least 2). */
  prefetch?: number;
  /** libtorch intra-op threads in each worker (default 1). */
  threadsPerWorker?: number;
  /** Index of the first batch (to resume a run). */
  startBatch?: number;
  /** Return each sample's augmentation record. */
  records?: boolean;
  /** Bytes of in-memory cases each worker may also keep as engine tensors (default 1 GiB; 0 = none). */
  tensorCacheBytesPerWorker?: number;
  /**
   * Data-parallel training: `batchSize` is the global batch, and this process gets its share
   * (batchSize / worldSize samples of every batch; see BatchSpec.shard).
   */
  shard?: { rank: number; worldSize: number };
}

export interface Batch {
  index: number;
  /** (N, C, ...patch) */
  image: Float32Array;
  imageShape: number[];
  /** (N, 1, ...patch) class values */
  label: Uint8Array;
  labelShape: number[];
  /** The case each sample came from. */
  cases: number[];
  records?: TransformRecord[];
}

interface Deferred {
  promise: Promise<Batch>;
  resolve(b: Batch): void;
  reject(e: Error): void;
}

interface WorkerState {
  worker: Worker;
  jobs: Set<number>;
  exited: Promise<void>;
}

function deferred(): Deferred {
  let resolve!: (b: Batch) => void, reject!: (e: Error) => void;
  const promise = new Promise<Batch>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a prefetched batch may fail before anyone awaits it
  return { promise, resolve, reject };
}

/**
 * Training batches made on worker threads: patches sampled as nnU-Net does (a third forced onto
 * foreground), augmented with nnU-Net's pipeline, prefetched. Batch i comes from its own random
 * stream (seed, i), so the sequence is the same for any number of workers and resumes exactly from
 * `startBatch`.
 *
 * @example
 * ```ts
 * const loader = new BatchLoader({ cases, batchSize: 2, patchSize: [64, 64], numClasses: 2, seed: 0 });
 * const { image, label } = batchTensors(await loader.next());
 * await loader.close();
 * ```
 */
export class BatchLoader {
  private readonly workers: WorkerState[] = [];
  private readonly pending = new Map<number, Deferred>();
  private readonly queue: number[] = [];
  private readonly perWorker: number;
  private readonly prefetch: number;
  private readonly imageShape: number[];
  private readonly labelShape: number[];
  private nextToSchedule: number;
  private nextToReturn: number;
  private failure: Error | null = null;
  private closed = false;
  private waited = 0;
  private lastWait = 0;
  private served = 0;

  /**
   * Starts the workers.
   * @throws OptionError naming the option for a bad batch size, patch size, class count or fraction;
   *   VesaliusError for an empty case list
   */
  constructor(options: BatchLoaderOptions) {
    const spec = checkAndPrepare(options);
    const workers = options.workers ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(workers) || workers < 1)
      throw new OptionError('workers', `must be a positive integer, got ${workers}`);
    this.prefetch = options.prefetch ?? Math.max(2, 2 * workers);
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1)
      throw new OptionError('prefetch', `must be a positive integer, got ${this.prefetch}`);
    this.perWorker = Math.max(1, Math.ceil(this.prefetch / workers));
    this.nextToSchedule = this.nextToReturn = options.startBatch ?? 0;
    const mine = spec.batchSize / (spec.shard?.worldSize ?? 1);
    this.imageShape = [mine, spec.channels, ...spec.patchSize];
    this.labelShape = [mine, 1, ...spec.patchSize];
    const threads = options.threadsPerWorker ?? 1;
    for (let w = 0; w < workers; w++) this.workers.push(this.spawn(spec, threads));
  }

  private spawn(spec: BatchSpec, threads: number): WorkerState {
    const workerData = { spec, threads };
    let worker: Worker;
    if (import.meta.url.endsWith('.ts')) {
      // running from TypeScript sources (tests, tsx): load the worker through tsx's API
      const entry = new URL('./loader-worker.ts', import.meta.url).href;
      // resolved here: an eval'd worker would resolve 'tsx' from the working directory instead
      const api = import.meta.resolve('tsx/esm/api');
      const code = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
      worker = new Worker(code, { eval: true, workerData });
    } else {
      worker = new Worker(new URL('./loader-worker.js', import.meta.url), { workerData });
    }
    const state: WorkerState = {
      worker,
      jobs: new Set(),
      exited: new Promise((resolve) => worker.once('exit', () => resolve())),
    };
    worker.unref();
    worker.on(
      'message',
      (
        m: { type: 'ready' } | { type: 'batch'; batch: BatchData } | { type: 'error'; index: number; message: string },
      ) => {
        if (m.type === 'ready') return;
        const index = m.type === 'batch' ? m.batch.index : m.index;
        state.jobs.delete(index);
        if (state.jobs.size === 0 && !this.closed) worker.unref();
        const d = this.pending.get(index);
        if (m.type === 'batch')
          d?.resolve({ ...m.batch, imageShape: [...this.imageShape], labelShape: [...this.labelShape] });
        else d?.reject(new VesaliusError(`batch loader: making batch ${index} failed in a worker: ${m.message}`));
        this.dispatch();
      },
    );
    worker.on('error', (e) => this.fail(new VesaliusError(`batch loader: a worker crashed: ${e.message}`)));
    worker.on('exit', (code) => {
      if (!this.closed && !this.failure)
        this.fail(new VesaliusError(`batch loader: a worker exited unexpectedly (code ${code})`));
    });
    return state;
  }

  private fail(e: Error): void {
    if (this.failure || this.closed) return;
    this.failure = e;
    for (const d of this.pending.values()) d.reject(e);
    this.pending.clear();
    void this.close();
  }

  /** Keeps `prefetch` batches scheduled ahead of the consumer and hands queued jobs to workers. */
  private dispatch(): void {
    if (this.closed || this.failure) return;
    while (this.nextToSchedule < this.nextToReturn + this.prefetch) {
      this.pending.set(this.nextToSchedule, deferred());
      this.queue.push(this.nextToSchedule++);
    }
    while (this.queue.length > 0) {
      const w = this.workers.reduce((best, s) => (s.jobs.size < best.jobs.size ? s : best));
      if (w.jobs.size >= this.perWorker) break;
      const index = this.queue.shift()!;
      w.jobs.add(index);
      w.worker.ref();
      w.worker.postMessage({ type: 'batch', index });
    }
  }

  /** The next batch, in order (batch i is always the same for a given seed). */
  async next(): Promise<Batch> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new VesaliusError('batch loader: next() after close()');
    this.dispatch();
    const index = this.nextToReturn++;
    const d = this.pending.get(index)!;
    this.dispatch();
    const started = performance.now();
    try {
      return await d.promise;
    } finally {
      this.pending.delete(index);
      this.lastWait = performance.now() - started;
      this.waited += this.lastWait;
      this.served++;
    }
  }

  /** How long next() kept its callers waiting: in total, the last call, and how many batches it served. */
  get waitStats(): { totalMs: number; lastMs: number; batches: number } {
    return { totalMs: this.waited, lastMs: this.lastWait, batches: this.served };
  }

  /** Index of the batch the next call to next() returns (store it to resume). */
  get position(): number {
    return this.nextToReturn;
  }

  /** Stops the workers; pending next() calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing = new VesaliusError('batch loader: closed');
    for (const d of this.pending.values()) d.reject(closing);
    this.pending.clear();
    // a graceful exit: terminate() can abort the process while the addon tears a context down
    for (const w of this.workers) {
      w.worker.ref();
      w.worker.postMessage({ type: 'close' });
    }
    await Promise.all(this.workers.map((w) => w.exited));
  }

  /** `close()`, for `await using loader = new BatchLoader(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Engine tensors of a batch: image float32 (N, C, ...), label uint8 (N, 1, ...). */
export function batchTensors(batch: Batch, device = 'cpu'): { image: Tensor; label: Tensor } {
  return {
    image: ve.Tensor.from(batch.image, batch.imageShape, { device }),
    label: ve.Tensor.from(batch.label, batch.labelShape, { device, dtype: 'uint8' }),
  };
}

/** Validates the options, shares memory cases and computes each case's foreground locations. */
function checkAndPrepare(o: BatchLoaderOptions): BatchSpec {
  if (!Array.isArray(o.cases) || o.cases.length === 0)
    throw new VesaliusError('batch loader: no cases (empty dataset)');
  const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (!positiveInt(o.batchSize)) throw new OptionError('batch_size', `must be a positive integer, got ${o.batchSize}`);
  if (!Array.isArray(o.patchSize) || ![2, 3].includes(o.patchSize.length) || !o.patchSize.every(positiveInt)) {
    throw new OptionError('patch_size', `must be 2 or 3 positive integers, got ${JSON.stringify(o.patchSize)}`);
  }
  if (!Number.isInteger(o.numClasses) || o.numClasses < 1 || o.numClasses > 256)
    throw new OptionError('num_classes', `must be an integer in 1..256, got ${o.numClasses}`);
  if (o.shard !== undefined) {
    const { rank, worldSize } = o.shard;
    if (!(Number.isInteger(worldSize) && worldSize >= 1 && Number.isInteger(rank) && rank >= 0 && rank < worldSize))
      throw new OptionError('shard', `rank ${rank} of ${worldSize} processes is not a valid shard`);
    if (o.batchSize % worldSize !== 0)
      throw new OptionError(
        'batch_size',
        `${o.batchSize} does not split evenly over ${worldSize} processes (the batch size is the global batch; use a multiple of ${worldSize})`,
      );
  }
  const fraction = o.foregroundFraction ?? 0.33;
  if (!(fraction >= 0 && fraction <= 1))
    throw new OptionError('sampling.foreground_fraction', `must be in [0, 1], got ${fraction}`);
  const channels = o.cases[0]!.channels;
  const cases = o.cases.map((c, i) => {
    const where = isFileCase(c) ? c.file : `case ${i}`;
    if (c.spatialShape.length !== o.patchSize.length)
      throw new ShapeError(`${where}: ${c.spatialShape.length} spatial axes, the patch has ${o.patchSize.length}`);
    if (c.channels !== channels) throw new ShapeError(`${where}: ${c.channels} channels, case 0 has ${channels}`);
    if (isFileCase(c)) return c;
    const n = voxels(c.spatialShape);
    if (c.image.length !== n * c.channels)
      throw new ShapeError(
        `${where}: image has ${c.image.length} values, ${c.channels} × [${c.spatialShape.join(', ')}] needs ${n * c.channels}`,
      );
    if (c.label && c.label.length !== n)
      throw new ShapeError(`${where}: label has ${c.label.length} values, [${c.spatialShape.join(', ')}] needs ${n}`);
    return shareCase(c);
  });
  const locations = cases.map((c, i) => {
    const label = isFileCase(c) ? (c.hasLabel ? readFileLabel(c) : undefined) : c.label;
    const imageOrder = [...c.spatialShape].reverse();
    if (!label) return { shape: imageOrder, byClass: [] };
    let max = 0;
    for (let v = 0; v < label.length; v++) if (label[v]! > max) max = label[v]!;
    if (max >= o.numClasses)
      throw new VesaliusError(
        `${isFileCase(c) ? c.file : `case ${i}`}: label value ${max} is outside the ${o.numClasses} classes (0..${o.numClasses - 1})`,
      );
    return foregroundLocations(label, imageOrder, o.numClasses, { seed: i });
  });
  return {
    cases,
    locations,
    batchSize: o.batchSize,
    patchSize: [...o.patchSize],
    channels,
    foregroundFraction: fraction,
    augmentation: o.augmentation ?? {},
    seed: o.seed ?? 0,
    records: !!o.records,
    tensorCacheBytes: o.tensorCacheBytesPerWorker,
    ...(o.shard && o.shard.worldSize > 1 ? { shard: { ...o.shard } } : {}),
  };
}
