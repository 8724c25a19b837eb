/**
 * The clinic's formats through the service, with a live Redis, the server and an in-process worker:
 * a zipped DICOM series job also returns a SEG (read back by the SEG reader: the prediction's voxels at
 * the same patient positions) and an SR; a job naming a study on a real Orthanc (started by the pacs
 * tests' helper on loopback) is retrieved, predicted, and its SEG + SR stored back (checked over
 * QIDO/WADO); bad UIDs are refused by the schema; a server without --dicomweb says it is not configured.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { parseDicomBytes } from '../../src/io/dicom/parse.js';
import { readSegmentation } from '../../src/io/dicom/seg/read.js';
import { readImage } from '../../src/io/read.js';
import { DicomWebClient } from '../../src/pacs/client.js';
import { jsonText } from '../../src/pacs/dicom-json.js';
import { KeyStore } from '../../src/serve/keys.js';
import { createServer, type VesaliusServer } from '../../src/serve/server.js';
import { type RunningWorker, startWorker } from '../../src/serve/worker.js';
import { assertSamePlaces } from '../helpers/label-places.js';
import { hasOrthanc, type Orthanc, startOrthanc } from '../helpers/orthanc.js';
import { needsReference, requireReference } from '../helpers/reference.js';
import { redisReference, testRedis } from '../helpers/serve.js';
import { trainTinyDiskRun, writeDiskSeries } from '../helpers/tiny-disk-run.js';
import { tempDir } from '../helpers/tmp.js';
import { zipBytes } from '../helpers/zip.js';

const orthancWhat = 'Orthanc + orthanc-dicomweb (Debian) in a loopback-only network namespace (unshare, iproute2)';
const orthancAvailable = hasOrthanc();
const orthancOptions = redisReference.skip ? redisReference : needsReference(orthancAvailable, orthancWhat);

let plain: VesaliusServer; // no --dicomweb
let pacs: VesaliusServer; // --dicomweb: the test Orthanc (or a closed port when Orthanc is missing)
let worker: RunningWorker;
let orthanc: Orthanc | undefined;
let plainBase: string;
let pacsBase: string;
let dir: string;
const key = 'dicom-jobs-test-submit-key-0123456789';
const auth = { authorization: `Bearer ${key}` };

before(async () => {
  if (redisReference.skip) return;
  dir = tempDir();
  const run = await trainTinyDiskRun(join(dir, 'train'));
  const models = join(dir, 'models');
  mkdirSync(models);
  renameSync(run, join(models, 'nodules'));
  if (!orthancOptions.skip) {
    requireReference(orthancAvailable, orthancWhat);
    orthanc = await startOrthanc();
  }
  const redis = await testRedis();
  const data = join(dir, 'data');
  const logger = pino({ level: 'warn' });
  const keys = new KeyStore(undefined, [{ key, scopes: ['read', 'submit'], name: 'pacs-bridge' }]);
  const common = { models, data, redis: redis.socket, keys, logger, jobTtlSeconds: 3600 };
  plain = await createServer(common);
  pacs = await createServer({ ...common, dicomweb: orthanc?.dicomweb ?? 'http://127.0.0.1:9/dicom-web' });
  worker = await startWorker({ redis: redis.socket, data, models, logger, threads: 1 });
  plainBase = await plain.app.listen({ port: 0, host: '127.0.0.1' });
  pacsBase = await pacs.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await worker?.close();
  await plain?.close();
  await pacs?.close();
  await orthanc?.stop();
});

async function settle(base: string, id: string, timeoutMs = 120_000): Promise<{ state: string; error: string }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = (await (await fetch(`${base}/api/jobs/${id}`, { headers: auth })).json()) as {
      state: string;
      error: string;
    };
    if (!['queued', 'running'].includes(s.state)) return s;
    if (Date.now() > end) throw new Error(`job ${id} still ${s.state}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface DicomSection {
  seg: { file: string; sopInstanceUid: string; seriesInstanceUid: string; segments: number };
  sr: { file: string; sopInstanceUid: string; seriesInstanceUid: string; findings: number };
  stored?: { study: string; sopInstanceUids: string[] };
}

async function resultOf(base: string, id: string) {
  return (await (await fetch(`${base}/api/jobs/${id}/result`, { headers: auth })).json()) as {
    files: string[];
    extensions: { dicom?: DicomSection };
  };
}

async function file(base: string, id: string, name: string): Promise<Uint8Array> {
  const res = await fetch(`${base}/api/jobs/${id}/files/${name}`, { headers: auth });
  assert.equal(res.status, 200, name);
  return new Uint8Array(await res.arrayBuffer());
}

const postDicomWeb = (base: string, body: unknown) =>
  fetch(`${base}/api/jobs/dicomweb`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

test(
  'a zipped DICOM series job returns a SEG with the prediction at the same patient positions, and an SR',
  redisReference,
  async () => {
    const series = writeDiskSeries(join(dir, 'zip-series'), 4, { patientId: 'ZIP-1' });
    const zip = zipBytes(series.files.map((f, i) => ({ name: `S1/IM${i}.dcm`, data: readFileSync(f), deflate: true })));
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(zip)]), 'series.zip');
    const res = await fetch(`${plainBase}/api/jobs?model=nodules&tta=false`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    const { id, message } = (await res.json()) as { id: string; message?: string };
    assert.equal(res.status, 202, message);
    const s = await settle(plainBase, id);
    assert.equal(s.state, 'completed', s.error);
    const result = await resultOf(plainBase, id);
    assert.ok(result.files.includes('seg.dcm') && result.files.includes('sr.dcm'), result.files.join(', '));
    const dicom = result.extensions.dicom!;
    assert.equal(dicom.seg.segments, 1);
    assert.equal(dicom.stored, undefined);

    const segRes = await fetch(`${plainBase}/api/jobs/${id}/files/seg.dcm`, { headers: auth });
    assert.equal(segRes.headers.get('content-type'), 'application/dicom');
    const seg = await readSegmentation(parseDicomBytes('seg.dcm', new Uint8Array(await segRes.arrayBuffer())));
    assert.equal(seg.referencedSeriesUid, series.seriesUid);
    assert.deepEqual(
      seg.segments.map((x) => x.label),
      ['nodule'],
    );
    const labelsPath = join(dir, 'labels.nii.gz');
    writeFileSync(labelsPath, await file(plainBase, id, 'labels.nii.gz'));
    const labels = await readImage(labelsPath);
    assert.ok(
      labels.data.some((v) => v > 0),
      'the model finds the disks',
    );
    assertSamePlaces(seg.image, labels);

    const sr = Buffer.from(await file(plainBase, id, 'sr.dcm')).toString('latin1');
    assert.match(sr, new RegExp(dicom.seg.sopInstanceUid.replace(/\./g, '\\.')), 'the SR references the SEG');
    assert.ok(dicom.sr.findings >= 1);
  },
);

test('a DICOMweb job on a server without --dicomweb: 422 saying it is not configured', redisReference, async () => {
  const res = await postDicomWeb(plainBase, { model: 'nodules', dicomweb: { study: '1.2.3' } });
  assert.equal(res.status, 422);
  assert.match(((await res.json()) as { message: string }).message, /no DICOMweb source.*--dicomweb URL/);
});

test(
  'bad UIDs are refused with 400 before anything is queued; a URL in the request is never used',
  redisReference,
  async () => {
    const bad = ['1.2.3/../4', '1.2.a', `1.${'2'.repeat(63)}`, '', '1..2', "1.2' OR 1=1", 'http://evil/x'];
    for (const study of bad) {
      const res = await postDicomWeb(pacsBase, { model: 'nodules', dicomweb: { study } });
      assert.equal(res.status, 400, study);
    }
    const badSeries = await postDicomWeb(pacsBase, { model: 'nodules', dicomweb: { study: '1.2', series: '1.2.x' } });
    assert.equal(badSeries.status, 400);
    const noKey = await fetch(`${pacsBase}/api/jobs/dicomweb`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'nodules', dicomweb: { study: '1.2' } }),
    });
    assert.equal(noKey.status, 401);
    const jobs = (await (await fetch(`${pacsBase}/api/jobs`, { headers: auth })).json()) as unknown[];
    assert.ok(jobs.length <= 1, 'only the zip job (when it ran first) exists');
    // the URL is the server's: one in the request is dropped by the schema, and the job asks the configured server
    const withUrl = await postDicomWeb(pacsBase, {
      model: 'nodules',
      dicomweb: { study: '1.2', url: 'http://169.254.169.254/' },
    });
    assert.equal(withUrl.status, 202);
    const failed = await settle(pacsBase, ((await withUrl.json()) as { id: string }).id);
    assert.equal(failed.state, 'failed');
    assert.ok(failed.error.includes(orthanc?.dicomweb ?? 'http://127.0.0.1:9/dicom-web'), failed.error);
    assert.ok(!failed.error.includes('169.254'), failed.error);
  },
);

test(
  'a DICOMweb job on Orthanc: retrieved, predicted, SEG + SR stored back and served over QIDO/WADO',
  orthancOptions,
  async () => {
    const series = writeDiskSeries(join(dir, 'pacs-series'), 5, { patientId: 'SERVE-PACS-1' });
    for (const f of series.files) {
      const r = await fetch(`${orthanc!.rest}/instances`, { method: 'POST', body: readFileSync(f) });
      assert.equal(r.status, 200, await r.text());
    }
    const res = await postDicomWeb(pacsBase, {
      model: 'nodules',
      tta: false,
      dicomweb: { study: series.studyUid, store: true },
    });
    const { id, message } = (await res.json()) as { id: string; message?: string };
    assert.equal(res.status, 202, message);
    const s = await settle(pacsBase, id);
    assert.equal(s.state, 'completed', s.error);
    const dicom = (await resultOf(pacsBase, id)).extensions.dicom!;
    assert.equal(dicom.stored?.study, series.studyUid);
    assert.deepEqual(dicom.stored?.sopInstanceUids.sort(), [dicom.seg.sopInstanceUid, dicom.sr.sopInstanceUid].sort());

    // independent of the service: what Orthanc lists and serves
    const client = new DicomWebClient(orthanc!.dicomweb);
    const modalities = (await client.searchSeries(series.studyUid)).map((x) => jsonText(x, '00080060')).sort();
    assert.deepEqual(modalities, ['CT', 'SEG', 'SR']);
    const served = await client.retrieveInstance(
      series.studyUid,
      dicom.seg.seriesInstanceUid,
      dicom.seg.sopInstanceUid,
    );
    assert.deepEqual(Buffer.from(served), Buffer.from(await file(pacsBase, id, 'seg.dcm')));
    const seg = await readSegmentation(parseDicomBytes('served', served));
    assert.equal(seg.referencedSeriesUid, series.seriesUid);
    const labelsPath = join(dir, 'pacs-labels.nii.gz');
    writeFileSync(labelsPath, await file(pacsBase, id, 'labels.nii.gz'));
    assertSamePlaces(seg.image, await readImage(labelsPath));
    const sr = await client.retrieveInstance(series.studyUid, dicom.sr.seriesInstanceUid, dicom.sr.sopInstanceUid);
    assert.match(Buffer.from(sr).toString('latin1'), new RegExp(dicom.seg.sopInstanceUid.replace(/\./g, '\\.')));

    // a study the PACS does not have: the job fails with the server's reason
    const missing = await postDicomWeb(pacsBase, { model: 'nodules', dicomweb: { study: '1.2.3.4.5.6.7' } });
    const m = (await missing.json()) as { id: string };
    const failed = await settle(pacsBase, m.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error, /1\.2\.3\.4\.5\.6\.7/);
  },
);
