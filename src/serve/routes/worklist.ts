/**
 * The worklist: the active-learning ranking (`vesalius rank ... -o ranking.json`, given to the server
 * with --worklist) as the viewer offers it — which case to check and correct next. A client sees case
 * ids and scores, never the files' paths, and starts a case by its rank (the server copies the files
 * the ranking names, checked like uploads, into a new job).
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import { readCorrection } from '../corrections.js';
import { newJobId, sanitizeName } from '../ids.js';
import type { JobInput } from '../job-store.js';
import type { Ranking } from '../rank.js';
import { jobStatus } from '../status.js';
import { checkUploadedFile, UploadError } from '../upload-check.js';
import { createJob, principalOf } from './jobs.js';

function readWorklist(path: string): Ranking {
  return JSON.parse(readFileSync(path, 'utf8')) as Ranking;
}

export function worklistRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get(
    '/api/worklist',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Cases to label next (the active-learning ranking), with their jobs and corrections',
        tags: ['worklist'],
      },
    },
    async () => {
      if (!ctx.worklist) return { model: null, created: null, strategy: null, cases: [] };
      const ranking = readWorklist(ctx.worklist);
      const byCase = new Map<string, string>();
      for (const id of ctx.store.ids()) {
        const r = ctx.store.read(id);
        if (r?.worklistCase && r.model === ranking.model) byCase.set(r.worklistCase, id);
      }
      const cases = await Promise.all(
        ranking.cases.map(async (c) => {
          const job = byCase.get(c.id);
          const record = job ? ctx.store.read(job) : undefined;
          const status = record ? await jobStatus(ctx.store, ctx.queue, record) : undefined;
          return {
            rank: c.rank,
            id: c.id,
            score: c.score,
            uncertainty: c.uncertainty,
            measures: c.measures,
            job: job ?? null,
            state: status?.state ?? null,
            corrected: job ? readCorrection(ctx.store, job) !== undefined : false,
          };
        }),
      );
      return { model: ranking.model, created: ranking.created, strategy: ranking.strategy, cases };
    },
  );

  app.post<{ Params: { rank: number } }>(
    '/api/worklist/:rank/jobs',
    {
      config: { scope: 'submit', rateLimit: ctx.submitRateLimit },
      schema: {
        summary: 'Start a job for the worklist case of this rank',
        tags: ['worklist'],
        params: { type: 'object', properties: { rank: { type: 'integer', minimum: 1 } }, required: ['rank'] },
      },
    },
    async (req, reply) => {
      if (!ctx.worklist) return reply.code(404).send({ error: 'not found', message: 'this server has no worklist' });
      const ranking = readWorklist(ctx.worklist);
      const entry = ranking.cases.find((c) => c.rank === req.params.rank);
      if (!entry) return reply.code(404).send({ error: 'not found', message: `no case of rank ${req.params.rank}` });
      const id = newJobId();
      const inputDir = ctx.store.inputDir(id);
      const inputs: JobInput[] = [];
      try {
        await mkdir(inputDir, { recursive: true });
        for (const [n, file] of entry.files.entries()) {
          if (!existsSync(file)) throw new UploadError(400, `worklist case ${entry.id}: file ${n + 1} is gone`);
          if (statSync(file).isDirectory()) {
            await cp(file, join(inputDir, String(n)), { recursive: true });
            inputs.push({ file: String(n), kind: 'dicom', name: sanitizeName(entry.id), voxels: 0 });
            continue;
          }
          const checked = await checkUploadedFile(file, ctx.limits);
          if (checked.kind === 'zip')
            throw new UploadError(400, `worklist case ${entry.id}: zip files are not supported here`);
          const name = `${n}${checked.ending}`;
          await cp(file, join(inputDir, name));
          inputs.push({
            file: name,
            kind: checked.kind === 'dicom' ? 'dicom' : checked.kind,
            name: sanitizeName(entry.id),
            voxels: checked.voxels,
          });
        }
      } catch (err) {
        await rm(ctx.store.jobDir(id), { recursive: true, force: true });
        if (err instanceof UploadError)
          return reply.code(err.status).send({ error: 'bad request', message: err.reason });
        throw err;
      }
      await createJob(ctx, id, ranking.model, inputs, principalOf(req), { tta: true, worklistCase: entry.id });
      return reply.code(202).send({ id, state: 'queued', status: `/api/jobs/${id}` });
    },
  );
}
