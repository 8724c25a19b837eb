/**
 * The job queue: BullMQ on Redis. The server adds jobs (id = the job's generated id); any number of
 * `vesalius worker` processes, here or on other machines, take them. A worker that dies mid-job stops
 * renewing its lock; after `lockDuration` another worker's stalled-job check puts the job back in the
 * queue (at most `maxStalledCount` times), so it is retried elsewhere, not lost.
 *
 * Cancelling a running job: the server sets `<prefix>:cancel:<id>` in Redis; the worker running it
 * polls for that key and stops the job.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { OptionError } from '../util/errors.js';

export const QUEUE_NAME = 'vesalius-jobs';
export const CANCEL_PREFIX = 'vesalius:cancel:';

export interface QueueJobData {
  id: string;
  model: string;
}

/** Redis connection options from `redis://[:password@]host:port[/db]`, or a Unix socket path. */
export function redisOptions(spec: string): {
  host?: string;
  port?: number;
  path?: string;
  password?: string;
  db?: number;
  maxRetriesPerRequest: null;
} {
  if (spec.startsWith('/')) return { path: spec, maxRetriesPerRequest: null };
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new OptionError('redis', `not a redis:// URL or socket path: ${JSON.stringify(spec)}`);
  }
  if (url.protocol !== 'redis:') throw new OptionError('redis', `expected redis://host:port, got ${url.protocol}`);
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    maxRetriesPerRequest: null,
  };
}

export interface QueueSettings {
  /** Retries of a job whose worker failed for a reason other than its input (default 2). */
  attempts: number;
  /** Seconds finished jobs stay in Redis (their files follow the job's own expiry). */
  keepSeconds: number;
}

export function openQueue(redis: string): Queue<QueueJobData> {
  return new Queue<QueueJobData>(QUEUE_NAME, { connection: redisOptions(redis) });
}

export async function enqueue(queue: Queue<QueueJobData>, data: QueueJobData, settings: QueueSettings): Promise<void> {
  await queue.add('predict', data, {
    jobId: data.id,
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: settings.keepSeconds },
    removeOnFail: { age: settings.keepSeconds },
  });
}

/** Cancellation requests, as Redis keys the worker running a job polls. */
export class CancelFlags {
  private readonly client: Redis;

  /**
   * A connection of its own to the queue's Redis.
   *
   * @param redis - redis://host:port or a Unix socket path
   */
  constructor(redis: string) {
    this.client = new Redis({ ...redisOptions(redis), lazyConnect: false });
    this.client.on('error', () => {}); // reconnects by itself; callers see failed commands
  }

  /** Asks the worker running job `id` to stop it (the request lasts an hour). */
  async request(id: string): Promise<void> {
    await this.client.set(`${CANCEL_PREFIX}${id}`, '1', 'EX', 3600);
  }

  /** Whether job `id` was asked to stop. */
  async requested(id: string): Promise<boolean> {
    return (await this.client.exists(`${CANCEL_PREFIX}${id}`)) === 1;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    this.client.disconnect();
  }
}
