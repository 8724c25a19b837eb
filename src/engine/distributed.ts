/**
 * torch.distributed's c10d from TypeScript (native/src/distributed.cpp): a process group over a
 * TCPStore rendezvous (rank 0 hosts the store at host:port) with Gloo collectives on CPU tensors. Every
 * collective returns a promise and runs off the JavaScript thread; when a peer dies its sockets close
 * and the pending collective rejects (an EngineError with Gloo's message) instead of waiting forever.
 */
import { native } from './native.js';
import type { ProcessGroupHandle } from './native-addon.js';
import type { Tensor } from './tensor.js';

export interface ProcessGroupOptions {
  rank: number;
  worldSize: number;
  /** Address of rank 0 (the store's host). */
  host: string;
  port: number;
  /** Connecting to the store, the rendezvous and every collective time out after this (default 30 min, as torch). */
  timeoutMs?: number;
  /** Network interface Gloo uses (e.g. eth0); default: loopback for a loopback host, else this host's address. */
  networkInterface?: string;
}

/** DDP's default gradient bucket: 25 MiB. */
export const DEFAULT_BUCKET_BYTES = 25 * 2 ** 20;

/**
 * A torch.distributed (c10d) process group over Gloo: one per process, every rank calling the same
 * collectives in the same order. Close it when done.
 */
export class ProcessGroup {
  #handle: ProcessGroupHandle | null;

  private constructor(
    handle: ProcessGroupHandle,
    readonly rank: number,
    readonly worldSize: number,
  ) {
    this.#handle = handle;
  }

  /** Connects to the store (hosting it on rank 0) and to every other rank. */
  static async init(o: ProcessGroupOptions): Promise<ProcessGroup> {
    const handle = await native.distInit(
      o.rank,
      o.worldSize,
      o.host,
      o.port,
      o.timeoutMs ?? 30 * 60_000,
      o.networkInterface ?? null,
    );
    return new ProcessGroup(handle, o.rank, o.worldSize);
  }

  private get handle(): ProcessGroupHandle {
    if (this.#handle === null) throw new Error('process group used after close()');
    return this.#handle;
  }

  /** Every parameter's gradient becomes its mean over the ranks (bucketed all-reduce, in place). */
  allReduceGradients(parameters: readonly Tensor[], bucketBytes = DEFAULT_BUCKET_BYTES): Promise<void> {
    return native.allReduceGradients(
      this.handle,
      parameters.map((p) => p.handle),
      bucketBytes,
    );
  }

  /** In place: the sum (or mean) over the ranks. */
  allReduce(tensors: readonly Tensor[], mean = false): Promise<void> {
    return native.allReduce(
      this.handle,
      tensors.map((t) => t.handle),
      mean,
    );
  }

  /** In place: every rank gets `root`'s values. */
  broadcast(tensors: readonly Tensor[], root = 0): Promise<void> {
    return native.broadcast(
      this.handle,
      tensors.map((t) => t.handle),
      root,
    );
  }

  /** Resolves once every rank has reached it. */
  barrier(): Promise<void> {
    return native.barrier(this.handle);
  }

  /** Closes the connections (rank 0 stops hosting the store). */
  close(): void {
    if (this.#handle !== null) native.distDestroy(this.#handle);
    this.#handle = null;
  }
}
