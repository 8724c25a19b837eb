/**
 * Jobs end to end with a live Redis, the server and an in-process worker: the result equals the
 * existing prediction path (predictCase with mirroring TTA); uploads as NIfTI and as a zipped DICOM
 * series; out-of-distribution warnings; cancel (queued and running), delete and expiry remove the
 * files; corrections are saved as training data and read back; /metrics counts the jobs.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { fingerprintDataset } from '../../src/data/fingerprint.js';
import { discoverMsd } from '../../src/data/layout/msd.js';
import { predictCase } from '../../src/infer/predict.js';
import { createImage } from '../../src/io/image.js';
import { encodeNifti } from '../../src/io/nifti/write.js';
import { readImage } from '../../src/io/read.js';
import { writeImage } from '../../src/io/write.js';
import { KeyStore } from '../../src/serve/keys.js';
import { servedCheckpoint } from '../../src/serve/models.js';
import { createServer, type VesaliusServer } from '../../src/serve/server.js';
import { type RunningWorker, startWorker } from '../../src/serve/worker.js';
import { loadRun } from '../../src/train/run-folder.js';
import { AXIAL, dicomBytes } from '../io/dicom/write-dicom.js';
import { runCliAsync } from '../helpers/cli.js';
import { diskImage, redisReference, testRedis, tinyModels } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';
import { zipBytes } from '../helpers/zip.js';

let server: VesaliusServer;
let worker: RunningWorker;
let base: string;
let data: string;
let models: string;
const key = 'jobs-test-admin-key-0123456789';
const auth = { authorization: `Bearer ${key}` };

before(async () => {
  if (redisReference.skip) return;
  models = await tinyModels();
  const redis = await testRedis();
  data = tempDir();
  const logger = pino({ level: 'warn' });
  const keys = new KeyStore(undefined, [{ key, scopes: ['admin'], name: 'dr-test' }]);
  server = await createServer({ models, data, redis: redis.socket, keys, logger, jobTtlSeconds: 3600 });
  worker = await startWorker({ redis: redis.socket, data, models, logger, threads: 1 });
  base = await server.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await worker?.close();
  await server?.close();
});

async function submit(files: { bytes: Uint8Array; name: string }[], query = 'model=disks'): Promise<string> {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([Buffer.from(f.bytes)]), f.name);
  const res = await fetch(`${base}/api/jobs?${query}`, { method: 'POST', headers: auth, body: form });
  const body = (await res.json()) as { id: string; message?: string };
  assert.equal(res.status, 202, body.message);
  return body.id;
}

async function status(id: string) {
  return (await (await fetch(`${base}/api/jobs/${id}`, { headers: auth })).json()) as {
    state: string;
    error: string | null;
    progress: { stage: string; fraction: number } | null;
  };
}

async function settle(id: string, timeoutMs = 240_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(id);
    if (!['queued', 'running'].includes(s.state)) return s.state;
    if (Date.now() > end) throw new Error(`job ${id} still ${s.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const get = (path: string) => fetch(`${base}${path}`, { headers: auth });

test(
  'a NIfTI job: the label map and probabilities equal predictCase with mirroring TTA on the same run',
  redisReference,
  async () => {
    const dir = tempDir();
    const path = await diskImage(dir, 'case.nii.gz', 11);
    const id = await submit([{ bytes: readFileSync(path), name: 'case.nii.gz' }]);
    assert.equal(await settle(id), 'completed');
    const result = (await (await get(`/api/jobs/${id}/result`)).json()) as {
      files: string[];
      warnings: unknown[];
      uncertainty: { members: number; entropy: number };
      findings: { findings: { label: string; voxels: number }[] };
    };
    assert.deepEqual(result.warnings, []);
    assert.equal(result.uncertainty.members, 4, '2D: four mirroring members');
    for (const name of [
      'labels.nii.gz',
      'probabilities.nii.gz',
      'foreground.nii.gz',
      'input_0000.nii.gz',
      'result.json',
    ])
      assert.ok(result.files.includes(name), name);
    const labelsPath = join(dir, 'labels.nii.gz');
    writeFileSync(labelsPath, Buffer.from(await (await get(`/api/jobs/${id}/files/labels.nii.gz`)).arrayBuffer()));
    const probsPath = join(dir, 'probs.nii.gz');
    writeFileSync(
      probsPath,
      Buffer.from(await (await get(`/api/jobs/${id}/files/probabilities.nii.gz`)).arrayBuffer()),
    );
    const served = await readImage(labelsPath);
    const servedProbs = await readImage(probsPath);
    const runDir = join(models, 'disks');
    const run = loadRun(runDir, { checkpoint: servedCheckpoint(runDir) });
    const direct = await predictCase(run, { id: 'x', files: [path] }, { tta: true, probabilities: true });
    let maxDiff = 0;
    for (let v = 0; v < servedProbs.data.length; v++)
      maxDiff = Math.max(maxDiff, Math.abs(servedProbs.data[v]! - direct.probabilities!.data[v]!));
    assert.ok(maxDiff < 1e-5, `probabilities differ by ${maxDiff}`);
    let same = 0;
    for (let v = 0; v < served.data.length; v++) if (served.data[v] === direct.labels.data[v]) same++;
    assert.ok(same >= served.data.length - 1, `${served.data.length - same} label(s) differ`);
    // the disk is found: the largest finding is a disk of plausible size
    assert.equal(result.findings.findings[0]?.label, 'disk');
    assert.ok(result.findings.findings[0]!.voxels > 20);
  },
);

test(
  'a zipped DICOM series of another modality and an absurd spacing are flagged out of distribution',
  redisReference,
  async () => {
    const dir = tempDir();
    const disk = await readImage(await diskImage(dir, 'd.nii.gz', 12));
    const values = Array.from(disk.data, (v) => Math.round(v));
    const slice = dicomBytes({
      rows: 32,
      columns: 32,
      values,
      modality: 'CT',
      position: [0, 0, 0],
      orientation: AXIAL,
      pixelSpacing: [1, 1],
      sliceThickness: 1,
    });
    const zip = zipBytes([{ name: 'DOE^JOHN/IM0001.dcm', data: slice, deflate: true }]);
    const dicomJob = await submit([{ bytes: zip, name: 'study.zip' }]);
    const far = await diskImage(dir, 'far.nii.gz', 13, { spacing: 10 });
    const farJob = await submit([{ bytes: readFileSync(far), name: 'far.nii.gz' }]);
    assert.equal(await settle(dicomJob), 'completed');
    assert.equal(await settle(farJob), 'completed');
    const dicomResult = (await (await get(`/api/jobs/${dicomJob}/result`)).json()) as {
      warnings: { feature: string; message: string }[];
    };
    assert.deepEqual(
      dicomResult.warnings.map((w) => w.feature),
      ['modality'],
    );
    assert.match(dicomResult.warnings[0]!.message, /wrong modality: the input is CT, the model was trained on MR/);
    const farResult = (await (await get(`/api/jobs/${farJob}/result`)).json()) as {
      warnings: { feature: string; message: string }[];
    };
    assert.ok(
      farResult.warnings.some((w) => w.feature === 'spacing_i' && /absurd spacing/.test(w.message)),
      JSON.stringify(farResult.warnings),
    );
    const s = await status(farJob);
    assert.ok((s as unknown as { warnings: string[] }).warnings.length > 0, 'the status carries the warning too');
  },
);

test(
  'cancel: a queued job never runs, a running job stops; delete and expiry remove the files',
  redisReference,
  async () => {
    const dir = tempDir();
    // a large image keeps the worker busy for seconds
    const big = join(dir, 'big.nii.gz');
    const size = 384;
    const pixels = new Float32Array(size * size).map((_, v) => 100 + (v % 7));
    await writeImage(createImage(pixels, [size, size, 1]), big);
    const running = await submit([{ bytes: readFileSync(big), name: 'big.nii.gz' }]);
    const queued = await submit([{ bytes: readFileSync(await diskImage(dir, 'q.nii.gz', 14)), name: 'q.nii.gz' }]);
    const end = Date.now() + 30_000;
    while ((await status(running)).state !== 'running' && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await status(queued)).state, 'queued');
    // the prediction runs in a worker thread: this process (server and worker) still answers at once
    const latencies: number[] = [];
    for (let n = 0; n < 5; n++) {
      const t0 = performance.now();
      assert.equal((await fetch(`${base}/health`)).status, 200);
      latencies.push(performance.now() - t0);
    }
    assert.equal((await status(running)).state, 'running');
    assert.ok(Math.max(...latencies) < 1000, `health answered in ${latencies.map((l) => l.toFixed(0)).join(', ')} ms`);
    const cancelQueued = await fetch(`${base}/api/jobs/${queued}/cancel`, { method: 'POST', headers: auth });
    assert.equal(cancelQueued.status, 202);
    const cancelled = Date.now();
    assert.equal((await fetch(`${base}/api/jobs/${running}/cancel`, { method: 'POST', headers: auth })).status, 202);
    assert.equal(await settle(running), 'cancelled');
    assert.ok(Date.now() - cancelled < 5000, 'the running job stopped within seconds');
    assert.equal(await settle(queued), 'cancelled');
    assert.ok(!existsSync(join(data, 'jobs', running, 'result')) && !existsSync(join(data, 'jobs', queued, 'result')));
    assert.equal((await fetch(`${base}/api/jobs/${running}/cancel`, { method: 'POST', headers: auth })).status, 409);
    // the worker is free again: a new job completes
    const next = await submit([{ bytes: readFileSync(await diskImage(dir, 'n.nii.gz', 15)), name: 'n.nii.gz' }]);
    assert.equal(await settle(next), 'completed');
    assert.equal((await fetch(`${base}/api/jobs/${next}`, { method: 'DELETE', headers: auth })).status, 204);
    assert.ok(!existsSync(join(data, 'jobs', next)));
    // expiry: a job past its time is removed with its files by the sweep
    const old = await submit([{ bytes: readFileSync(await diskImage(dir, 'o.nii.gz', 16)), name: 'o.nii.gz' }]);
    assert.equal(await settle(old), 'completed');
    const record = JSON.parse(readFileSync(join(data, 'jobs', old, 'job.json'), 'utf8'));
    writeFileSync(
      join(data, 'jobs', old, 'job.json'),
      JSON.stringify({ ...record, expiresAt: new Date(Date.now() - 1000).toISOString() }),
    );
    await server.sweep();
    assert.ok(!existsSync(join(data, 'jobs', old)));
    assert.equal((await get(`/api/jobs/${old}`)).status, 404);
  },
);

test(
  'a correction is checked, saved with who and when, read back, and joins an MSD dataset that train reads',
  redisReference,
  async () => {
    const dir = tempDir();
    const id = await submit([{ bytes: readFileSync(await diskImage(dir, 'c.nii.gz', 17)), name: 'c.nii.gz' }]);
    assert.equal(await settle(id), 'completed');
    const labelsPath = join(dir, 'labels.nii.gz');
    writeFileSync(labelsPath, Buffer.from(await (await get(`/api/jobs/${id}/files/labels.nii.gz`)).arrayBuffer()));
    const labels = await readImage(labelsPath);
    const corrected = Uint8Array.from(labels.data);
    for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) corrected[i + 32 * j] = 1 - corrected[i + 32 * j]!;
    const put = (bytes: Uint8Array) =>
      fetch(`${base}/api/jobs/${id}/correction`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/octet-stream' },
        body: Buffer.from(bytes),
      });
    const saved = await put(encodeNifti(createImage(corrected, labels.shape, labels)));
    const provenance = (await saved.json()) as { changedVoxels: number; by: string; at: string };
    assert.equal(saved.status, 201, JSON.stringify(provenance));
    assert.equal(provenance.changedVoxels, 16);
    assert.equal(provenance.by, 'dr-test');
    const back = await get(`/api/jobs/${id}/correction`);
    assert.equal(back.status, 200);
    assert.equal(back.headers.get('x-corrected-by'), 'dr-test');
    writeFileSync(join(dir, 'back.nii.gz'), Buffer.from(await back.arrayBuffer()));
    assert.deepEqual(Array.from((await readImage(join(dir, 'back.nii.gz'))).data), Array.from(corrected));
    // refused: another grid, a value that is not a class, garbage
    assert.equal((await put(encodeNifti(createImage(corrected.subarray(0, 512), [16, 32, 1])))).status, 400);
    const wrong = Uint8Array.from(corrected);
    wrong[5] = 7;
    const bad = await put(encodeNifti(createImage(wrong, labels.shape, labels)));
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /not a class/);
    assert.equal((await put(new TextEncoder().encode('nonsense'))).status, 400);
    // the corrections dataset: MSD layout, read by the training pipeline as it is
    const root = join(data, 'corrections', 'disks');
    const dataset = discoverMsd(root);
    assert.deepEqual(
      dataset.cases.map((c) => c.id),
      [id],
    );
    const fp = await fingerprintDataset(dataset, readImage);
    assert.deepEqual(fp.cases[0]!.class_voxels, [
      1024 - corrected.reduce((a, b) => a + b, 0),
      corrected.reduce((a, b) => a + b, 0),
    ]);
    assert.deepEqual(readdirSync(join(root, 'provenance')), [`${id}.json`]);
  },
);

test(
  '/metrics counts submitted and finished jobs with their latencies and the queue depth',
  redisReference,
  async () => {
    const res = await get('/metrics');
    assert.equal(res.status, 200);
    const text = await res.text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    assert.ok(value(/vesalius_jobs_submitted_total\{model="disks"\} (\d+)/) >= 7);
    assert.ok(value(/vesalius_jobs_finished_total\{model="disks",outcome="completed"\} (\d+)/) >= 4);
    assert.ok(value(/vesalius_jobs_finished_total\{model="disks",outcome="cancelled"\} (\d+)/) >= 2);
    assert.ok(value(/vesalius_job_seconds_count\{model="disks",phase="total"\} (\d+)/) >= 4);
    assert.match(text, /vesalius_queue_jobs\{state="waiting"\} 0/);
    assert.match(text, /vesalius_ood_inputs_total\{model="disks"\} [12]/);
    // vesalius monitor against the server: the drift table of its model (its recent jobs vs training)
    const cli = await runCliAsync(['monitor', base, '--key', key]);
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /^model disks: last 50 jobs$/m);
    assert.match(cli.stdout, /^MR\.image_median +training/m);
    const denied = await runCliAsync(['monitor', base, '--key', 'wrong-key-0123456789']);
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /^vesalius: .*401 unknown or revoked API key\n$/);
  },
);
