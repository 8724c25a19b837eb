/**
 * `vesalius serve`: the inference server (fastify). It checks and stores uploads, queues jobs for
 * the workers (BullMQ on Redis), and serves results, corrections, drift tables, Prometheus metrics,
 * its OpenAPI description (/openapi.json) and the viewer (/viewer/).
 *
 * Security (docs/serving.md): every route needs an API key (Authorization: Bearer <key>) with the
 * route's scope — 401 for a missing, unknown or revoked key, 403 for a missing scope — except
 * /health and the viewer's static files (no data). Request bodies are size-limited before they are
 * read; job ids are generated and checked by the routes' schemas (400 otherwise); rate limits per
 * client; CORS off unless origins are given; JSON logs (pino) that carry job ids, model names and
 * key ids, never file names, headers or patient data.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueEvents } from 'bullmq';
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import fastifyCors from '@fastify/cors';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import { type Logger, pino } from 'pino';
import type { RouteAccess, ServeContext } from './context.js';
import { JobStore } from './job-store.js';
import { allows, type KeyStore, type Principal } from './keys.js';
import { createMetrics } from './metrics.js';
import { CancelFlags, openQueue, QUEUE_NAME, redisOptions } from './queue.js';
import { correctionRoutes } from './routes/corrections.js';
import { dicomWebJobRoutes } from './routes/dicomweb-jobs.js';
import { deleteJob, jobRoutes } from './routes/jobs.js';
import { DicomWebClient } from '../pacs/client.js';
import { modelRoutes } from './routes/models.js';
import type { DriftReport } from './monitor/drift.js';
import { driftSource, monitoringRoutes } from './routes/monitoring.js';
import { worklistRoutes } from './routes/worklist.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './upload-check.js';

export interface ServeOptions {
  models: string;
  data: string;
  /** redis://host:port or a Unix socket path. */
  redis: string;
  keys: KeyStore;
  limits?: Partial<UploadLimits> & { maxFiles?: number };
  /** Requests per client per minute (default 600) and job submissions per client per minute (default 120). */
  rateLimit?: { max?: number; submitMax?: number; windowMs?: number };
  /** Origins allowed to call the API from a browser (default none: CORS off). */
  corsOrigins?: string[];
  /** Seconds until a job and its files are removed (default 7 days). */
  jobTtlSeconds?: number;
  /** Seconds between expiry sweeps (default 60). */
  sweepSeconds?: number;
  /** Retries of a job after a worker error (default 2); stalled jobs (a dead worker) are retried by BullMQ. */
  attempts?: number;
  /** The active-learning ranking the viewer offers. */
  worklist?: string;
  /** A DICOMweb root (e.g. http://pacs:8042/dicom-web) that jobs may name studies on; none by default. */
  dicomweb?: string;
  /** A pino logger (default: JSON on stderr at info); false for none. */
  logger?: Logger | false;
  /** Behind a reverse proxy: trust its X-Forwarded-For for rate limits. */
  trustProxy?: boolean;
}

export interface VesaliusServer {
  app: FastifyInstance;
  context: ServeContext;
  /** Removes expired jobs now (it also runs every sweepSeconds). */
  sweep(): Promise<void>;
  /** Stops listening and closes the queue connections (the Redis and workers stay up). */
  close(): Promise<void>;
}

/**
 * The package's web/ folder (the viewer) and NiiVue's self-contained ES module (dist/index.js of the
 * installed @niivue/niivue, found through its main entry, build/niivue/index.js).
 */
export function viewerFiles(): { web: string; niivue: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  const web = join(here, '..', '..', 'web');
  const entry = fileURLToPath(import.meta.resolve('@niivue/niivue'));
  const niivue = join(dirname(entry), '..', '..', 'dist', 'index.js');
  return { web, niivue };
}

