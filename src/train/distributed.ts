/**
 * Data-parallel training over torch.distributed's c10d (Gloo on CPU), as PyTorch's
 * DistributedDataParallel does it: every process builds the same network (rank 0's weights are
 * broadcast), takes its share of every global batch, and after backward the gradients are averaged
 * over the processes (bucketed all-reduce), so every optimizer step is the step one process would take
 * on the whole batch. Rank 0 alone writes the run folder and the log.
 *
 * A process learns its place from the environment torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK,
 * MASTER_ADDR, MASTER_PORT), so any launcher that sets them works; `vesalius train --nproc N` is one
 * (launch.ts). Failures are clear errors, never hangs: a store that cannot be reached times out naming
 * its address; a peer that dies makes the collectives of the others fail at once (its sockets close).
 */
import { ProcessGroup } from '../engine/distributed.js';
import { zeros } from '../engine/creation.js';
import type { Module } from '../engine/nn/module.js';
import type { Tensor } from '../engine/tensor.js';
import { OptionError, VesaliusError } from '../util/errors.js';

export interface DistributedSettings {
  rank: number;
  worldSize: number;
  localRank: number;
  masterAddr: string;
  masterPort: number;
  /** Store connection, rendezvous and collective timeout (ms). */
  timeoutMs: number;
  /** Gloo's network interface (GLOO_SOCKET_IFNAME). */
  networkInterface?: string;
}

/** Default timeout: long enough for rank 0's validation while the others wait at the next all-reduce. */
export const DEFAULT_TIMEOUT_MS = 30 * 60_000;

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback?: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new OptionError(
      name,
      'is not set (a distributed process needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT)',
    );
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new OptionError(name, `must be a non-negative integer, got '${raw}'`);
  return n;
}

/** The settings from torchrun's environment variables, or null when WORLD_SIZE is unset or 1. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): DistributedSettings | null {
  if (env.WORLD_SIZE === undefined || env.WORLD_SIZE === '' || env.WORLD_SIZE === '1') return null;
  const worldSize = intFrom(env, 'WORLD_SIZE');
  const rank = intFrom(env, 'RANK');
  if (rank >= worldSize)
    throw new OptionError('RANK', `${rank} is outside 0..${worldSize - 1} (WORLD_SIZE ${worldSize})`);
  const masterAddr = env.MASTER_ADDR ?? '';
  if (masterAddr === '') throw new OptionError('MASTER_ADDR', 'is not set (the address of rank 0)');
  const masterPort = intFrom(env, 'MASTER_PORT');
  if (masterPort < 1 || masterPort > 65535)
    throw new OptionError('MASTER_PORT', `must be a port (1..65535), got ${masterPort}`);
  const timeoutSeconds = Number(env.VESALIUS_DIST_TIMEOUT ?? DEFAULT_TIMEOUT_MS / 1000);
  if (!(timeoutSeconds > 0))
    throw new OptionError(
      'VESALIUS_DIST_TIMEOUT',
      `must be a positive number of seconds, got '${env.VESALIUS_DIST_TIMEOUT}'`,
    );
  return {
    rank,
    worldSize,
    localRank: intFrom(env, 'LOCAL_RANK', rank),
    masterAddr,
    masterPort,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    networkInterface: env.GLOO_SOCKET_IFNAME || undefined,
  };
}

/** What the training loop asks of data parallelism; `single` is the one-process case (no-ops). */
export interface Distributed {
  readonly rank: number;
  readonly worldSize: number;
  /** Rank 0 writes the run folder, checkpoints and log, and prints progress. */
  readonly isMain: boolean;
  /** Rank 0's parameters and buffers to every rank. */
  syncModel(model: Module<[Tensor], unknown>): Promise<void>;
  /** After backward: gradients averaged over the ranks. */
  averageGradients(parameters: readonly Tensor[]): Promise<void>;
  /** The mean of a number over the ranks. */
  mean(value: number): Promise<number>;
  /** Rank 0's flag on every rank. */
  fromMain(flag: boolean): Promise<boolean>;
  /** Resolves once every process has reached it. */
  barrier(): Promise<void>;
  /** Leaves the process group. */
  close(): void;
}

export const single: Distributed = {
  rank: 0,
  worldSize: 1,
  isMain: true,
  syncModel: async () => {},
  averageGradients: async () => {},
  mean: async (v) => v,
  fromMain: async (f) => f,
  barrier: async () => {},
  close: () => {},
};

/** Wraps a collective's failure in a message that says which rank lost whom. */
function lost(s: DistributedSettings, what: string, err: unknown): VesaliusError {
  const reason = (err as Error).message.split('\n')[0];
  return new VesaliusError(
    `distributed training: rank ${s.rank} of ${s.worldSize} failed during ${what}: ${reason} (another process probably exited; see its output)`,
  );
}

/** Joins the process group described by `s` (rank 0 hosts the store). */
export async function joinProcessGroup(s: DistributedSettings): Promise<Distributed> {
  let group: ProcessGroup;
  try {
    group = await ProcessGroup.init({
      rank: s.rank,
      worldSize: s.worldSize,
      host: s.masterAddr,
      port: s.masterPort,
      timeoutMs: s.timeoutMs,
      networkInterface: s.networkInterface,
    });
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new VesaliusError(
      `distributed training: rank ${s.rank} of ${s.worldSize} could not join the process group at ${s.masterAddr}:${s.masterPort} within ${(s.timeoutMs / 1000).toFixed(0)} s: ${reason} (is rank 0 running, and ${s.masterAddr}:${s.masterPort} reachable from here?)`,
    );
  }
  const guard = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw lost(s, what, err);
    }
  };
  return {
    rank: s.rank,
    worldSize: s.worldSize,
    isMain: s.rank === 0,
    syncModel: (model) =>
      guard('the initial weight broadcast', () => group.broadcast([...model.parameters(), ...model.buffers()], 0)),
    averageGradients: (parameters) => guard('the gradient all-reduce', () => group.allReduceGradients(parameters)),
    mean: (value) =>
      guard('an all-reduce', async () => {
        const t = zeros([1], { dtype: 'float64' }).add_(value);
        try {
          await group.allReduce([t], true);
          return t.item() as number;
        } finally {
          t.dispose();
        }
      }),
    fromMain: (flag) =>
      guard('a broadcast', async () => {
        const t = zeros([1], { dtype: 'float64' }).add_(flag ? 1 : 0);
        try {
          await group.broadcast([t], 0);
          return (t.item() as number) !== 0;
        } finally {
          t.dispose();
        }
      }),
    barrier: () => guard('a barrier', () => group.barrier()),
    close: () => group.close(),
  };
}
