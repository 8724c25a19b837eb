/** Corrections: the viewer PUTs the corrected label of a job (a NIfTI, optionally gzipped); it is read back with GET. */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import { decodeCorrection, readCorrection, readNiftiAsync, saveCorrection } from '../corrections.js';
import { loadPlan } from '../../data/plan.js';
import { runPaths } from '../../train/run-folder.js';
import { modelDir } from '../models.js';
import { readResult } from '../status.js';
import { UploadError } from '../upload-check.js';
import { idParams, notFound, principalOf } from './jobs.js';

export function correctionRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.put<{ Params: { id: string }; Body: Buffer }>(
    '/api/jobs/:id/correction',
    {
      config: { scope: 'submit' },
      bodyLimit: ctx.limits.maxBytes,
      schema: {
        summary:
          "Save a corrected label for a job (NIfTI on the job's grid, body application/octet-stream); it joins the model's corrections dataset",
        tags: ['corrections'],
        params: idParams,
        consumes: ['application/octet-stream'],
      },
    },
    async (req, reply) => {
      const record = ctx.store.read(req.params.id);
      if (!record) return notFound(reply, req.params.id);
      const result = readResult(ctx.store, record.id);
      if (!result) return reply.code(409).send({ error: 'not ready', message: 'the job has no result to correct yet' });
      if (!Buffer.isBuffer(req.body) || req.body.length === 0)
        return reply
          .code(400)
          .send({ error: 'bad request', message: 'send the label as a NIfTI file (application/octet-stream)' });
      try {
        const label = await decodeCorrection(req.body, result);
        const prediction = await readNiftiAsync(join(ctx.store.resultDir(record.id), 'labels.nii.gz'));
        const dir = modelDir(ctx.modelsRoot, record.model);
        const channels = dir ? loadPlan(runPaths(dir).plan).channels : [];
        const saved = await saveCorrection(ctx.store, record, result, label, prediction, principalOf(req), channels);
        req.log.info({ job: record.id, changed: saved.changedVoxels }, 'correction saved');
        return reply.code(201).send(saved);
      } catch (err) {
        if (err instanceof UploadError)
          return reply.code(err.status).send({ error: 'bad request', message: err.reason });
        throw err;
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/correction',
    {
      config: { scope: 'read' },
      schema: {
        summary: "The job's corrected label (NIfTI), with who and when in the headers",
        tags: ['corrections'],
        params: idParams,
      },
    },
    async (req, reply) => {
      if (!ctx.store.read(req.params.id)) return notFound(reply, req.params.id);
      const provenance = readCorrection(ctx.store, req.params.id);
      const path = join(ctx.store.correctionDir(req.params.id), 'label.nii.gz');
      if (!provenance || !existsSync(path))
        return reply.code(404).send({ error: 'not found', message: 'no correction saved for this job' });
      return reply
        .type('application/octet-stream')
        .header('x-corrected-by', provenance.by)
        .header('x-corrected-at', provenance.at)
        .send(createReadStream(path));
    },
  );
}
