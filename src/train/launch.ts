/**
 * The launcher of `vesalius train CONFIG --nproc N [--nnodes M --node-rank R --master-addr A
 * --master-port P]`, as torchrun launches: N worker processes on this machine, each with RANK,
 * WORLD_SIZE (N·M), LOCAL_RANK, MASTER_ADDR and MASTER_PORT in its environment, running the same
 * command. Rank 0's output passes through; the others' lines are prefixed with their rank. When a
 * worker fails, the launcher stops the others and exits with that worker's failure (torchrun's
 * default), so a crashed or killed rank never leaves the rest waiting.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { OptionError, VesaliusError } from '../util/errors.js';

export interface LaunchOptions {
  /** Processes on this machine. */
  nproc: number;
  /** Machines (default 1). */
  nnodes?: number;
  /** This machine's index (default 0). */
  nodeRank?: number;
  /** Rank 0's address (default 127.0.0.1). */
  masterAddr?: string;
  /** Rank 0's store port (default: a free port on one machine, 29500 across machines). */
  masterPort?: number;
  /** The command each worker runs, and its arguments. */
  command: string;
  args: string[];
  /** Seconds a stopped worker is given before it is killed (default 10). */
  graceSeconds?: number;
  /** Where lines go (default stderr for every rank but 0, whose stdout/stderr pass through). */
  onLine?: (rank: number, line: string) => void;
}

/** A TCP port nobody listens on now (bound and released on 127.0.0.1). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function check(o: LaunchOptions): Required<Pick<LaunchOptions, 'nproc' | 'nnodes' | 'nodeRank' | 'masterAddr'>> {
  const nnodes = o.nnodes ?? 1;
  const nodeRank = o.nodeRank ?? 0;
  if (!(Number.isInteger(o.nproc) && o.nproc >= 1))
    throw new OptionError('nproc', `must be a positive integer, got ${o.nproc}`);
  if (!(Number.isInteger(nnodes) && nnodes >= 1))
    throw new OptionError('nnodes', `must be a positive integer, got ${nnodes}`);
  if (!(Number.isInteger(nodeRank) && nodeRank >= 0 && nodeRank < nnodes))
    throw new OptionError('nodeRank', `must be in 0..${nnodes - 1}, got ${nodeRank}`);
  if (nnodes > 1 && o.masterAddr === undefined)
    throw new OptionError('masterAddr', 'is needed across machines (the address of node 0, reachable from every node)');
  return { nproc: o.nproc, nnodes, nodeRank, masterAddr: o.masterAddr ?? '127.0.0.1' };
}

/** Runs the workers; resolves when all succeed, rejects with the first failure (the others stopped). */
export async function launch(o: LaunchOptions): Promise<void> {
  const { nproc, nnodes, nodeRank, masterAddr } = check(o);
  const masterPort = o.masterPort ?? (nnodes === 1 ? await freePort() : 29500);
  const worldSize = nproc * nnodes;
  const children: Array<{ rank: number; child: ChildProcess; done: boolean }> = [];
  let failure: VesaliusError | null = null;
  const stopAll = (grace: number) => {
    for (const c of children) {
      if (c.done) continue;
      c.child.kill('SIGTERM');
      setTimeout(() => {
        if (!c.done) c.child.kill('SIGKILL');
      }, grace * 1000).unref();
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    failure ??= new VesaliusError(`distributed training: stopped by ${signal}`);
    stopAll(o.graceSeconds ?? 10);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const exits = Array.from({ length: nproc }, (_, local) => {
      const rank = nodeRank * nproc + local;
      const env = {
        ...process.env,
        RANK: String(rank),
        LOCAL_RANK: String(local),
        WORLD_SIZE: String(worldSize),
        LOCAL_WORLD_SIZE: String(nproc),
        MASTER_ADDR: masterAddr,
        MASTER_PORT: String(masterPort),
      };
      const child = spawn(o.command, o.args, { env, stdio: rank === 0 ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
      const entry = { rank, child, done: false };
      children.push(entry);
      for (const stream of [child.stdout, child.stderr]) {
        if (!stream) continue;
        createInterface({ input: stream }).on('line', (line) =>
          o.onLine ? o.onLine(rank, line) : process.stderr.write(`[rank ${rank}] ${line}\n`),
        );
      }
      return new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          entry.done = true;
          if ((code !== 0 || signal !== null) && failure === null) {
            failure = new VesaliusError(
              `distributed training: rank ${rank} of ${worldSize} ${signal ? `was killed (${signal})` : `exited with code ${code}`}; the other processes were stopped`,
            );
            stopAll(o.graceSeconds ?? 10);
          }
          resolve();
        });
        child.once('error', (err) => {
          entry.done = true;
          failure ??= new VesaliusError(`distributed training: rank ${rank} could not start: ${err.message}`);
          stopAll(o.graceSeconds ?? 10);
          resolve();
        });
      });
    });
    await Promise.all(exits);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (failure) throw failure;
}
