/**
 * `vesalius serve --models DIR`: the inference server. With no --redis it starts its own Redis (a
 * Unix socket in DATA/redis, append-only persistence) and, unless --no-worker, one worker in this
 * process, so that one command serves on a fresh machine. With no key file and no --api-key it
 * creates DATA/keys.json with one admin key and prints that key once.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OptionError, VesaliusError } from '../util/errors.js';

interface ServeFlags {
  models: string;
  data: string;
  port: string;
  host: string;
  redis?: string;
  worker: boolean;
  keys?: string;
  apiKey?: string[];
  maxUploadMb: string;
  maxVoxels: string;
  rateLimit: string;
  submitLimit: string;
  cors?: string[];
  ttlHours: string;
  worklist?: string;
  dicomweb?: string;
  threads?: string;
  lockDuration: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new OptionError(flag, `must be a positive number, got "${value}"`);
  return n;
}

export async function runServe(flags: ServeFlags): Promise<void> {
  const { createServer, startLocalRedis, startWorker, KeyStore, addKey, parseScopes, listModels } = await import(
    '../serve/index.js'
  );
  const { pino } = await import('pino');
  const models = resolve(flags.models);
  const data = resolve(flags.data);
  const names = listModels(models);
  if (names.length === 0)
    throw new VesaliusError(`${models}: no run folders (config.json, plan.json, dataset.json, a checkpoint) here`);
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new OptionError('--port', `must be 0..65535, got "${flags.port}"`);
  const logger = pino({ level: 'info' }, pino.destination(2));
  const direct = (flags.apiKey ?? []).map((spec) => {
    const at = spec.lastIndexOf(':');
    const [key, scopes] =
      at > 0 && /^[a-z,]+$/.test(spec.slice(at + 1)) ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, 'admin'];
    return { key, scopes: parseScopes(scopes, '--api-key') };
  });
  const keyFile = flags.keys ? resolve(flags.keys) : join(data, 'keys.json');
  if (!flags.keys && direct.length === 0 && !existsSync(keyFile)) {
    const { key } = addKey(keyFile, 'admin', ['admin']);
    process.stderr.write(
      `serve: created ${keyFile} with an admin key (shown once, only its hash is stored):\n  ${key}\n`,
    );
  }
  const keys = new KeyStore(flags.keys || existsSync(keyFile) ? keyFile : undefined, direct);
  if (keys.size === 0)
    throw new VesaliusError(`no usable API key (${keyFile} has none unrevoked and no --api-key given)`);

  const redis = flags.redis ? undefined : await startLocalRedis(join(data, 'redis'), { persist: true });
  const redisSpec = flags.redis ?? redis!.socket;
  const worker = flags.worker
    ? await startWorker({
        redis: redisSpec,
        data,
        models,
        threads: flags.threads ? positive(flags.threads, '--threads') : undefined,
        lockDuration: positive(flags.lockDuration, '--lock-duration'),
        logger: logger.child({ component: 'worker' }),
      })
    : undefined;
  const server = await createServer({
    models,
    data,
    redis: redisSpec,
    keys,
    limits: {
      maxBytes: positive(flags.maxUploadMb, '--max-upload-mb') * 1024 * 1024,
      maxVoxels: positive(flags.maxVoxels, '--max-voxels'),
    },
    rateLimit: {
      max: positive(flags.rateLimit, '--rate-limit'),
      submitMax: positive(flags.submitLimit, '--submit-limit'),
    },
    corsOrigins: flags.cors,
    jobTtlSeconds: positive(flags.ttlHours, '--ttl-hours') * 3600,
    worklist: flags.worklist ? resolve(flags.worklist) : undefined,
    dicomweb: flags.dicomweb,
    logger,
  });
  const address = await server.app.listen({ port, host: flags.host });
  process.stderr.write(
    `serve: ${names.length} model(s) (${names.join(', ')}) at ${address} — viewer ${address}/viewer/, API ${address}/openapi.json; ${worker ? 'one worker in this process' : 'no worker here: start `vesalius worker`'}; Redis ${flags.redis ? flags.redis : `own (${redisSpec})`}\n`,
  );
  await new Promise<void>((done) => {
    const stop = async () => {
      process.stderr.write('serve: stopping\n');
      await server.close();
      await worker?.close();
      await redis?.stop();
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'inference server: jobs through a Redis queue, results, the viewer, corrections, drift monitoring (Prometheus /metrics)',
    )
    .requiredOption('--models <dir>', 'folder of run folders (each subfolder is a model, named by the folder)')
    .option('--data <dir>', 'jobs, results, corrections, monitoring, keys (shared with workers)', 'vesalius-data')
    .option('--port <n>', 'port (0: any free port)', '8080')
    .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--redis <url>', 'redis://host:port (or a socket path) of an existing Redis; default: start one')
    .option('--no-worker', 'run no worker in this process (start `vesalius worker` elsewhere)')
    .option('--keys <file>', 'API key file (vesalius keys add); default DATA/keys.json')
    .option(
      '--api-key <key[:scopes]>',
      'an accepted key (scopes read,submit,admin; default admin); repeatable',
      collect,
    )
    .option('--max-upload-mb <n>', 'largest uploaded file', '512')
    .option(
      '--max-voxels <n>',
      'largest image (voxels, all channels), checked from the header before decoding',
      String(512 * 512 * 1024),
    )
    .option('--rate-limit <n>', 'requests per client per minute', '600')
    .option('--submit-limit <n>', 'job submissions per client per minute', '120')
    .option('--cors <origin>', 'allow this browser origin (CORS is off by default); repeatable', collect)
    .option('--ttl-hours <h>', 'jobs and their files are removed after this long', '168')
    .option('--dicomweb <url>', 'DICOMweb root jobs may name studies on (POST /api/jobs/dicomweb); none by default')
    .option('--worklist <file>', 'active-learning ranking (vesalius rank -o FILE) the viewer offers')
    .option('--threads <n>', "libtorch threads of this process's worker")
    .option('--lock-duration <ms>', "how long a dead worker's job waits before another worker retries it", '30000')
    .action(runServe);
}
