/**
 * A bounded load test on loopback: 200 jobs from 20 concurrent clients against the server, run by
 * two `vesalius worker` processes; one worker is killed (SIGKILL) mid-run. Every job must complete or
 * fail with a reason — none lost — and the jobs the killed worker held must complete on the other
 * one (BullMQ's stalled-job check after the lock expires). Latency percentiles are reported.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { KeyStore } from '../../src/serve/keys.js';
import { createServer, type VesaliusServer } from '../../src/serve/server.js';
import { percentile } from '../../src/util/percentile.js';
import { repoRoot } from '../helpers/data.js';
import { diskImage, redisReference, testRedis, tinyModels } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const JOBS = 200;
const CLIENTS = 20;
const children: ChildProcess[] = [];
let server: VesaliusServer | undefined;
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await server?.close();
});

interface WorkerProcess {
  child: ChildProcess;
  started: Set<string>;
  completed: Set<string>;
  /** Called as soon as the worker logs that it started a job (before later lines are read). */
  onStart?: (job: string) => void;
  ready: Promise<void>;
}

function spawnWorker(redis: string, models: string, data: string): WorkerProcess {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'src', 'cli', 'main.ts'),
      'worker',
      '--redis',
      redis,
      '--models',
      models,
      '--data',
      data,
      '--threads',
      '1',
      '--lock-duration',
      '3000',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  const w: WorkerProcess = { child, started: new Set(), completed: new Set(), ready: Promise.resolve() };
  let buffer = '';
  w.ready = new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg: string; job?: string };
        if (entry.msg === 'worker ready') resolve();
        if (entry.msg === 'job started') {
          w.started.add(entry.job!);
          w.onStart?.(entry.job!);
        }
        if (entry.msg === 'job completed') w.completed.add(entry.job!);
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  return w;
}

test('200 jobs from 20 clients, two workers, one killed mid-run: every job completes, none is lost', {
  ...redisReference,
  timeout: 300_000,
}, async (t) => {
  const models = await tinyModels({ iterations: 8 });
  const redis = await testRedis();
  const data = tempDir();
  const key = 'load-test-key-0123456789abcdef';
  server = await createServer({
    models,
    data,
    redis: redis.socket,
    keys: new KeyStore(undefined, [{ key, scopes: ['admin'] }]),
    rateLimit: { max: 1_000_000, submitMax: 1_000_000 },
    logger: pino({ level: 'warn' }),
  });
  const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const a = spawnWorker(redis.socket, models, data);
  const b = spawnWorker(redis.socket, models, data);
  await Promise.all([a.ready, b.ready]);
  const images = await Promise.all(Array.from({ length: 8 }, (_, i) => diskImage(tempDir(), `i${i}.nii.gz`, 100 + i)));
  const bytes = images.map((p) => readFileSync(p));
  const auth = { authorization: `Bearer ${key}` };

  const outcomes: { id: string; state: string; error: string | null; seconds: number }[] = [];
  let submitted = 0;
  let killedHeld: string[] | undefined;
  const started = performance.now();
  const client = async (c: number) => {
    for (;;) {
      const n = submitted++;
      if (n >= JOBS) return;
      if (n === Math.floor(JOBS / 3) && !killedHeld) {
        // kill worker A while it holds a job: the moment it logs the start of its next one (a job takes tens of
        // milliseconds; polling for a started-but-not-completed job raced with jobs A had already finished)
        killedHeld = await new Promise<string[]>((resolve) => {
          a.onStart = (job) => {
            a.onStart = undefined;
            a.child.kill('SIGKILL');
            resolve([job]);
          };
        });
      }
      const form = new FormData();
      form.append('file', new Blob([bytes[(n + c) % bytes.length]!]), 'case.nii.gz');
      const t0 = performance.now();
      const res = await fetch(`${base}/api/jobs?model=disks&tta=false`, { method: 'POST', headers: auth, body: form });
      assert.equal(res.status, 202);
      const { id } = (await res.json()) as { id: string };
      for (;;) {
        await new Promise((r) => setTimeout(r, 150));
        const s = (await (await fetch(`${base}/api/jobs/${id}`, { headers: auth })).json()) as {
          state: string;
          error: string | null;
        };
        if (s.state === 'queued' || s.state === 'running') continue;
        outcomes.push({ id, state: s.state, error: s.error, seconds: (performance.now() - t0) / 1000 });
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  const wall = (performance.now() - started) / 1000;

  assert.equal(outcomes.length, JOBS, 'every job came back');
  assert.equal(new Set(outcomes.map((o) => o.id)).size, JOBS);
  for (const o of outcomes)
    assert.ok(o.state === 'completed' || (o.state === 'failed' && o.error), `${o.id}: ${o.state} without a reason`);
  const completed = outcomes.filter((o) => o.state === 'completed').length;
  assert.equal(
    completed,
    JOBS,
    `${JOBS - completed} job(s) failed: ${outcomes
      .filter((o) => o.state !== 'completed')
      .map((o) => o.error)
      .join('; ')}`,
  );
  assert.ok(killedHeld && killedHeld.length >= 1, 'worker A was killed inside a job');
  for (const id of killedHeld)
    assert.ok(b.completed.has(id), `job ${id}, held by the killed worker, completed on the other`);
  assert.ok(a.completed.size > 0 && b.completed.size > 0, 'both workers took jobs');
  const latencies = outcomes.map((o) => o.seconds);
  const report = `${JOBS} jobs, ${CLIENTS} clients, ${wall.toFixed(1)} s (${(JOBS / wall).toFixed(1)} jobs/s); latency p50 ${percentile(latencies, 50).toFixed(2)} s, p90 ${percentile(latencies, 90).toFixed(2)} s, p99 ${percentile(latencies, 99).toFixed(2)} s, max ${Math.max(...latencies).toFixed(2)} s; worker A ${a.completed.size} before it was killed holding ${killedHeld.length}, worker B ${b.completed.size}`;
  t.diagnostic(report);
  process.stderr.write(`load: ${report}\n`);
});
