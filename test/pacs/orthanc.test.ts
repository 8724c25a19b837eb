// The PACS round trip against a real Orthanc with its DICOMweb plugin, on loopback only: pull returns
// the stored bytes; `pacs run` finds the study, predicts, stores SEG + SR that Orthanc serves back over
// WADO-RS; unreachable and refusing servers and bad files are one-line errors that store nothing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readSegmentation } from '../../src/io/dicom/seg/read.js';
import { parseDicomBytes } from '../../src/io/dicom/parse.js';
import { DicomWebClient } from '../../src/pacs/client.js';
import { jsonText } from '../../src/pacs/dicom-json.js';
import { pullStudy } from '../../src/pacs/pull.js';
import { pushFiles } from '../../src/pacs/push.js';
import { runCli } from '../helpers/cli.js';
import { hasOrthanc, type Orthanc, startOrthanc } from '../helpers/orthanc.js';
import { needsReference, requireReference } from '../helpers/reference.js';
import { trainTinyDiskRun, writeDiskSeries } from '../helpers/tiny-disk-run.js';
import { tempDir } from '../helpers/tmp.js';

const available = hasOrthanc();
const what = 'Orthanc + orthanc-dicomweb (Debian) in a loopback-only network namespace (unshare, iproute2)';
const options = needsReference(available, what);

let orthanc: Orthanc | undefined;
let dir = '';
let run = '';
let series: ReturnType<typeof writeDiskSeries>;

/** Instances Orthanc holds (its own REST API, independent of the client under test). */
async function instanceCount(): Promise<number> {
  return ((await (await fetch(`${orthanc!.rest}/instances`)).json()) as unknown[]).length;
}

before(async () => {
  if (options.skip) return;
  requireReference(available, what);
  const server = await startOrthanc();
  orthanc = server;
  dir = tempDir();
  series = writeDiskSeries(join(dir, 'series'), 6, { patientName: 'Roundtrip^Test', patientId: 'PACS-0042' });
  // seed Orthanc through its own REST API
  for (const file of series.files) {
    const response: Response = await fetch(`${server.rest}/instances`, { method: 'POST', body: readFileSync(file) });
    assert.equal(response.status, 200, await response.text());
  }
  run = await trainTinyDiskRun(join(dir, 'train'));
});

after(async () => {
  await orthanc?.stop();
});

test('pull: QIDO finds the study, WADO-RS returns every instance byte for byte', options, async () => {
  const client = new DicomWebClient(orthanc!.dicomweb);
  const studies = await client.searchStudies({ PatientID: 'PACS-0042' });
  assert.equal(studies.length, 1);
  assert.equal(jsonText(studies[0], '0020000D'), series.studyUid);
  const pulled = await pullStudy(client, series.studyUid, join(dir, 'pulled'));
  assert.equal(pulled.length, 1);
  assert.equal(pulled[0]!.files.length, series.files.length);
  const original = new Map(
    series.files.map((f) => [
      parseDicomBytes(f, new Uint8Array(readFileSync(f))).dataSet.string('x00080018'),
      readFileSync(f),
    ]),
  );
  for (const f of pulled[0]!.files) {
    const bytes = readFileSync(f);
    const sop = parseDicomBytes(f, new Uint8Array(bytes)).dataSet.string('x00080018');
    const source = original.get(sop)!;
    assert.deepEqual(bytes, source);
  }
});

