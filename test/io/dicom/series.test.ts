import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../helpers/tmp.js';
import { indexToWorld } from '../../../src/io/image.js';
import { readDicom, readDicomFolder, scanDicomFolder } from '../../../src/io/dicom/index.js';
import { FileFormatError } from '../../../src/util/errors.js';
import { AXIAL, uid, writeDicom, type SliceSpec } from './write-dicom.js';

const r2 = Math.SQRT1_2;
// Oblique: rows run along (1,1,0)/√2, columns point to the feet; normal = row × column = (−1,1,0)/√2.
const OBLIQUE: [number, number, number, number, number, number] = [r2, r2, 0, 0, 0, -1];
const NORMAL: [number, number, number] = [-r2, r2, 0];

/** value(k, j, i) = 100k + 10j + i: each voxel says where it belongs. */
function sliceValues(k: number, rows: number, columns: number, base = 0): number[] {
  const v: number[] = [];
  for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) v.push(base + 100 * k + 10 * j + i);
  return v;
}

function near(actual: readonly number[], expected: readonly number[], tol = 1e-6, what = ''): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, n) => assert.ok(Math.abs(a - expected[n]!) <= tol, `${what}[${n}]: ${a} vs ${expected[n]}`));
}

test('an oblique series written in reverse, with shuffled names and instance numbers, is sorted along the normal', async () => {
  const dir = tempDir();
  const seriesUid = uid();
  const p0: [number, number, number] = [10, -20, 30];
  const step = 2.5;
  const rows = 3,
    columns = 4;
  const order = [3, 0, 4, 1, 2]; // file i holds slice order[i]
  const names = ['zz', 'a7', 'IM0003', 'b', '0001'];
  order.forEach((k, n) => {
    writeDicom(join(dir, names[n]!), {
      rows,
      columns,
      values: sliceValues(k, rows, columns),
      position: [p0[0] + k * step * NORMAL[0], p0[1] + k * step * NORMAL[1], p0[2] + k * step * NORMAL[2]],
      orientation: OBLIQUE,
      pixelSpacing: [0.7, 0.9],
      sliceThickness: 5, // must not be used as the spacing
      seriesUid,
      instanceNumber: 10 - k, // reversed: sorting by instance number would flip the volume
    });
  });
  const [series] = await scanDicomFolder(dir);
  assert.ok(series);
  assert.deepEqual(series.shape, [4, 3, 5]);
  near(series.spacing, [0.9, 0.7, 2.5], 1e-6, 'spacing');
  near(series.origin, p0, 1e-6, 'origin');
  // columns of the direction matrix: i = row cosine, j = column cosine, k = normal
  near(series.direction, [r2, 0, -r2, r2, 0, r2, 0, -1, 0], 1e-6, 'direction');
  assert.equal(series.oblique, true);
  assert.deepEqual(series.warnings, []);

  const img = await readDicom(dir);
  assert.ok(img.data instanceof Uint16Array);
  for (let k = 0; k < 5; k++)
    for (let j = 0; j < rows; j++)
      for (let i = 0; i < columns; i++) assert.equal(img.data[i + columns * (j + rows * k)], 100 * k + 10 * j + i);
  // voxel (i, j, k) = p0 + i·0.9·row + j·0.7·col + k·2.5·normal, worked out by hand for (3, 2, 4)
  const expected = [10 + 3 * 0.9 * r2 + 4 * 2.5 * -r2, -20 + 3 * 0.9 * r2 + 4 * 2.5 * r2, 30 - 2 * 0.7];
  near(indexToWorld(img, [3, 2, 4]), expected, 1e-6, 'world(3,2,4)');
});

