/**
 * A job's state as a client sees it, from its record (files) and its BullMQ job (queue state,
 * progress, attempts, failure reason).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { readCorrection } from './corrections.js';
import type { JobRecord, JobStore } from './job-store.js';
import type { QueueJobData } from './queue.js';
import type { JobResult } from './run-job.js';

export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobStatus {
  id: string;
  model: string;
  state: JobState;
  progress: { stage: string; fraction: number } | null;
  /** Why it failed (or 'cancelled'). */
  error: string | null;
  attempts: number;
  inputs: { name: string; kind: string; voxels: number }[];
  warnings: string[];
  /** Who saved a corrected label, and when (null when there is none). */
  correction: { by: string; at: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string;
}

export function readResult(store: JobStore, id: string): JobResult | undefined {
  const path = join(store.resultDir(id), 'result.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as JobResult) : undefined;
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

export async function jobStatus(store: JobStore, queue: Queue<QueueJobData>, record: JobRecord): Promise<JobStatus> {
  const job = await queue.getJob(record.id);
  const result = readResult(store, record.id);
  let state: JobState;
  let error: string | null = null;
  if (job) {
    const s = await job.getState();
    if (s === 'completed') state = 'completed';
    else if (s === 'active') state = 'running';
    else if (s === 'failed') {
      state = job.failedReason === 'cancelled' ? 'cancelled' : 'failed';
      error = job.failedReason ?? 'failed';
    } else state = 'queued';
  } else if (result) state = 'completed';
  else if (record.cancelledAt) state = 'cancelled';
  else {
    state = 'failed';
    error = 'the queue no longer holds this job (its Redis data was lost)';
  }
  if (record.cancelledAt && state !== 'completed') {
    state = 'cancelled';
    error = 'cancelled';
  }
  if (state === 'completed' && !result) state = 'running'; // the worker is publishing its result
  const correction = readCorrection(store, record.id);
  const progress =
    job && typeof job.progress === 'object' ? (job.progress as { stage: string; fraction: number }) : null;
  return {
    id: record.id,
    model: record.model,
    state,
    progress: state === 'running' || state === 'queued' ? progress : null,
    error,
    attempts: job?.attemptsMade ?? 0,
    inputs: record.inputs.map((i) => ({ name: i.name, kind: i.kind, voxels: i.voxels })),
    warnings: result?.warnings.map((w) => w.message) ?? [],
    correction: correction ? { by: correction.by, at: correction.at } : null,
    createdAt: record.createdAt,
    startedAt: iso(job?.processedOn),
    finishedAt: result?.finishedAt ?? iso(job?.finishedOn),
    expiresAt: record.expiresAt,
  };
}
