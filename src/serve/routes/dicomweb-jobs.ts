/**
 * Submitting a job that names a study on the server's DICOMweb source (`vesalius serve --dicomweb URL`)
 * instead of uploading it. The request gives only UIDs (digits and dots, at most 64 characters, checked
 * by the schema: 400 otherwise); the server's own URL and limits go into the job record, and a worker
 * retrieves, predicts and, with `store`, stores the SEG and SR back into the study.
 */
import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import { UID_PATTERN } from '../dicomweb-input.js';
import { newJobId } from '../ids.js';
import { modelDir } from '../models.js';
import { createJob, errorSchema, principalOf, submitProperties, submittedSchema } from './jobs.js';

const uid = { type: 'string', pattern: UID_PATTERN, maxLength: 64 } as const;

interface DicomWebJobBody {
  model: string;
  tta?: boolean;
  dicomweb: { study: string; series?: string; store?: boolean };
}

export function dicomWebJobRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post<{ Body: DicomWebJobBody }>(
    '/api/jobs/dicomweb',
    {
      config: { scope: 'submit', rateLimit: ctx.submitRateLimit },
      schema: {
        summary:
          "Submit a job on a study of the server's DICOMweb source (--dicomweb): the worker retrieves the series, predicts, and with store: true stores the SEG and SR back into the study",
        tags: ['jobs'],
        body: {
          type: 'object',
          properties: {
            ...submitProperties,
            dicomweb: {
              type: 'object',
              properties: {
                study: uid,
                series: uid,
                store: { type: 'boolean', default: false },
              },
              required: ['study'],
              additionalProperties: false,
            },
          },
          required: ['model', 'dicomweb'],
          additionalProperties: false,
        },
        response: {
          202: submittedSchema,
          400: errorSchema,
          404: errorSchema,
          422: errorSchema,
        },
      },
    },
    async (req, reply) => {
      if (!ctx.dicomweb)
        return reply.code(422).send({
          error: 'not configured',
          message: 'this server has no DICOMweb source: start it with `vesalius serve --dicomweb URL`',
        });
      const { model, dicomweb } = req.body;
      if (!modelDir(ctx.modelsRoot, model))
        return reply.code(404).send({ error: 'not found', message: `no model named ${model}` });
      const id = newJobId();
      await createJob(ctx, id, model, [], principalOf(req), {
        tta: req.body.tta ?? true,
        dicomweb: {
          url: ctx.dicomweb,
          study: dicomweb.study,
          ...(dicomweb.series ? { series: dicomweb.series } : {}),
          store: dicomweb.store ?? false,
          maxBytes: ctx.limits.maxBytes,
          maxVoxels: ctx.limits.maxVoxels,
        },
      });
      req.log.info({ job: id, model, store: dicomweb.store ?? false }, 'DICOMweb job submitted');
      return reply.code(202).send({ id, state: 'queued', status: `/api/jobs/${id}` });
    },
  );
}
