import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { tempDir } from '../../helpers/tmp.js';
import { oneLineError } from './one-line-error.js';
import { readDicom, scanDicomFolder } from '../../../src/io/dicom/index.js';
import { FileFormatError } from '../../../src/util/errors.js';
import { sharedData, skipUnlessData } from '../../helpers/data.js';
import { AXIAL, dicomBytes } from './write-dicom.js';

const image = () =>
  dicomBytes({ rows: 8, columns: 8, values: new Array(64).fill(7), position: [0, 0, 0], orientation: AXIAL });

test('a file cut in the middle of its pixel data is rejected as truncated', async () => {
  const bytes = image();
  const path = join(tempDir(), 'cut.dcm');
  writeFileSync(path, bytes.subarray(0, bytes.length - 40));
  await assert.rejects(readDicom(path), oneLineError(path, /truncated/));
});

test('a file cut inside its header is rejected, not misread', async () => {
  const bytes = image();
  const path = join(tempDir(), 'cut-header.dcm');
  writeFileSync(path, bytes.subarray(0, 200));
  await assert.rejects(
    readDicom(path),
    (e: unknown) => e instanceof FileFormatError && e.message.startsWith(path) && !e.message.includes('\n'),
  );
});

test('an unsupported transfer syntax is named', async () => {
  const bytes = dicomBytes({ rows: 2, columns: 2, values: [1, 2, 3, 4], transferSyntaxUid: '1.2.840.10008.1.2.4.100' });
  const path = join(tempDir(), 'video.dcm');
  writeFileSync(path, bytes);
  await assert.rejects(
    readDicom(path),
    oneLineError(
      path,
      /unsupported transfer syntax: MPEG2 Main Profile \/ Main Level \(1\.2\.840\.10008\.1\.2\.4\.100\)/,
    ),
  );
});

test('a file that is not DICOM is rejected', async () => {
  const path = join(tempDir(), 'notes.txt');
  writeFileSync(path, 'this is not a DICOM file, although it is long enough to have a preamble '.repeat(4));
  await assert.rejects(readDicom(path), oneLineError(path, /not a DICOM file/));
  // a gzip file whose header happens to contain the bytes 08 00 must not pass for a raw dataset
  const gz = join(tempDir(), 'volume.nii.gz');
  writeFileSync(gz, gzipSync(Buffer.alloc(4096, 7)));
  await assert.rejects(readDicom(gz), oneLineError(gz, /not a DICOM file/));
  const empty = join(tempDir(), 'empty');
  writeFileSync(empty, '');
  await assert.rejects(readDicom(empty), oneLineError(empty, /not a DICOM file/));
});

test('a missing path is reported', async () => {
  const path = join(tempDir(), 'nope');
  await assert.rejects(readDicom(path), oneLineError(path, /no such file/));
});

test('a folder with no images says what it found instead', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'readme.txt'), 'hello');
  await assert.rejects(scanDicomFolder(dir), oneLineError(dir, /no DICOM image series found.*not a DICOM file/));
  await assert.rejects(readDicom(dir), oneLineError(dir, /no DICOM image series found/));
  const empty = tempDir();
  await assert.rejects(readDicom(empty), oneLineError(empty, /folder is empty/));
});

test(
  'a compressed file cut inside its encapsulated pixel data is rejected as truncated',
  skipUnlessData('dicom-samples'),
  async () => {
    const source = sharedData('dicom-samples', 'transfer-syntax', 'dcm_qa_ts', 'In', '9.dcm')!;
    const bytes = readFileSync(source);
    const path = join(tempDir(), 'cut-j2k.dcm');
    writeFileSync(path, bytes.subarray(0, 150_000)); // the JPEG 2000 fragment spans bytes 88,600..223,792
    await assert.rejects(readDicom(path), oneLineError(path, /truncated/));
  },
);

test('a corrupt compressed frame is a FileFormatError naming the file', skipUnlessData('dicom-samples'), async () => {
  const source = sharedData('dicom-samples', 'transfer-syntax', 'dcm_qa_ts', 'In', '9.dcm')!;
  const bytes = new Uint8Array(readFileSync(source));
  // overwrite the main header of the JPEG 2000 codestream (its single fragment starts at byte 88,600)
  // with zeros; damage inside code-blocks would decode silently, as in every J2K decoder
  bytes.fill(0, 88_602, 88_700);
  const path = join(tempDir(), 'broken-j2k.dcm');
  writeFileSync(path, bytes);
  await assert.rejects(readDicom(path), oneLineError(path, /frame 1: jpeg2000/));
});

test(
  'SR, RT and SEG objects in a folder are skipped with a note, images still read',
  skipUnlessData('dicom-samples'),
  async () => {
    const dir = tempDir();
    const seg = sharedData('dicom-samples', 'seg-sr')!;
    for (const f of [
      'highdicom/sr_document.dcm',
      'highdicom/seg_image_ct_binary.dcm',
      'pydicom/rtstruct.dcm',
      'highdicom/ct_image.dcm',
    ]) {
      copyFileSync(join(seg, f), join(dir, f.replace('/', '_')));
    }
    const series = await scanDicomFolder(dir);
    assert.equal(series.length, 1);
    assert.equal(series[0]!.modality, 'CT');
    assert.deepEqual(series[0]!.warnings, []);
    const img = await readDicom(dir);
    assert.deepEqual(img.shape, [128, 128, 1]);
  },
);