function axialSeries(dir: string, zs: number[], extra: Partial<SliceSpec> = {}): string {
  const seriesUid = extra.seriesUid ?? uid();
  zs.forEach((z, n) =>
    writeDicom(join(dir, `f${n}.dcm`), {
      rows: 2,
      columns: 2,
      values: sliceValues(n, 2, 2),
      position: [0, 0, z],
      orientation: AXIAL,
      pixelSpacing: [1, 1],
      seriesUid,
      instanceNumber: n + 1,
      ...extra,
    }),
  );
  return seriesUid;
}

test('a gap in slice positions is reported and the median spacing kept', async () => {
  const dir = tempDir();
  axialSeries(dir, [0, 1, 2, 4, 5, 6]);
  const [s] = await scanDicomFolder(dir);
  assert.equal(s!.spacing[2], 1);
  assert.deepEqual(s!.shape, [2, 2, 6]);
  assert.equal(s!.warnings.length, 1);
  assert.match(s!.warnings[0]!, /1 gap\(s\).*about 1 slice\(s\) missing/);
  const img = await readDicom(dir);
  assert.match(String(img.meta.warnings), /gap/);
});

test('non-uniform spacing without a gap is reported; spacing is first-to-last over n-1', async () => {
  const dir = tempDir();
  axialSeries(dir, [0, 1, 2.3, 3, 4]);
  const [s] = await scanDicomFolder(dir);
  assert.equal(s!.spacing[2], 1);
  assert.ok(Math.abs(s!.maxSliceDeviation - 0.3) < 1e-9);
  assert.match(s!.warnings.join(), /non-uniform slice spacing/);
});

test('positions rounded in the header (jitter of 0.05 mm) give the exact mean spacing and no warning', async () => {
  const dir = tempDir();
  axialSeries(dir, [0, 3.05, 6.0, 9.05, 12.0, 15.0]);
  const [s] = await scanDicomFolder(dir);
  assert.equal(s!.spacing[2], 3);
  assert.deepEqual(s!.warnings, []);
});

test('duplicate positions are reported and the first by instance number kept', async () => {
  const dir = tempDir();
  const seriesUid = axialSeries(dir, [0, 1, 2]);
  writeDicom(join(dir, 'dup.dcm'), {
    rows: 2,
    columns: 2,
    values: [7, 7, 7, 7],
    position: [0, 0, 1],
    orientation: AXIAL,
    pixelSpacing: [1, 1],
    seriesUid,
    instanceNumber: 99,
  });
  const [s] = await scanDicomFolder(dir);
  assert.deepEqual(s!.shape, [2, 2, 3]);
  assert.match(s!.warnings.join(), /1 frame\(s\) at duplicate slice positions/);
  const img = await readDicom(dir);
  assert.deepEqual(Array.from(img.data.subarray(4, 8)), [100, 101, 110, 111]);
});

test('the same positions repeated for every time point make a 4D image ordered by time', async () => {
  const dir = tempDir();
  const seriesUid = uid();
  for (let t = 0; t < 3; t++)
    for (let k = 0; k < 2; k++)
      writeDicom(join(dir, `t${2 - t}k${k}`), {
        rows: 2,
        columns: 2,
        values: [1000 * t + k, 0, 0, 0],
        position: [0, 0, 5 * k],
        orientation: AXIAL,
        pixelSpacing: [1, 1],
        seriesUid,
        temporalPosition: t + 1,
        instanceNumber: 50 - (t * 2 + k),
      });
  const img = await readDicom(dir);
  assert.deepEqual(img.shape, [2, 2, 2, 3]);
  assert.deepEqual(img.spacing, [1, 1, 5]);
  for (let t = 0; t < 3; t++) for (let k = 0; k < 2; k++) assert.equal(img.data[4 * (k + 2 * t)], 1000 * t + k);
});

