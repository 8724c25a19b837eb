import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../helpers/tmp.js';
import { readDicom } from '../../../src/io/dicom/index.js';
import { readCsaHeader } from '../../../src/io/dicom/mosaic.js';
import { csaHeader, writeDicom } from './write-dicom.js';

test('the CSA2 header reader returns every tag with its items', () => {
  const csa = readCsaHeader(csaHeader({ NumberOfImagesInMosaic: ['3'], SliceNormalVector: ['0', '0.6', '-0.8'] }));
  assert.deepEqual(csa.get('NumberOfImagesInMosaic'), ['3']);
  assert.deepEqual(csa.get('SliceNormalVector'), ['0', '0.6', '-0.8']);
});

test('a mosaic of 3 tiles (2×2 grid) becomes 3 slices placed by the centred-tile rule along the CSA normal', async () => {
  // 4×4 mosaic of 2×2 tiles; tile t holds value 10·t + pixel index
  const values = new Array(16).fill(0);
  for (let t = 0; t < 3; t++)
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 2; c++) values[(Math.floor(t / 2) * 2 + r) * 4 + (t % 2) * 2 + c] = 10 * t + 2 * r + c;
  const path = join(tempDir('vesalius-mosaic-'), 'mosaic.dcm');
  writeDicom(path, {
    rows: 4,
    columns: 4,
    values,
    position: [-100, -50, 20],
    orientation: [1, 0, 0, 0, 1, 0],
    pixelSpacing: [3, 2], // row spacing 3, column spacing 2
    extra: {
      ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'MOSAIC'],
      SpacingBetweenSlices: 5,
    },
    raw: {
      '00290010': { vr: 'LO', Value: ['SIEMENS CSA HEADER'] },
      // a descending slice order: the CSA normal points opposite to row × column
      '00291010': {
        vr: 'OB',
        Value: [csaHeader({ NumberOfImagesInMosaic: ['3'], SliceNormalVector: ['0', '0', '-1'] }).buffer],
      },
    },
  });
  const img = await readDicom(path);
  assert.deepEqual(img.shape, [2, 2, 3]);
  // first tile centred in the mosaic: + (4−2)/2 · 2 mm along x, + (4−2)/2 · 3 mm along y;
  // tiles go to −z, so sorted along +z the last tile (z = 20 − 10) comes first
  assert.deepEqual(img.origin, [-98, -47, 10]);
  assert.deepEqual(img.spacing, [2, 3, 5]);
  assert.deepEqual(Array.from(img.data), [20, 21, 22, 23, 10, 11, 12, 13, 0, 1, 2, 3]);
});