test('pacs run: pull → predict → SEG + SR stored in the same study, served back over WADO-RS', options, async () => {
  const before = await instanceCount();
  const out = join(dir, 'run-out');
  const r = runCli(['pacs', 'run', orthanc!.dicomweb, run, '--patient', 'PACS-0042', '-o', out, '--no-tta', '--json'], {
    timeoutMs: 240_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.study, series.studyUid);
  assert.equal(result.series, series.seriesUid);
  assert.deepEqual(result.verified, [result.seg.sopInstanceUid, result.sr.sopInstanceUid]);
  assert.ok(result.sr.findings >= 1);
  assert.equal(await instanceCount(), before + 2);

  const client = new DicomWebClient(orthanc!.dicomweb);
  const modalities = (await client.searchSeries(series.studyUid)).map((s) => jsonText(s, '00080060')).sort();
  assert.deepEqual(modalities, ['CT', 'SEG', 'SR']);
  // the SEG Orthanc serves is the one written, and it reads back onto the series
  const served = await client.retrieveInstance(
    series.studyUid,
    result.seg.seriesInstanceUid,
    result.seg.sopInstanceUid,
  );
  const local = new Uint8Array(readFileSync(result.seg.path));
  assert.deepEqual(Buffer.from(served), Buffer.from(local));
  const seg = await readSegmentation(parseDicomBytes('served', served));
  assert.equal(seg.referencedSeriesUid, series.seriesUid);
  assert.deepEqual(
    seg.segments.map((s) => s.label),
    ['nodule'],
  );
  const sr = await client.retrieveInstance(series.studyUid, result.sr.seriesInstanceUid, result.sr.sopInstanceUid);
  assert.match(Buffer.from(sr).toString('latin1'), new RegExp(result.seg.sopInstanceUid.replace(/\./g, '\\.')));
  assert.deepEqual(readdirSync(join(out, 'output')).sort(), [
    `${series.seriesUid}.seg.dcm`,
    `${series.seriesUid}.sr.dcm`,
  ]);
});

test('unreachable and refusing servers, bad files: one-line errors, nothing stored', options, async () => {
  const segs = readdirSync(join(dir, 'run-out', 'output')).map((f) => join(dir, 'run-out', 'output', f));
  const before = await instanceCount();
  // a file that is not DICOM among good ones: refused before anything is sent
  writeFileSync(join(dir, 'notes.dcm'), 'not dicom');
  await assert.rejects(
    pushFiles(new DicomWebClient(orthanc!.dicomweb), [...segs, join(dir, 'notes.dcm')]),
    /notes\.dcm: not a DICOM file/,
  );
  // files of two studies: refused before anything is sent
  const other = writeDiskSeries(join(dir, 'other'), 2, { patientId: 'OTHER' });
  await assert.rejects(
    pushFiles(new DicomWebClient(orthanc!.dicomweb), [...segs, other.files[0]!]),
    /belong to 2 studies/,
  );
  assert.equal(await instanceCount(), before);

  // nothing listens on a port just freed
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const down = runCli(['pacs', 'push', `http://127.0.0.1:${port}/dicom-web`, ...segs]);
  assert.equal(down.status, 1);
  assert.match(
    down.stderr,
    /^vesalius: http:\/\/127\.0\.0\.1:\d+\/dicom-web: POST \/studies\/[\d.]+: unreachable \(connection refused.*\n$/,
  );

  // a server that refuses every request
  const refusing = createServer((req, res) => {
    req.resume();
    res.writeHead(403, 'Forbidden').end('no access');
  });
  await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/dicom-web`;
  await assert.rejects(
    pushFiles(new DicomWebClient(url), segs),
    /refused: HTTP 403 Forbidden \(credentials: --token or --header\): no access/,
  );
  await assert.rejects(new DicomWebClient(url).searchStudies(), /GET \/studies refused: HTTP 403/);
  await new Promise<void>((r) => refusing.close(() => r()));

  // a study that is not there, and a run folder that is not one: errors before anything is retrieved
  const none = runCli(['pacs', 'run', orthanc!.dicomweb, run, '--study', '1.2.3.4', '-o', join(dir, 'none')]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no study with StudyInstanceUID 1\.2\.3\.4/);
  const norun = runCli([
    'pacs',
    'run',
    orthanc!.dicomweb,
    join(dir, 'series'),
    '--patient',
    'PACS-0042',
    '-o',
    join(dir, 'none'),
  ]);
  assert.equal(norun.status, 1);
  assert.match(norun.stderr, /not a run folder/);
  assert.equal(await instanceCount(), before);
});