test('two series in one folder: scan lists both, readDicomFolder reads both, readDicom refuses and names them', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'sub'));
  axialSeries(dir, [0, 1, 2], { description: 'first' });
  axialSeries(join(dir, 'sub'), [0, 2], { description: 'second' });
  const series = await scanDicomFolder(dir);
  assert.equal(series.length, 2);
  assert.deepEqual(series.map((s) => s.shape[2]).sort(), [2, 3]);
  const images = await readDicomFolder(dir);
  assert.deepEqual(images.map((i) => [i.meta.seriesDescription, i.meta.path, i.shape[2]]).sort(), [
    ['first', dir, 3],
    ['second', join(dir, 'sub'), 2],
  ]);
  await assert.rejects(readDicom(dir), (e: unknown) => {
    assert.ok(e instanceof FileFormatError);
    assert.match(e.message, /holds 2 series/);
    assert.match(e.message, /"first"/);
    assert.match(e.message, /"second"/);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
});

test('slices of one series with different orientations or sizes are split', async () => {
  const dir = tempDir();
  const seriesUid = axialSeries(dir, [0, 1, 2]);
  writeDicom(join(dir, 'sag.dcm'), {
    rows: 2,
    columns: 2,
    values: [1, 2, 3, 4],
    position: [0, 0, 0],
    orientation: [0, 1, 0, 0, 0, -1],
    pixelSpacing: [1, 1],
    seriesUid,
  });
  writeDicom(join(dir, 'big.dcm'), {
    rows: 3,
    columns: 3,
    values: new Array(9).fill(1),
    position: [0, 0, 0],
    orientation: AXIAL,
    seriesUid,
  });
  const series = await scanDicomFolder(dir);
  assert.equal(series.length, 3);
  assert.ok(series.every((s) => s.uid === seriesUid));
  assert.equal(new Set(series.map((s) => s.key)).size, 3);
});

test('a single slice is a 2D image (k = 1)', async () => {
  const dir = tempDir();
  axialSeries(dir, [42], { sliceThickness: 3 });
  const img = await readDicom(join(dir, 'f0.dcm'));
  assert.deepEqual(img.shape, [2, 2, 1]);
  assert.deepEqual(img.origin, [0, 0, 42]);
  assert.equal(img.spacing[2], 3);
});

test('a series assembles the same from implicit VR files', async () => {
  const dir = tempDir();
  axialSeries(dir, [0, 1.5, 3], { transferSyntaxUid: '1.2.840.10008.1.2' });
  const img = await readDicom(dir);
  assert.deepEqual(img.shape, [2, 2, 3]);
  assert.equal(img.spacing[2], 1.5);
  assert.deepEqual(Array.from(img.data), [0, 1, 10, 11, 100, 101, 110, 111, 200, 201, 210, 211]);
});

test('scanning an enhanced multi-frame file whose header is longer than the 256 KB head still finds every frame', async () => {
  const dir = tempDir();
  const frames = 2500;
  writeDicom(join(dir, 'long-header.dcm'), {
    rows: 1,
    columns: 1,
    values: Array.from({ length: frames }, (_, f) => f),
    extra: {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.4.1',
      NumberOfFrames: frames,
      SharedFunctionalGroupsSequence: [
        {
          PlaneOrientationSequence: [{ ImageOrientationPatient: AXIAL }],
          PixelMeasuresSequence: [{ PixelSpacing: [1, 1] }],
        },
      ],
      PerFrameFunctionalGroupsSequence: Array.from({ length: frames }, (_, f) => ({
        PlanePositionSequence: [{ ImagePositionPatient: [0, 0, 0.5 * (frames - 1 - f)] }],
        PixelValueTransformationSequence: [{ RescaleSlope: 1, RescaleIntercept: 0, RescaleType: 'US' }],
      })),
    },
  });
  const [s] = await scanDicomFolder(dir);
  assert.deepEqual(s!.shape, [1, 1, frames]);
  assert.equal(s!.spacing[2], 0.5);
  const img = await readDicom(dir);
  // stored in descending z: sorted ascending, voxel k holds frame frames−1−k
  assert.equal(img.data[0], frames - 1);
  assert.equal(img.data[frames - 1], 0);
});

