import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readDicom } from '../../../src/io/dicom/index.js';
import { detectFormat } from '../../../src/io/format.js';
import { referenceTest } from '../../helpers/reference.js';
import { tempDir } from '../../helpers/tmp.js';
import { assertFilesSameAsPydicom, hasPydicom, PYDICOM_WHAT } from './pydicom-reference.js';
import { dicomBytes, type SliceSpec, uid } from './write-dicom.js';

const VALUES = [1, 2, 300, 4000, 50000, 65535];
const OBLIQUE: SliceSpec['orientation'] = [0.8, 0.6, 0, 0, 0, -1];

/** A Part 10 file in a transfer syntax, with the 128-byte preamble and 'DICM' cut off. */
function withoutPreamble(transferSyntaxUid: string, extra: Partial<SliceSpec> = {}): Uint8Array {
  const bigEndian = transferSyntaxUid === '1.2.840.10008.1.2.2';
  // dcmjs writes the pixel buffer as given: hand it big endian words for a big endian file
  const rawWords = bigEndian ? Uint16Array.from(VALUES, (v) => ((v & 0xff) << 8) | (v >> 8)) : undefined;
  const bytes = dicomBytes({
    rows: 2,
    columns: 3,
    values: VALUES,
    rawWords,
    position: [12.5, -3, 40],
    orientation: OBLIQUE,
    pixelSpacing: [0.5, 0.7],
    slope: 2,
    intercept: -10,
    transferSyntaxUid,
    ...extra,
  });
  assert.equal(String.fromCharCode(...bytes.subarray(128, 132)), 'DICM');
  return bytes.subarray(132);
}

const dir = tempDir('vesalius-no-preamble-');
function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const files = {
  implicit: write('implicit.dcm', withoutPreamble('1.2.840.10008.1.2')),
  explicit: write('explicit', withoutPreamble('1.2.840.10008.1.2.1')),
  bigEndian: write('big-endian.dcm', withoutPreamble('1.2.840.10008.1.2.2')),
  gzipped: write('implicit.dcm.gz', gzipSync(withoutPreamble('1.2.840.10008.1.2'))),
};

referenceTest(
  'Part 10 files whose meta group starts at byte 0 (implicit, explicit, big endian, gzip) read as pydicom reads them',
  hasPydicom(),
  PYDICOM_WHAT,
  async () => {
    const images = await assertFilesSameAsPydicom(files);
    for (const [name, image] of Object.entries(images))
      assert.deepEqual(Array.from(image.data), [-8, -6, 590, 7990, 99990, 131060], name);
    assert.equal(detectFormat(files.explicit), 'dicom');
  },
);

test('a folder of Part 10 files without preamble is scanned into one series', async () => {
  const folder = tempDir('vesalius-no-preamble-series-');
  const series = uid();
  for (let k = 0; k < 3; k++) {
    const d = 1.5 * k;
    const bytes = withoutPreamble('1.2.840.10008.1.2', {
      seriesUid: series,
      // along the normal row × column = (−0.6, 0.8, 0)
      position: [12.5 - 0.6 * d, -3 + 0.8 * d, 40],
      instanceNumber: k + 1,
    });
    writeFileSync(join(folder, `IM${k}`), bytes);
  }
  const image = await readDicom(folder);
  assert.deepEqual(image.shape, [3, 2, 3]);
  assert.deepEqual(
    image.spacing.map((v) => Number(v.toFixed(9))),
    [0.7, 0.5, 1.5],
  );
});
