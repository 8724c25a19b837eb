// `convert LABEL OUT.dcm --reference DIR` and back, `info` on a SEG, and the one-line refusals.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDicom } from '../../src/io/dicom/index.js';
import { createImage } from '../../src/io/image.js';
import { readImage } from '../../src/io/read.js';
import { reorient } from '../../src/io/reorient.js';
import { writeImage } from '../../src/io/write.js';
import { runCli } from '../helpers/cli.js';
import { rotatedCosines, writeSeries } from '../helpers/dicom-series.js';
import { tempDir } from '../helpers/tmp.js';

test('convert: a RAS NIfTI label → SEG of an oblique series → NIfTI on the series grid, voxel for voxel', async () => {
  const dir = tempDir();
  const { row, column } = rotatedCosines([1, 2, 3], 20);
  writeSeries(join(dir, 'series'), {
    rows: 9,
    columns: 11,
    slices: 5,
    row,
    column,
    pixelSpacing: [0.7, 0.9],
    step: -2,
    origin: [3, 4, 5],
  });
  const series = await readDicom(join(dir, 'series'));
  const data = Uint8Array.from(series.data, (v, i) => (i % 7 === 0 ? 2 : (v as number) % 5 === 0 ? 1 : 0));
  const label = createImage(data, series.shape, series);
  await writeImage(reorient(label, 'RAS'), join(dir, 'label.nii.gz'));
  const seg = runCli([
    'convert',
    join(dir, 'label.nii.gz'),
    join(dir, 'label.dcm'),
    '--reference',
    join(dir, 'series'),
  ]);
  assert.equal(seg.status, 0, seg.stderr);
  assert.match(
    seg.stderr,
    /^wrote .*label\.dcm \(BINARY SEG, 2 segment\(s\), \d+ frame\(s\), referencing series [\d.]+\)\n$/,
  );
  const back = runCli([
    'convert',
    join(dir, 'label.dcm'),
    join(dir, 'back.nii.gz'),
    '--reference',
    join(dir, 'series'),
  ]);
  assert.equal(back.status, 0, back.stderr);
  const image = await readImage(join(dir, 'back.nii.gz'));
  assert.deepEqual(Array.from(image.data), Array.from(data));
  const info = runCli(['info', join(dir, 'label.dcm')]);
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, /segments {3}1=Segment 1; 2=Segment 2/);
});

test('convert to .dcm without --reference, onto a grid it does not fit, or onto an SR: one line, no file', async () => {
  const dir = tempDir();
  writeSeries(join(dir, 'series'), {
    rows: 6,
    columns: 6,
    slices: 3,
    row: [1, 0, 0],
    column: [0, 1, 0],
    pixelSpacing: [1, 1],
    step: 1,
    origin: [0, 0, 0],
  });
  await writeImage(createImage(new Uint8Array(7 * 6 * 3).fill(1), [7, 6, 3]), join(dir, 'wide.nii.gz'));
  const none = runCli(['convert', join(dir, 'wide.nii.gz'), join(dir, 'a.dcm')]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^vesalius: --reference: writing a DICOM SEG needs the series it segments/);
  const off = runCli(['convert', join(dir, 'wide.nii.gz'), join(dir, 'b.dcm'), '--reference', join(dir, 'series')]);
  assert.equal(off.status, 1);
  assert.match(
    off.stderr,
    /^vesalius: label does not lie on the reference series' grid \(label: shape \[7, 6, 3\].*series: shape \[6, 6, 3\].*--resample.*\n$/,
  );
  const type = runCli([
    'convert',
    join(dir, 'wide.nii.gz'),
    join(dir, 'c.dcm'),
    '--reference',
    join(dir, 'series'),
    '--type',
    'fractional',
  ]);
  assert.match(type.stderr, /^vesalius: --type: must be binary or labelmap/);
  for (const f of ['a.dcm', 'b.dcm', 'c.dcm']) assert.equal(existsSync(join(dir, f)), false);
  const resampled = runCli([
    'convert',
    join(dir, 'wide.nii.gz'),
    join(dir, 'd.dcm'),
    '--reference',
    join(dir, 'series'),
    '--resample',
  ]);
  assert.equal(resampled.status, 0, resampled.stderr);
});
