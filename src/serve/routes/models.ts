import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import { MODEL_NAME_PATTERN } from '../ids.js';
import { listModels, modelInfo } from '../models.js';

const modelSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    kind: { type: 'string' },
    dimension: { type: 'string' },
    channels: { type: 'array', items: { type: 'string' } },
    classes: {
      type: 'array',
      items: { type: 'object', properties: { value: { type: 'integer' }, name: { type: 'string' } } },
    },
    targetSpacing: { type: 'array', items: { type: 'number' } },
    patchSize: { type: 'array', items: { type: 'integer' } },
    normalization: { type: 'array', items: { type: 'string' } },
    checkpoint: { type: 'string' },
    precision: { type: 'string', enum: ['fp32', 'int8'] },
    metrics: {
      type: 'object',
      properties: {
        bestValidationDice: { type: ['number', 'null'] },
        bestEpoch: { type: ['integer', 'null'] },
        epochs: { type: 'integer' },
      },
    },
    fingerprint: { type: 'boolean' },
  },
} as const;

export function modelRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get(
    '/api/models',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'The models this server runs, with plan, classes and training metrics',
        tags: ['models'],
        response: { 200: { type: 'array', items: modelSchema } },
      },
    },
    async () => listModels(ctx.modelsRoot).map((name) => modelInfo(ctx.modelsRoot, name)!),
  );
  app.get<{ Params: { name: string } }>(
    '/api/models/:name',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'One model',
        tags: ['models'],
        params: {
          type: 'object',
          properties: { name: { type: 'string', pattern: MODEL_NAME_PATTERN } },
          required: ['name'],
        },
        response: { 200: modelSchema },
      },
    },
    async (req, reply) => {
      const info = modelInfo(ctx.modelsRoot, req.params.name);
      if (!info) return reply.code(404).send({ error: 'not found', message: `no model named ${req.params.name}` });
      return info;
    },
  );
}
