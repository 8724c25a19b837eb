import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDicom } from '../../../src/io/dicom/index.js';
import { sharedData, skipUnlessData } from '../../helpers/data.js';
import { assertSameCorners, assertSameThroughWorld, readNiftiReference } from './nifti-reference.js';

const TS = ['dicom-samples', 'transfer-syntax'];
const MF = ['dicom-samples', 'multiframe'];

async function pixels(path: string): Promise<{ shape: number[]; values: number[]; meta: Record<string, unknown> }> {
  const img = await readDicom(path);
  return { shape: img.shape, values: Array.from(img.data), meta: img.meta };
}

function maxAbsDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Every file decodes to exactly the pixels of the reference file (same image, other encoding). */
async function assertIdentical(folder: string, reference: string, others: string[]): Promise<void> {
  const ref = await pixels(join(folder, reference));
  for (const name of others) {
    const got = await pixels(join(folder, name));
    assert.deepEqual(got.shape, ref.shape, `${name}: shape`);
    assert.equal(
      maxAbsDiff(got.values, ref.values),
      0,
      `${name} (${got.meta.transferSyntax}) differs from ${reference}`,
    );
  }
}

test(
  'dcm_qa_ts: all 9 transfer syntaxes decode to the pixels of the explicit little endian file',
  skipUnlessData(...TS, 'dcm_qa_ts'),
  async () => {
    const dir = join(sharedData(...TS, 'dcm_qa_ts')!, 'In');
    const names = ['2.dcm', '3.dcm', '4.dcm', '5.dcm', '6.dcm', '7.dcm', '8.dcm', '9.dcm'];
    await assertIdentical(dir, '1.dcm', names);
    const syntaxes = new Set<unknown>();
    for (const n of ['1.dcm', ...names]) syntaxes.add((await pixels(join(dir, n))).meta.transferSyntax);
    // implicit, explicit LE and BE, RLE, JPEG lossless SV1, JPEG-LS lossless, JPEG 2000 lossless
    assert.equal(syntaxes.size, 7);
  },
);

test(
  'dcm_qa_ts: the Siemens mosaic is cut into 35 slices that match the dcm2niix reference through world space',
  skipUnlessData(...TS, 'dcm_qa_ts'),
  async () => {
    const dir = sharedData(...TS, 'dcm_qa_ts')!;
    const ref = readNiftiReference(join(dir, 'Ref', '1.nii'));
    for (const name of ['1.dcm', '4.dcm', '9.dcm']) {
      const img = await readDicom(join(dir, 'In', name));
      assert.deepEqual(img.shape, [64, 64, 35], name);
      assertSameCorners(img, ref);
      assertSameThroughWorld(img, ref, { values: true });
    }
  },
);

test(
  'MR_small: 7 encodings (implicit, explicit LE, two explicit BE, RLE, JPEG-LS, JPEG 2000) give identical signed pixels',
  skipUnlessData(...TS, 'pydicom-MR_small'),
  async () => {
    await assertIdentical(sharedData(...TS, 'pydicom-MR_small')!, 'MR_small.dcm', [
      'MR_small_implicit.dcm',
      'MR_small_bigendian.dcm',
      'MR_small_expb.dcm',
      'MR_small_RLE.dcm',
      'MR_small_jpeg_ls_lossless.dcm',
      'MR_small_jp2klossless.dcm',
    ]);
  },
);

test(
  'Enhanced MR, 10 frames: big endian, RLE, JPEG-LS and JPEG 2000 match explicit little endian',
  skipUnlessData(...MF, 'pydicom-data'),
  async () => {
    await assertIdentical(sharedData(...MF, 'pydicom-data')!, 'emri_small.dcm', [
      'emri_small_big_endian.dcm',
      'emri_small_RLE.dcm',
      'emri_small_jpeg_ls_lossless.dcm',
      'emri_small_jpeg_2k_lossless.dcm',
    ]);
  },
);

test(
  'Enhanced CT, 2 frames, fragmented without offset table: lossless JPEG (.57, .70), JPEG-LS and RLE match',
  skipUnlessData(...MF, 'cornerstone-CT0012'),
  async () => {
    const dir = sharedData(...MF, 'cornerstone-CT0012')!;
    await assertIdentical(dir, 'CT0012.explicit_little_endian.dcm', [
      'CT0012.fragmented_no_bot_jpeg_lossless.57.dcm',
      'CT0012.fragmented_no_bot_jpeg_lossless.70.dcm',
      'CT0012.fragmented_no_bot_jpeg_ls.80.dcm',
      'CT0012.not_fragmented_bot_rle.dcm',
    ]);
    // near-lossless JPEG-LS: every pixel within the encoder's NEAR bound of the original
    const ref = await pixels(join(dir, 'CT0012.explicit_little_endian.dcm'));
    const near = await pixels(join(dir, 'CT0012.fragmented_no_bot_jpeg_ls.81.dcm'));
    const d = maxAbsDiff(near.values, ref.values);
    assert.ok(d > 0 && d <= 10, `near-lossless max difference ${d}`);
    // geometry from the functional groups: two axial frames, sorted along the normal
    const img = await readDicom(join(dir, 'CT0012.explicit_little_endian.dcm'));
    assert.deepEqual(img.shape, [512, 512, 2]);
    assert.equal(img.meta.modality, 'CT');
  },
);

