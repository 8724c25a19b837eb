// DICOM SEG written from a label's own geometry and read back: the same voxels at the same patient
// positions, for series whose geometry a file-order writer would get wrong (flipped cosines, oblique,
// sagittal, reversed stacking, multi-frame, 2D), checked against pydicom and dciodvfy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDicom } from '../../../src/io/dicom/index.js';
import { readDicomSeg } from '../../../src/io/dicom/seg/read.js';
import { writeDicomSeg } from '../../../src/io/dicom/seg/write.js';
import { worldToIndex } from '../../../src/io/geometry.js';
import { createImage, type Image } from '../../../src/io/image.js';
import { type SeriesSpec, rotatedCosines, writeSeries } from '../../helpers/dicom-series.js';
import { hasCommand, hasPythonModules, referenceTest } from '../../helpers/reference.js';
import { pydicomSegFrames } from '../../helpers/seg-pydicom.js';
import { tempDir } from '../../helpers/tmp.js';
import { assertSamePlaces } from '../../helpers/label-places.js';

const base: SeriesSpec = {
  rows: 10,
  columns: 12,
  slices: 6,
  row: [1, 0, 0],
  column: [0, 1, 0],
  pixelSpacing: [0.8, 0.6],
  step: 2.5,
  origin: [-40, 30, 12],
};
const oblique = rotatedCosines([0.3, -0.5, 0.8], 27);

export const GEOMETRIES: Record<string, Partial<SeriesSpec>> = {
  axial: {},
  'flipped row and column cosines': { row: [-1, 0, 0], column: [0, -1, 0] },
  oblique: { row: oblique.row, column: oblique.column },
  sagittal: { row: [0, 1, 0], column: [0, 0, -1] },
  coronal: { row: [1, 0, 0], column: [0, 0, -1], step: -3 },
  'reversed stacking': { step: -1.5 },
  'enhanced multi-frame, oblique': { row: oblique.row, column: oblique.column, multiframe: true },
  '2D single slice': { slices: 1 },
};

/** Segment 1 a ball, 2 a box, 3 named but empty. */
export function labelOn(grid: Image): Image {
  const [ni, nj, nk] = grid.shape as [number, number, number];
  const data = new Uint8Array(ni * nj * nk);
  for (let k = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++) {
        const v = i + ni * (j + nj * k);
        if ((i - 4) ** 2 + (j - 5) ** 2 + (k - 2) ** 2 * 2 < 9) data[v] = 1;
        else if (i >= 8 && j <= 2 && k >= Math.min(1, nk - 1)) data[v] = 2;
      }
  return createImage(data, [ni, nj, nk], { spacing: grid.spacing, origin: grid.origin, direction: grid.direction });
}

const SEGMENTS = [
  { number: 1, label: 'liver' },
  { number: 2, label: 'left kidney' },
  { number: 3, label: 'nodule' },
];

for (const [name, change] of Object.entries(GEOMETRIES)) {
  test(`SEG round trip: ${name}`, async () => {
    const dir = tempDir();
    writeSeries(join(dir, 'series'), { ...base, ...change });
    const series = await readDicom(join(dir, 'series'));
    const label = labelOn(series);
    const out = join(dir, 'seg.dcm');
    const written = await writeDicomSeg(label, join(dir, 'series'), out, { segments: SEGMENTS });
    assert.deepEqual(
      written.segments.map((s) => [s.number, s.empty]),
      [
        [1, false],
        [2, false],
        [3, true],
      ],
    );
    const back = await readDicomSeg(out);
    assertSamePlaces(label, back.image);
    // on the reference grid the voxels come back exactly
    const onGrid = await readDicomSeg(out, { reference: series });
    assert.deepEqual(Array.from(onGrid.image.data), Array.from(label.data));
    assert.deepEqual(
      back.segments.map((s) => [s.number, s.label, s.type?.meaning, s.typeModifier?.meaning]),
      [
        [1, 'liver', 'Liver', undefined],
        [2, 'left kidney', 'Kidney', 'Left'],
        [3, 'nodule', 'Nodule', undefined],
      ],
    );
    // LABELMAP of the same label
    const lm = await writeDicomSeg(label, join(dir, 'series'), join(dir, 'labelmap.dcm'), {
      type: 'LABELMAP',
      segments: SEGMENTS,
    });
    assert.equal(lm.dataset.SOPClassUID, '1.2.840.10008.5.1.4.1.1.66.7');
    assertSamePlaces(label, (await readDicomSeg(join(dir, 'labelmap.dcm'))).image);
  });
}

test('overlapping masks are BINARY segments that overlap; LABELMAP refuses them', async () => {
  const dir = tempDir();
  writeSeries(join(dir, 'series'), { ...base, row: oblique.row, column: oblique.column });
  const series = await readDicom(join(dir, 'series'));
  const [ni, nj, nk] = series.shape as [number, number, number];
  const n = ni * nj * nk;
  const masks = new Uint8Array(2 * n);
  for (let v = 0; v < n; v++) {
    const i = v % ni;
    if (i < 7) masks[v] = 1; // whole tumour
    if (i >= 4 && i < 9) masks[n + v] = 1; // enhancing part, overlapping
  }
  const label = createImage(masks, [ni, nj, nk, 2], series);
  const out = join(dir, 'seg.dcm');
  const written = await writeDicomSeg(label, join(dir, 'series'), out, {
    segments: [
      { number: 1, label: 'tumor' },
      { number: 2, label: 'necrosis' },
    ],
  });
  assert.equal(written.dataset.SegmentsOverlap, 'YES');
  const back = await readDicomSeg(out, { reference: series, masks: true });
  assert.equal(back.overlapping, true);
  assert.deepEqual(Array.from(back.masks!.data), Array.from(masks));
  await assert.rejects(
    writeDicomSeg(label, join(dir, 'series'), join(dir, 'lm.dcm'), { type: 'LABELMAP' }),
    /overlapping masks cannot be a LABELMAP/,
  );
});

