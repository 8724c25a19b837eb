import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCodecs } from '../../../src/io/dicom/codecs.js';
import { decodeFramesOf } from '../../../src/io/dicom/decode-file.js';
import { decodeInWorkers } from '../../../src/io/dicom/decode-pool.js';
import { parseDicomBytes } from '../../../src/io/dicom/parse.js';
import { readFrameInfo } from '../../../src/io/dicom/pixel-module.js';
import { readBytes } from '../../../src/io/dicom/scan.js';
import { FileFormatError } from '../../../src/util/errors.js';
import { sharedData, skipUnlessData } from '../../helpers/data.js';

const CT = ['dicom-samples', 'series', 'totalsegmentator-ct-20slices', 'dicom'];

test('worker threads decode JPEG 2000 files to exactly what this thread decodes', skipUnlessData(...CT), async () => {
  const dir = sharedData(...CT)!;
  const paths = readdirSync(dir)
    .slice(0, 6)
    .map((f) => join(dir, f));
  await loadCodecs();
  const jobs = [];
  const expected: number[][] = [];
  for (const path of paths) {
    const parsed = parseDicomBytes(path, await readBytes(path));
    const frames = [{ frame: 0, framesInFile: 1, info: readFrameInfo(path, parsed.dataSet) }];
    jobs.push({ path, frames });
    expected.push(Array.from(decodeFramesOf(parsed, frames).get(frames[0]!)!));
  }
  const results = await decodeInWorkers(jobs, 2);
  results.forEach((r, i) => assert.deepEqual(Array.from(r[0]!), expected[i], paths[i]));
});

test('a file a worker cannot read comes back as a FileFormatError naming it', async () => {
  const info = {
    rows: 1,
    columns: 1,
    samplesPerPixel: 1,
    bitsAllocated: 8,
    bitsStored: 8,
    highBit: 7,
    pixelRepresentation: 0,
    photometricInterpretation: 'MONOCHROME2',
    planarConfiguration: 0,
  };
  await assert.rejects(
    decodeInWorkers([{ path: '/nonexistent/x.dcm', frames: [{ frame: 0, framesInFile: 1, info }] }], 1),
    (e: unknown) => {
      assert.ok(e instanceof FileFormatError);
      assert.match(e.message, /^\/nonexistent\/x\.dcm: cannot read/);
      return true;
    },
  );
});
