/** Drift tables (per model) and the Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import { MODEL_NAME_PATTERN } from '../ids.js';
import { listModels, modelDir, readFingerprint } from '../models.js';
import { type DriftReport, driftReport } from '../monitor/drift.js';
import { trainingFeatures } from '../monitor/features.js';
import { readRecords } from '../monitor/store.js';
import { runPaths } from '../../train/run-folder.js';
import { readFileSync } from 'node:fs';

/** The drift report of one model from its run's fingerprint and the monitoring store. */
export function modelDrift(ctx: ServeContext, model: string, window?: number): DriftReport | undefined {
  const dir = modelDir(ctx.modelsRoot, model);
  if (!dir) return undefined;
  const dataset = JSON.parse(readFileSync(runPaths(dir).dataset, 'utf8')) as { labels: { name: string }[] };
  const classes = dataset.labels.map((l) => l.name);
  const fingerprint = readFingerprint(dir);
  const training = fingerprint ? trainingFeatures(fingerprint, classes) : [];
  const records = readRecords(ctx.store.monitoringDir(model));
  const report = driftReport(
    model,
    training,
    records.map((r) => r.features),
    { window },
  );
  if (!fingerprint)
    report.notes.unshift('the run has no fingerprint.json (trained before it was kept): no drift against training');
  return report;
}

/** Drift reports of every model, cached for a few seconds (a Prometheus scrape reads the store). */
export function driftSource(ctx: ServeContext, seconds = 10): () => Promise<DriftReport[]> {
  let cached: { at: number; reports: DriftReport[] } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < seconds * 1000) return cached.reports;
    const reports = listModels(ctx.modelsRoot)
      .map((m) => modelDrift(ctx, m))
      .filter((r): r is DriftReport => r !== undefined);
    cached = { at: Date.now(), reports };
    return reports;
  };
}

export function monitoringRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get<{ Params: { model: string }; Querystring: { window?: number } }>(
    '/api/monitoring/:model',
    {
      config: { scope: 'read' },
      schema: {
        summary:
          "Drift of a model's recent jobs against its training fingerprint and recent history (PSI and KS per feature)",
        tags: ['monitoring'],
        params: {
          type: 'object',
          properties: { model: { type: 'string', pattern: MODEL_NAME_PATTERN } },
          required: ['model'],
        },
        querystring: {
          type: 'object',
          properties: { window: { type: 'integer', minimum: 2, maximum: 10000 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const report = modelDrift(ctx, req.params.model, req.query.window);
      if (!report) return reply.code(404).send({ error: 'not found', message: `no model named ${req.params.model}` });
      return report;
    },
  );
  app.get(
    '/metrics',
    { config: { scope: 'read' }, schema: { summary: 'Prometheus metrics', tags: ['monitoring'] } },
    async (_req, reply) => {
      const text = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(text);
    },
  );
}