test('magnitude and phase images of one series are split; orientation noise under 1e-3 is not', async () => {
  const dir = tempDir();
  const seriesUid = uid();
  for (const [n, type] of ['M', 'P'].entries())
    for (let k = 0; k < 3; k++)
      writeDicom(join(dir, `${type}${k}`), {
        rows: 2,
        columns: 2,
        values: [k, k, k, k],
        position: [0, 0, 2 * k],
        // tiny differences in the written cosines, as scanners produce them
        orientation: [1, 0.0004 * k, 0, -0.0004 * k, 1, 0.0002 * n],
        pixelSpacing: [1, 1],
        seriesUid,
        extra: { ImageType: ['ORIGINAL', 'PRIMARY', type, 'ND'] },
      });
  const series = await scanDicomFolder(dir);
  assert.equal(series.length, 2);
  assert.deepEqual(
    series.map((s) => s.shape),
    [
      [2, 2, 3],
      [2, 2, 3],
    ],
  );
  assert.ok(series.some((s) => /image type M/.test(s.key)) && series.some((s) => /image type P/.test(s.key)));
});

test('a sheared stack (gantry tilt) is reported and k follows the slice positions exactly', async () => {
  const dir = tempDir();
  const seriesUid = uid();
  // axial slices, each 2 mm higher and 0.5 mm further posterior: tilted 14.04° off the normal
  for (let k = 0; k < 4; k++)
    writeDicom(join(dir, `s${k}`), {
      rows: 2,
      columns: 2,
      values: [k, k, k, k],
      position: [10, 20 + 0.5 * k, 30 + 2 * k],
      orientation: AXIAL,
      pixelSpacing: [1, 1],
      seriesUid,
    });
  const [s] = await scanDicomFolder(dir);
  assert.match(s!.warnings.join(), /sheared \(stacked 14\.036 degrees off the slice normal/);
  const img = await readDicom(dir);
  near(img.spacing, [1, 1, Math.hypot(0.5, 2)], 1e-9, 'spacing');
  for (let k = 0; k < 4; k++) near(indexToWorld(img, [0, 0, k]), [10, 20 + 0.5 * k, 30 + 2 * k], 1e-9, `slice ${k}`);
});

test('slices with different pixel spacing are assembled with a warning naming both', async () => {
  const dir = tempDir();
  const seriesUid = axialSeries(dir, [0, 1]);
  writeDicom(join(dir, 'other.dcm'), {
    rows: 2,
    columns: 2,
    values: [0, 0, 0, 0],
    position: [0, 0, 2],
    orientation: AXIAL,
    pixelSpacing: [1, 1.5],
    seriesUid,
  });
  const [s] = await scanDicomFolder(dir);
  assert.deepEqual(s!.shape, [2, 2, 3]);
  assert.match(s!.warnings.join(), /Pixel Spacing differs between slices \(1\\1 and 1\\1\.5\)/);
});

test('two slices whose positions are rounded in the header are not mistaken for a tilted stack', async () => {
  const dir = tempDir();
  // written to 0.1 mm: the second slice is 0.05 mm off in-plane, not a gantry tilt
  const seriesUid = uid();
  writeDicom(join(dir, 'a'), {
    rows: 2,
    columns: 2,
    values: [0, 0, 0, 0],
    position: [0, 0, 0],
    orientation: AXIAL,
    pixelSpacing: [1, 1],
    seriesUid,
  });
  writeDicom(join(dir, 'b'), {
    rows: 2,
    columns: 2,
    values: [0, 0, 0, 0],
    position: [0.05, 0, 5],
    orientation: AXIAL,
    pixelSpacing: [1, 1],
    seriesUid,
  });
  const [s] = await scanDicomFolder(dir);
  assert.deepEqual(s!.warnings, []);
  assert.deepEqual(s!.direction, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
});
