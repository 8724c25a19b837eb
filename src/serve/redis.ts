/**
 * A Redis of our own for the one-command default (`vesalius serve` with no --redis) and for tests:
 * Debian's redis-server listening on a Unix socket only (no TCP port at all, so nothing beyond this
 * machine can reach it), its files in a folder we choose, stopped with us.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VesaliusError } from '../util/errors.js';

export const REDIS_SERVER = process.env.VESALIUS_REDIS_SERVER ?? 'redis-server';

export interface LocalRedis {
  /** The socket path (what --redis takes). */
  socket: string;
  process: ChildProcess;
  /** Stops redis-server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/**
 * Starts redis-server with its socket and files in `dir`. `persist` keeps the queue across restarts
 * (append-only file); tests run without it.
 */
export async function startLocalRedis(dir: string, options: { persist?: boolean } = {}): Promise<LocalRedis> {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  // a Unix socket path has at most 107 bytes: long data folders put it in the temporary folder
  const beside = join(folder, 'redis.sock');
  const socket = beside.length < 100 ? beside : join(tmpdir(), `vesalius-redis-${randomBytes(6).toString('hex')}.sock`);
  const args = [
    '--port',
    '0',
    '--unixsocket',
    socket,
    '--unixsocketperm',
    '700',
    '--dir',
    folder,
    '--save',
    '',
    '--appendonly',
    options.persist ? 'yes' : 'no',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) =>
      reject(new VesaliusError(`cannot start ${REDIS_SERVER} (${err.message}); install it: bash scripts/setup.sh`)),
    );
    child.once('exit', (code) =>
      reject(new VesaliusError(`${REDIS_SERVER} exited with code ${code}: ${stderr.trim()}`)),
    );
  });
  failed.catch(() => {});
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline) {
      child.kill();
      throw new VesaliusError(`${REDIS_SERVER} did not open ${socket} within 10 s`);
    }
    await Promise.race([sleep(25), failed]);
  }
  return {
    socket,
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
