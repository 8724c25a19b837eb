/** What the routes of a server share. */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { JobStore } from './job-store.js';
import type { KeyStore, Scope } from './keys.js';
import type { ServeMetrics } from './metrics.js';
import type { CancelFlags, QueueJobData, QueueSettings } from './queue.js';
import type { UploadLimits } from './upload-check.js';

export interface ServeContext {
  modelsRoot: string;
  store: JobStore;
  queue: Queue<QueueJobData>;
  cancels: CancelFlags;
  keys: KeyStore;
  metrics: ServeMetrics;
  limits: UploadLimits & { maxFiles: number };
  queueSettings: QueueSettings;
  jobTtlSeconds: number;
  submitRateLimit: { max: number; timeWindow: number };
  worklist?: string;
  /** The DICOMweb root jobs may name studies on (from the server's configuration only). */
  dicomweb?: string;
  logger: Logger;
}

/** Route config: the scope a route needs, or public (only /health and the viewer's static files). */
export interface RouteAccess {
  scope?: Scope;
  public?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API-key scope a route needs. */
    scope?: Scope;
    /** No key needed (only /health and the viewer's static files). */
    public?: boolean;
  }
}
