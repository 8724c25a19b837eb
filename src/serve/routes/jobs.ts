/**
 * Jobs: submit (multipart upload of one file per channel file; the model and options in the query, so
 * the byte limit is known before the body is read), list, status with progress, result, result files
 * (only names the result lists), cancel, delete (files removed at once).
 */
import { createReadStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServeContext } from '../context.js';
import { inside, JOB_ID_PATTERN, MODEL_NAME_PATTERN, newJobId } from '../ids.js';
import { receiveFiles } from '../intake.js';
import type { DicomWebSource, JobInput, JobRecord } from '../job-store.js';
import { allows, type Principal } from '../keys.js';
import { modelDir } from '../models.js';
import { enqueue } from '../queue.js';
import { jobStatus, readResult } from '../status.js';
import { UploadError } from '../upload-check.js';
import { loadPlan } from '../../data/plan.js';
import { runPaths } from '../../train/run-folder.js';

/** The answer to a submitted job. */
export const submittedSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, state: { type: 'string' }, status: { type: 'string' } },
} as const;

/** The model and options every submission names. */
export const submitProperties = {
  model: { type: 'string', pattern: MODEL_NAME_PATTERN },
  tta: { type: 'boolean', default: true },
} as const;

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: JOB_ID_PATTERN } },
  required: ['id'],
  additionalProperties: false,
} as const;

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

const statusSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    model: { type: 'string' },
    state: { type: 'string', enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] },
    progress: { type: ['object', 'null'], properties: { stage: { type: 'string' }, fraction: { type: 'number' } } },
    error: { type: ['string', 'null'] },
    attempts: { type: 'integer' },
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, kind: { type: 'string' }, voxels: { type: 'integer' } },
      },
    },
    warnings: { type: 'array', items: { type: 'string' } },
    correction: { type: ['object', 'null'], properties: { by: { type: 'string' }, at: { type: 'string' } } },
    createdAt: { type: 'string' },
    startedAt: { type: ['string', 'null'] },
    finishedAt: { type: ['string', 'null'] },
    expiresAt: { type: 'string' },
  },
} as const;

export function principalOf(req: FastifyRequest): Principal {
  return (req as FastifyRequest & { principal: Principal }).principal;
}

/** The submitter of a job, or an admin, may change it. */
export function mayModify(principal: Principal, record: JobRecord): boolean {
  return allows(principal, 'admin') || principal.keyId === record.owner;
}

export function notFound(reply: FastifyReply, id: string) {
  return reply.code(404).send({ error: 'not found', message: `no job ${id} (deleted, expired, or never submitted)` });
}

/** Creates a job from inputs already in its folder: writes the record and queues it. */
export async function createJob(
  ctx: ServeContext,
  id: string,
  model: string,
  inputs: JobInput[],
  principal: Principal,
  options: { tta: boolean; worklistCase?: string; dicomweb?: DicomWebSource },
): Promise<JobRecord> {
  const now = Date.now();
  const record: JobRecord = {
    id,
    model,
    owner: principal.keyId,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ctx.jobTtlSeconds * 1000).toISOString(),
    inputs,
    options: { tta: options.tta },
    ...(options.worklistCase ? { worklistCase: options.worklistCase } : {}),
    ...(options.dicomweb ? { dicomweb: options.dicomweb } : {}),
  };
  ctx.store.write(record);
  try {
    await enqueue(ctx.queue, { id, model }, ctx.queueSettings);
  } catch (err) {
    ctx.store.remove(id);
    throw err;
  }
  ctx.metrics.submitted.inc({ model });
  return record;
}