test('a label given in another axis order (RAS, as converters write) is mapped exactly onto the series', async () => {
  const dir = tempDir();
  writeSeries(join(dir, 'series'), base);
  const series = await readDicom(join(dir, 'series'));
  const label = labelOn(series);
  const { reorient } = await import('../../../src/io/reorient.js');
  const ras = reorient(label, 'RAS');
  assert.notDeepEqual(ras.direction, label.direction);
  const written = await writeDicomSeg(ras, join(dir, 'series'), join(dir, 'seg.dcm'), { segments: SEGMENTS });
  assert.deepEqual(Array.from(written.label.data), Array.from(label.data));
});

test('bad references and labels: clear errors, nothing written', async () => {
  const dir = tempDir();
  writeSeries(join(dir, 'tilted'), { ...base, shear: [0, 0.6, 0] });
  writeSeries(join(dir, 'series'), base);
  const series = await readDicom(join(dir, 'series'));
  const label = labelOn(series);
  const tilted = await readDicom(join(dir, 'tilted'));
  await assert.rejects(writeDicomSeg(labelOn(tilted), join(dir, 'tilted'), join(dir, 'a.dcm')), /gantry-tilted/);
  const shifted = { ...label, origin: [label.origin[0] + 5, label.origin[1], label.origin[2]] as typeof label.origin };
  await assert.rejects(
    writeDicomSeg(shifted, join(dir, 'series'), join(dir, 'b.dcm')),
    /does not lie on the reference series' grid/,
  );
  const small = createImage(new Uint8Array(4), [2, 2, 1], series);
  await assert.rejects(
    writeDicomSeg(small, join(dir, 'series'), join(dir, 'c.dcm')),
    /does not lie on the reference series' grid/,
  );
  // a SEG is no image series to reference
  await writeDicomSeg(label, join(dir, 'series'), join(dir, 'segs', 'ok.dcm'));
  await assert.rejects(
    writeDicomSeg(label, join(dir, 'segs'), join(dir, 'd.dcm')),
    /no DICOM image series to reference \(1 × DICOM SEG/,
  );
  await assert.rejects(writeDicomSeg(label, join(dir, 'missing'), join(dir, 'e.dcm')), /no such file or folder/);
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(dir).sort(), ['segs', 'series', 'tilted']);
});

for (const name of ['oblique', 'enhanced multi-frame, oblique', 'sagittal']) {
  referenceTest(
    `pydicom reads the SEG frames at the label's positions, from the right source slice (${name})`,
    hasPythonModules('pydicom'),
    'python3-pydicom',
    async () => {
      const dir = tempDir();
      const written = writeSeries(join(dir, 'series'), { ...base, ...GEOMETRIES[name] });
      const series = await readDicom(join(dir, 'series'));
      const label = labelOn(series);
      await writeDicomSeg(label, join(dir, 'series'), join(dir, 'seg.dcm'), { segments: SEGMENTS });
      const py = pydicomSegFrames(join(dir, 'seg.dcm'));
      const d = label.direction;
      py.orientation.forEach((v, i) => assert.ok(Math.abs(v - [d[0], d[3], d[6], d[1], d[4], d[7]][i]!) < 1e-9));
      const [ni, nj] = label.shape as [number, number];
      assert.equal(py.columns, ni);
      assert.equal(py.rows, nj);
      const framesPerSegment = new Map<number, number>();
      for (const f of py.frames) {
        const [i, j, k] = worldToIndex(label, f.position);
        assert.ok(Math.abs(i!) < 1e-6 && Math.abs(j!) < 1e-6, `frame origin at the first voxel of a slice: ${[i, j]}`);
        const slice = Math.round(k!);
        assert.ok(Math.abs(k! - slice) < 1e-6);
        // the source named is the instance (and frame) the series has at that position
        assert.equal(f.source, written.instanceOfSlice[slice]);
        if (written.frameOfSlice) assert.equal(f.frame, written.frameOfSlice[slice]);
        const expected: number[] = [];
        for (let p = 0; p < ni * nj; p++) if (label.data[slice * ni * nj + p] === f.segment) expected.push(p);
        assert.deepEqual(f.pixels, expected, `segment ${f.segment} slice ${slice}`);
        framesPerSegment.set(f.segment, (framesPerSegment.get(f.segment) ?? 0) + 1);
      }
      assert.equal(framesPerSegment.get(3), 1, 'the empty segment keeps one (empty) frame');
    },
  );
}

referenceTest(
  'dciodvfy finds no error in BINARY SEGs of every geometry',
  hasCommand('dciodvfy'),
  'dciodvfy (Debian dicom3tools)',
  async () => {
    for (const [name, change] of Object.entries(GEOMETRIES)) {
      const dir = tempDir();
      writeSeries(join(dir, 'series'), { ...base, ...change });
      const series = await readDicom(join(dir, 'series'));
      await writeDicomSeg(labelOn(series), join(dir, 'series'), join(dir, 'seg.dcm'), { segments: SEGMENTS });
      const r = spawnSync('dciodvfy', [join(dir, 'seg.dcm')], { encoding: 'utf8' });
      const report = `${r.stdout}${r.stderr}`;
      assert.doesNotMatch(report, /^Error/m, `${name}:\n${report}`);
      assert.doesNotMatch(report, /^Warning/m, `${name}:\n${report}`);
    }
  },
);