test(
  'RGB: big endian, RLE, lossless JPEG and 2-frame RLE give the same colour pixels',
  skipUnlessData(...TS, 'pydicom-misc'),
  async () => {
    const misc = sharedData(...TS, 'pydicom-misc')!;
    const ref = await pixels(join(sharedData(...TS, 'pydicom-data')!, 'SC_rgb_expb.dcm'));
    assert.deepEqual(ref.shape, [100, 100, 1, 3]);
    for (const name of ['SC_rgb_rle.dcm', 'SC_rgb_jpeg_gdcm.dcm']) {
      const got = await pixels(join(misc, name));
      assert.equal(maxAbsDiff(got.values, ref.values), 0, name);
    }
    // baseline JPEG (lossy, YBR_FULL_422 in the header) decodes to RGB close to the original
    const lossy = await pixels(join(misc, 'SC_rgb_jpeg_dcmtk.dcm'));
    assert.ok(maxAbsDiff(lossy.values, ref.values) <= 8);
  },
);

test(
  'no preamble, no meta, one stray byte: the raw dataset reads as CT_small',
  skipUnlessData(...TS, 'pydicom-misc'),
  async () => {
    await assertIdentical(sharedData(...TS, 'pydicom-misc')!, 'CT_small.dcm', ['no_meta.dcm']);
  },
);

test(
  'deflated explicit VR: inflated and decoded to the pixel sum pydicom reports',
  skipUnlessData(...TS, 'pydicom-misc'),
  async () => {
    const img = await pixels(join(sharedData(...TS, 'pydicom-misc')!, 'image_dfl.dcm'));
    assert.deepEqual(img.shape, [512, 512, 1]);
    // pydicom 2.3.1: dcmread('image_dfl.dcm').pixel_array.sum() == 33322688
    assert.equal(
      img.values.reduce((a, b) => a + b, 0),
      33322688,
    );
  },
);

test(
  '12-bit JPEG extended and 16-bit JPEG lossless decode to the pixel sums GDCM reports',
  skipUnlessData(...TS, 'pydicom-misc'),
  async () => {
    // GDCM 3.0.21 (python3-gdcm via pydicom): pixel_array.sum()
    const ext = await pixels(join(sharedData(...TS, 'pydicom-misc')!, 'JPGExtended.dcm'));
    assert.equal(
      ext.values.reduce((a, b) => a + b, 0),
      3767007,
    );
    const ll = await pixels(join(sharedData(...TS, 'pydicom-data')!, 'JPEG-LL.dcm'));
    assert.equal(
      ll.values.reduce((a, b) => a + b, 0),
      3596452,
    );
  },
);

test('HTJ2K RGB decodes (no other decoder here to compare with)', skipUnlessData(...TS, 'pydicom-data'), async () => {
  const img = await pixels(join(sharedData(...TS, 'pydicom-data')!, 'HTJ2K_08_RGB.dcm'));
  assert.deepEqual(img.shape, [640, 480, 1, 3]);
  assert.ok(img.values.reduce((a, b) => Math.max(a, b), 0) > 200);
});

test(
  'RT Dose (implicit VR, 32-bit, 15 frames): frames placed by GridFrameOffsetVector, values scaled to Gy',
  skipUnlessData(...MF, 'pydicom'),
  async () => {
    const img = await readDicom(join(sharedData(...MF, 'pydicom')!, 'rtdose.dcm'));
    // header (read with pydicom): IPP (189.43125, 199.43125, -761.87), axial, PixelSpacing 10\10,
    // GridFrameOffsetVector 0\5\...\70, DoseGridScaling 1e-6; stored [0,0,0..2] = 1249000 1249000 1250000
    assert.deepEqual(img.shape, [10, 10, 15]);
    assert.deepEqual(img.spacing, [10, 10, 5]);
    assert.deepEqual(img.origin, [189.43125, 199.43125, -761.87]);
    assert.ok(Math.abs(img.data[0]! - 1.249) < 1e-6 && Math.abs(img.data[2]! - 1.25) < 1e-6);
    // last frame, first row: 1249000 1250000 1251000
    assert.ok(Math.abs(img.data[14 * 100 + 2]! - 1.251) < 1e-6);
  },
);

test(
  'MONOCHROME1 radiograph: inverted by default, stored values kept on request (as dcm2niix writes them)',
  skipUnlessData('dicom-samples', 'seg-sr', 'highdicom'),
  async () => {
    const path = join(sharedData('dicom-samples', 'seg-sr', 'highdicom')!, 'dx_image.dcm');
    const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
    // pydicom pixel_array.sum() = 5913505 (8 bits stored, 211 × 169); dcm2niix 1.0.20220720 writes the same
    const kept = await readDicom(path, { keepMonochrome1: true });
    assert.equal(sum(Array.from(kept.data)), 5913505);
    const inverted = await readDicom(path);
    assert.equal(sum(Array.from(inverted.data)), 255 * 211 * 169 - 5913505);
    assert.equal(inverted.meta.monochrome1Inverted, true);
  },
);