export function jobRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post<{ Querystring: { model: string; tta?: boolean } }>(
    '/api/jobs',
    {
      config: { scope: 'submit', rateLimit: ctx.submitRateLimit },
      schema: {
        summary:
          'Submit a job: multipart/form-data with one file per channel file (NIfTI, NRRD, DICOM file, zipped DICOM series, PNG/JPEG/TIFF)',
        tags: ['jobs'],
        consumes: ['multipart/form-data'],
        querystring: {
          type: 'object',
          properties: submitProperties,
          required: ['model'],
          additionalProperties: false,
        },
        response: {
          202: submittedSchema,
          400: errorSchema,
          404: errorSchema,
          413: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const dir = modelDir(ctx.modelsRoot, req.query.model);
      if (!dir) return reply.code(404).send({ error: 'not found', message: `no model named ${req.query.model}` });
      const files = Math.min(ctx.limits.maxFiles, loadPlan(runPaths(dir).plan).channels.length);
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > files * ctx.limits.maxBytes + 1024 * 1024)
        return reply.code(413).send({
          error: 'payload too large',
          message: `the request declares ${declared} bytes; this model takes ${files} file(s) of at most ${ctx.limits.maxBytes} bytes`,
        });
      if (!req.isMultipart())
        return reply
          .code(400)
          .send({ error: 'bad request', message: 'expected multipart/form-data with the image file(s)' });
      const id = newJobId();
      let inputs: JobInput[];
      try {
        inputs = await receiveFiles(req.parts(), ctx.store.uploadsDir(), ctx.store.inputDir(id), {
          ...ctx.limits,
          maxFiles: files,
        });
      } catch (err) {
        await rm(ctx.store.jobDir(id), { recursive: true, force: true });
        if (err instanceof UploadError)
          return reply
            .code(err.status)
            .send({ error: err.status === 413 ? 'payload too large' : 'bad request', message: err.reason });
        throw err;
      }
      await createJob(ctx, id, req.query.model, inputs, principalOf(req), { tta: req.query.tta ?? true });
      req.log.info({ job: id, model: req.query.model, files: inputs.length }, 'job submitted');
      return reply.code(202).send({ id, state: 'queued', status: `/api/jobs/${id}` });
    },
  );

  app.get(
    '/api/jobs',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Jobs (newest first, at most 200)',
        tags: ['jobs'],
        response: { 200: { type: 'array', items: statusSchema } },
      },
    },
    async () => {
      const records = ctx.store
        .ids()
        .map((id) => ctx.store.read(id))
        .filter((r): r is JobRecord => r !== undefined)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
        .slice(0, 200);
      return Promise.all(records.map((r) => jobStatus(ctx.store, ctx.queue, r)));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Job status with progress',
        tags: ['jobs'],
        params: idParams,
        response: { 200: statusSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const record = ctx.store.read(req.params.id);
      if (!record) return notFound(reply, req.params.id);
      return jobStatus(ctx.store, ctx.queue, record);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/result',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'The result: findings, uncertainty, out-of-distribution warnings, file list',
        tags: ['jobs'],
        params: idParams,
      },
    },
    async (req, reply) => {
      if (!ctx.store.read(req.params.id)) return notFound(reply, req.params.id);
      const result = readResult(ctx.store, req.params.id);
      if (!result) return reply.code(409).send({ error: 'not ready', message: 'the job has no result yet' });
      return result;
    },
  );

  app.get<{ Params: { id: string; name: string } }>(
    '/api/jobs/:id/files/:name',
    {
      config: { scope: 'read' },
      schema: {
        summary:
          'A result file (names from result.files; e.g. labels.nii.gz, probabilities.nii.gz, foreground.nii.gz, input_0000.nii.gz; for a DICOM series input also seg.dcm, the DICOM SEG referencing it, and sr.dcm, its TID 1500 SR)',
        tags: ['jobs'],
        params: {
          type: 'object',
          properties: {
            id: { type: 'string', pattern: JOB_ID_PATTERN },
            name: { type: 'string', pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9]+)*$' },
          },
          required: ['id', 'name'],
        },
      },
    },
    async (req, reply) => {
      if (!ctx.store.read(req.params.id)) return notFound(reply, req.params.id);
      const result = readResult(ctx.store, req.params.id);
      // only names the result itself lists: a request never chooses a path
      if (!result?.files.includes(req.params.name))
        return reply.code(404).send({ error: 'not found', message: `no result file ${req.params.name}` });
      const path = inside(ctx.store.resultDir(req.params.id), req.params.name);
      const name = req.params.name;
      const type = name.endsWith('.json')
        ? 'application/json'
        : name.endsWith('.dcm')
          ? 'application/dicom'
          : 'application/octet-stream';
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename="${req.params.name}"`)
        .send(createReadStream(path));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/jobs/:id/cancel',
    {
      config: { scope: 'submit' },
      schema: { summary: 'Cancel a queued or running job', tags: ['jobs'], params: idParams },
    },
    async (req, reply) => {
      const record = ctx.store.read(req.params.id);
      if (!record) return notFound(reply, req.params.id);
      if (!mayModify(principalOf(req), record))
        return reply.code(403).send({ error: 'forbidden', message: 'only the submitter or an admin may cancel a job' });
      const status = await jobStatus(ctx.store, ctx.queue, record);
      if (status.state === 'completed' || status.state === 'failed' || status.state === 'cancelled')
        return reply.code(409).send({ error: 'conflict', message: `the job is already ${status.state}` });
      ctx.store.write({ ...record, cancelledAt: new Date().toISOString() });
      const job = await ctx.queue.getJob(record.id);
      if (job && status.state === 'queued') await job.remove().catch(() => {});
      else await ctx.cancels.request(record.id);
      ctx.metrics.finished.inc({ model: record.model, outcome: 'cancelled' });
      req.log.info({ job: record.id }, 'job cancelled');
      return reply.code(202).send({ id: record.id, state: 'cancelled' });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/jobs/:id',
    {
      config: { scope: 'submit' },
      schema: {
        summary: 'Delete a job and all its files (cancelling it first if it runs)',
        tags: ['jobs'],
        params: idParams,
      },
    },
    async (req, reply) => {
      const record = ctx.store.read(req.params.id);
      if (!record) return notFound(reply, req.params.id);
      if (!mayModify(principalOf(req), record))
        return reply.code(403).send({ error: 'forbidden', message: 'only the submitter or an admin may delete a job' });
      await deleteJob(ctx, record.id);
      req.log.info({ job: record.id }, 'job deleted');
      return reply.code(204).send();
    },
  );
}

/** Removes a job everywhere: the queue (cancelling it when it runs) and its files. */
export async function deleteJob(ctx: ServeContext, id: string): Promise<void> {
  const job = await ctx.queue.getJob(id);
  if (job) {
    const state = await job.getState();
    if (state === 'active') await ctx.cancels.request(id);
    else await job.remove().catch(() => {});
  }
  ctx.store.remove(id);
  if (existsSync(ctx.store.jobDir(id))) ctx.store.remove(id);
}