const PUBLIC_PREFIX = '/viewer';
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self' blob: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export async function createServer(options: ServeOptions): Promise<VesaliusServer> {
  const logger =
    options.logger === false
      ? pino({ enabled: false })
      : (options.logger ?? pino({ level: 'info' }, pino.destination(2)));
  const limits = { ...DEFAULT_UPLOAD_LIMITS, maxFiles: 8, ...options.limits };
  const store = new JobStore(options.data);
  const queue = openQueue(options.redis);
  const cancels = new CancelFlags(options.redis);
  // the drift source needs the context, the context the metrics: the metrics read drift lazily
  let drift: () => Promise<DriftReport[]> = async () => [];
  const metrics = createMetrics({ queueCounts: () => queue.getJobCounts(), driftReports: () => drift() });
  const context: ServeContext = {
    modelsRoot: options.models,
    store,
    queue,
    cancels,
    keys: options.keys,
    metrics,
    limits,
    queueSettings: { attempts: options.attempts ?? 2, keepSeconds: options.jobTtlSeconds ?? 7 * 86400 },
    jobTtlSeconds: options.jobTtlSeconds ?? 7 * 86400,
    submitRateLimit: { max: options.rateLimit?.submitMax ?? 120, timeWindow: options.rateLimit?.windowMs ?? 60_000 },
    worklist: options.worklist,
    ...(options.dicomweb ? { dicomweb: new DicomWebClient(options.dicomweb).url } : {}),
    logger,
  };
  drift = driftSource(context);

  const app = Fastify({
    loggerInstance: logger.child({ component: 'server' }),
    // a client's URL may carry a file name in a query string: log the route (onResponse), never the raw URL
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    genReqId: () => Math.random().toString(36).slice(2, 10),
  }) as unknown as FastifyInstance;
  app.decorateRequest('principal', null);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // authentication first: an unknown route needs a key too, so routes cannot be enumerated
  app.addHook('onRequest', async (req, reply) => {
    // a browser's CORS preflight never carries credentials; @fastify/cors answers it
    if (req.method === 'OPTIONS' && options.corsOrigins?.length) return;
    const access = (req.routeOptions.config ?? {}) as RouteAccess;
    // public: routes marked so (/health, /) and the viewer's static files — the matched route decides,
    // not the raw URL, so /viewer/%2e%2e/api/... is never taken for a viewer file
    const route = req.routeOptions.url ?? '';
    if (access.public || route.startsWith(`${PUBLIC_PREFIX}/`)) return;
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const principal = match ? options.keys.verify(match[1]!) : undefined;
    if (!principal) {
      reply.header('www-authenticate', 'Bearer realm="vesalius"');
      return reply.code(401).send({
        error: 'unauthorized',
        message: header ? 'unknown or revoked API key' : 'an API key is required (Authorization: Bearer <key>)',
      });
    }
    (req as FastifyRequest & { principal: Principal }).principal = principal;
    if (access.scope && !allows(principal, access.scope))
      return reply.code(403).send({ error: 'forbidden', message: `this key lacks the "${access.scope}" scope` });
  });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (req.url.startsWith(PUBLIC_PREFIX)) reply.header('content-security-policy', CSP);
    else reply.header('cache-control', 'no-store');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.http.inc({ route, method: req.method, status: String(reply.statusCode) });
    const principal = (req as FastifyRequest & { principal: Principal | null }).principal;
    req.log.info(
      { method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime), key: principal?.keyId },
      'request',
    );
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err: err.message, code: err.code }, 'request failed');
    const message = status >= 500 ? 'internal error' : err.message;
    return reply.code(status).send({
      error:
        status === 413
          ? 'payload too large'
          : status === 429
            ? 'too many requests'
            : status >= 500
              ? 'internal error'
              : 'bad request',
      message,
    });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found', message: 'no such route' }));

  await app.register(fastifyRateLimit, {
    global: true,
    max: options.rateLimit?.max ?? 600,
    timeWindow: options.rateLimit?.windowMs ?? 60_000,
    hook: 'preHandler',
    keyGenerator: (req) => (req as FastifyRequest & { principal: Principal | null }).principal?.keyId ?? req.ip,
  });
  if (options.corsOrigins?.length)
    await app.register(fastifyCors, { origin: options.corsOrigins, methods: ['GET', 'POST', 'PUT', 'DELETE'] });
  await app.register(fastifyMultipart, {
    limits: {
      fileSize: limits.maxBytes,
      files: limits.maxFiles,
      fields: 0,
      parts: limits.maxFiles + 1,
      headerPairs: 100,
    },
    throwFileSizeLimit: true,
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Vesalius inference service',
        version: '1',
        description:
          'Segmentation jobs, results, corrections and monitoring. Every route needs an API key (Bearer) except /health.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  const { web, niivue } = viewerFiles();
  if (existsSync(web)) {
    await app.register(fastifyStatic, {
      root: web,
      prefix: `${PUBLIC_PREFIX}/`,
      decorateReply: true,
      dotfiles: 'deny',
      index: ['index.html'],
    });
    app.get('/', { config: { public: true }, schema: { hide: true } }, (_req, reply) =>
      reply.redirect(`${PUBLIC_PREFIX}/`),
    );
    app.get(`${PUBLIC_PREFIX}/vendor/niivue.js`, { config: { public: true }, schema: { hide: true } }, (_req, reply) =>
      reply.type('text/javascript').sendFile('index.js', dirname(niivue)),
    );
  }

  app.get(
    '/health',
    { config: { public: true }, schema: { summary: 'Liveness (no key needed)', tags: ['health'] } },
    async () => ({ status: 'ok' }),
  );
  app.get('/openapi.json', { config: { scope: 'read' }, schema: { hide: true } }, async () => app.swagger());
  modelRoutes(app, context);
  jobRoutes(app, context);
  dicomWebJobRoutes(app, context);
  correctionRoutes(app, context);
  monitoringRoutes(app, context);
  worklistRoutes(app, context);

  // finished jobs: latencies and outcomes for /metrics
  const events = new QueueEvents(QUEUE_NAME, { connection: redisOptions(options.redis) });
  const onFinished = async (jobId: string, outcome: 'completed' | 'failed') => {
    const job = await queue.getJob(jobId).catch(() => undefined);
    if (!job) return;
    if (outcome === 'failed' && job.failedReason === 'cancelled') return; // counted when cancelled
    if (outcome === 'failed' && job.attemptsMade < (job.opts.attempts ?? 1) && !job.finishedOn) return;
    const model = job.data.model;
    metrics.finished.inc({ model, outcome });
    if (job.processedOn && job.finishedOn) {
      metrics.seconds.observe({ model, phase: 'queued' }, (job.processedOn - job.timestamp) / 1000);
      metrics.seconds.observe({ model, phase: 'running' }, (job.finishedOn - job.processedOn) / 1000);
      metrics.seconds.observe({ model, phase: 'total' }, (job.finishedOn - job.timestamp) / 1000);
    }
    const value = job.returnvalue as { warnings?: number } | undefined;
    if (outcome === 'completed' && value?.warnings) metrics.ood.inc({ model });
  };
  events.on('completed', ({ jobId }) => void onFinished(jobId, 'completed'));
  events.on('failed', ({ jobId }) => void onFinished(jobId, 'failed'));
  events.on('error', (err) => logger.error({ err: err.message }, 'queue events error'));

  // expiry: jobs past their time are removed with their files; stray folders (a job deleted while a
  // worker wrote to it) after 10 minutes
  const sweep = async () => {
    const now = Date.now();
    for (const id of store.ids()) {
      const record = store.read(id);
      try {
        if (record && Date.parse(record.expiresAt) <= now) {
          await deleteJob(context, id);
          logger.info({ job: id }, 'job expired and removed');
        } else if (!record && now - statSync(store.jobDir(id)).mtimeMs > 600_000) store.remove(id);
      } catch (err) {
        logger.warn({ job: id, err: (err as Error).message }, 'sweep failed for a job');
      }
    }
    for (const name of readdirSync(store.uploadsDir())) {
      const path = join(store.uploadsDir(), name);
      if (now - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    }
  };
  const timer = setInterval(() => void sweep(), (options.sweepSeconds ?? 60) * 1000);
  timer.unref();

  return {
    app,
    context,
    sweep,
    async close() {
      clearInterval(timer);
      await app.close();
      await events.close();
      await queue.close();
      await cancels.close();
    },
  };
}
