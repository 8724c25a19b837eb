import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readDicom, scanDicomFolderWithSkipped } from '../../../src/io/dicom/index.js';
import { detectFormat } from '../../../src/io/format.js';
import { readImage } from '../../../src/io/read.js';
import { sharedData } from '../../helpers/data.js';
import { hasPythonModules, referenceTest } from '../../helpers/reference.js';
import { tempDir } from '../../helpers/tmp.js';
import { oneLineError } from './one-line-error.js';
import {
  assertFilesSameAsPydicom,
  assertSameAsPydicom,
  hasPydicom,
  PYDICOM_WHAT,
  pydicomVolumes,
} from './pydicom-reference.js';
import { AXIAL, csaHeader, dicomBytes, uid } from './write-dicom.js';

const dir = tempDir('vesalius-gzip-');
const gz = (name: string, bytes: Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, gzipSync(bytes));
  return path;
};

/** An Enhanced MR image of 3 frames: per-frame positions (descending) and rescale slopes. */
const enhanced = dicomBytes({
  rows: 3,
  columns: 4,
  values: Array.from({ length: 36 }, (_, i) => i * 37),
  sopClassUid: '1.2.840.10008.5.1.4.1.1.4.1',
  extra: {
    NumberOfFrames: 3,
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: [0, 1, 0, 0, 0, -1] }],
        PixelMeasuresSequence: [{ PixelSpacing: [1.5, 0.75], SliceThickness: 4 }],
      },
    ],
    PerFrameFunctionalGroupsSequence: [0, 1, 2].map((f) => ({
      PlanePositionSequence: [{ ImagePositionPatient: [30 - 4 * f, -20, 10] }],
      PixelValueTransformationSequence: [{ RescaleSlope: f + 1, RescaleIntercept: -5, RescaleType: 'US' }],
    })),
  },
});

/** A Siemens mosaic: 3 tiles of 2×2 in a 4×4 frame, the CSA header giving their count and normal. */
const mosaic = dicomBytes({
  rows: 4,
  columns: 4,
  values: Array.from({ length: 16 }, (_, i) => 100 + i),
  position: [-100, -50, 20],
  orientation: AXIAL,
  pixelSpacing: [3, 2],
  extra: { ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'MOSAIC'], SpacingBetweenSlices: 5 },
  raw: {
    '00290010': { vr: 'LO', Value: ['SIEMENS CSA HEADER'] },
    '00291010': {
      vr: 'OB',
      Value: [csaHeader({ NumberOfImagesInMosaic: ['3'], SliceNormalVector: ['0', '0', '1'] }).buffer],
    },
  },
});

const files = {
  enhanced: gz('enhanced.dcm.gz', enhanced),
  mosaic: gz('mosaic.dcm.gz', mosaic),
  // no name to go by: found by its gzip magic and the DICOM dataset inside
  unnamed: gz('enhanced-without-ending', enhanced),
};

referenceTest(
  'gzip-compressed DICOM (an enhanced multi-frame MR, a Siemens mosaic) reads as pydicom reads the same files',
  hasPydicom() && hasPythonModules('nibabel'),
  `${PYDICOM_WHAT} and nibabel`,
  async () => {
    await assertFilesSameAsPydicom(files);
    assert.equal(detectFormat(files.unnamed), 'dicom');
    // the same image as the uncompressed file
    const plain = join(dir, 'enhanced.dcm');
    writeFileSync(plain, enhanced);
    const [a, b] = [await readDicom(plain), await readDicom(files.enhanced)];
    assert.deepEqual([b.shape, b.spacing, b.origin, b.direction], [a.shape, a.spacing, a.origin, a.direction]);
    assert.deepEqual(b.data, a.data);
    const tiles = await readDicom(files.mosaic);
    assert.deepEqual(tiles.shape, [2, 2, 3]);
  },
);

test('a DICOM folder of .dcm.gz slices is scanned as a series; other gzip files in it are skipped', async () => {
  const folder = tempDir('vesalius-gzip-series-');
  const series = uid();
  for (let k = 0; k < 3; k++) {
    const bytes = dicomBytes({
      rows: 2,
      columns: 2,
      values: [k, k + 10, k + 20, k + 30],
      position: [0, 0, 2 * k],
      orientation: AXIAL,
      pixelSpacing: [1, 1],
      seriesUid: series,
      instanceNumber: 3 - k,
    });
    writeFileSync(join(folder, `slice${k}.dcm.gz`), gzipSync(bytes));
  }
  writeFileSync(join(folder, 'labels.nii.gz'), gzipSync(Buffer.alloc(4096, 3)));
  const { series: found, skipped } = await scanDicomFolderWithSkipped(folder);
  assert.equal(found.length, 1);
  assert.deepEqual(found[0]!.shape, [2, 2, 3]);
  assert.deepEqual(
    skipped.map((s) => s.reason),
    ['not a DICOM file (gzip-compressed, and no DICOM dataset inside)'],
  );
  const image = await readImage(folder);
  assert.deepEqual(Array.from(image.data), [0, 10, 20, 30, 1, 11, 21, 31, 2, 12, 22, 32]);
  assert.deepEqual(image.spacing, [1, 1, 2]);
});

test('a truncated .dcm.gz is a one-line error naming the file', async () => {
  const whole = gzipSync(enhanced);
  for (const keep of [whole.length - 20, 30]) {
    const path = join(dir, `cut-${keep}.dcm.gz`);
    writeFileSync(path, whole.subarray(0, keep));
    await assert.rejects(readImage(path), oneLineError(path, /gzip-compressed file is truncated/));
  }
});

const realMosaic = sharedData('dicom-samples', 'transfer-syntax', 'dcm_qa_ts', 'In', '1.dcm');
const realEnhanced = sharedData('dicom-samples', 'multiframe', 'pydicom-data', 'emri_small.dcm');
referenceTest(
  'real files gzip-compressed (a Siemens EPI mosaic, an enhanced MR) read as uncompressed, and as pydicom reads them',
  hasPydicom() && hasPythonModules('nibabel'),
  `${PYDICOM_WHAT} and nibabel`,
  async () => {
    const pairs = [realMosaic!, realEnhanced!].map((plain, i) => ({
      plain,
      zipped: gz(`real${i}.dcm.gz`, readFileSync(plain)),
    }));
    const refs = pydicomVolumes(pairs.map((p) => p.zipped));
    for (const [i, { plain, zipped }] of pairs.entries()) {
      const [a, b] = [await readImage(plain), await readImage(zipped)];
      assert.deepEqual([b.shape, b.spacing, b.origin, b.direction], [a.shape, a.spacing, a.origin, a.direction]);
      assert.deepEqual(b.data, a.data);
      assertSameAsPydicom(b, refs[i]!, zipped);
    }
  },
  {
    skip:
      realMosaic && realEnhanced
        ? false
        : 'real data dicom-samples (dcm_qa_ts, pydicom-data) not found (set VESALIUS_DATA or place ../shared/data)',
  },
);
