import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../helpers/tmp.js';
import { dtypeOf } from '../../../src/io/image.js';
import { readDicom } from '../../../src/io/dicom/index.js';
import { AXIAL, uid, writeDicom, type SliceSpec } from './write-dicom.js';

function file(spec: Partial<SliceSpec> & Pick<SliceSpec, 'values'>): string {
  const path = join(tempDir('vesalius-dicom-px-'), 'image');
  writeDicom(path, {
    rows: 1,
    columns: spec.values.length / (spec.samplesPerPixel ?? 1),
    position: [0, 0, 0],
    orientation: AXIAL,
    ...spec,
  });
  return path;
}

test('signed data with an integer rescale keeps an integer dtype wide enough for the rescaled values', async () => {
  const img = await readDicom(file({ values: [-32768, -1, 0, 1, 32767], signed: true, slope: 2, intercept: -1000 }));
  // 2·[-32768, 32767] − 1000 needs int32
  assert.equal(dtypeOf(img.data), 'int32');
  assert.deepEqual(Array.from(img.data), [-66536, -1002, -1000, -998, 64534]);
  // the same encoding with values that fit stays int16 (dtype follows the values present)
  const ct = await readDicom(file({ values: [-2000, 0, 3000], signed: true, intercept: -1024 }));
  assert.equal(dtypeOf(ct.data), 'int16');
  assert.deepEqual(Array.from(ct.data), [-3024, -1024, 1976]);
  // never narrower than the stored type: 16-bit data with small values stays 16-bit
  const small = await readDicom(file({ values: [0, 5, 9], intercept: 1 }));
  assert.equal(dtypeOf(small.data), 'uint16');
});

test('CT-like 12-bit unsigned data with intercept −1024 becomes int16 Hounsfield units', async () => {
  const img = await readDicom(
    file({ values: [0, 1024, 4095], bitsStored: 12, slope: 1, intercept: -1024, modality: 'CT' }),
  );
  assert.equal(dtypeOf(img.data), 'int16');
  assert.deepEqual(Array.from(img.data), [-1024, 0, 3071]);
});

test('a non-integer slope gives float32 values slope·stored + intercept', async () => {
  const img = await readDicom(file({ values: [0, 1, 100, 65535], slope: 0.25, intercept: 1.5 }));
  assert.equal(dtypeOf(img.data), 'float32');
  assert.deepEqual(Array.from(img.data), [1.5, 1.75, 26.5, 16385.25]);
});

test('without rescale the stored dtype is kept (signed 16-bit stays int16)', async () => {
  const img = await readDicom(file({ values: [-5, 0, 7], signed: true }));
  assert.equal(dtypeOf(img.data), 'int16');
  assert.deepEqual(Array.from(img.data), [-5, 0, 7]);
  // a slope of 0 (invalid: it would erase the image) is read as 1
  const zero = await readDicom(file({ values: [-5, 0, 7], signed: true, slope: 0, intercept: 10 }));
  assert.deepEqual(Array.from(zero.data), [5, 10, 17]);
});

test('bits outside BitsStored are masked off, and signed values are sign-extended from the high bit', async () => {
  // 12 bits stored in the low bits (HighBit 11); the top 4 bits hold garbage (an overlay, say)
  const unsigned = await readDicom(
    file({ values: [0, 0, 0], rawWords: new Uint16Array([0xf001, 0x0fff, 0xa800]), bitsStored: 12 }),
  );
  assert.deepEqual(Array.from(unsigned.data), [1, 4095, 2048]);
  const signed = await readDicom(
    file({ values: [0, 0, 0], rawWords: new Uint16Array([0xf001, 0x0fff, 0xa800]), bitsStored: 12, signed: true }),
  );
  assert.equal(dtypeOf(signed.data), 'int16');
  assert.deepEqual(Array.from(signed.data), [1, -1, -2048]);
  // HighBit 15 with 12 bits stored: the value sits in the top bits (PS3.5 8.1.1)
  const high = await readDicom(
    file({ values: [0, 0], rawWords: new Uint16Array([0x0010, 0xfff5]), bitsStored: 12, highBit: 15 }),
  );
  assert.deepEqual(Array.from(high.data), [1, 4095]);
});

test('MONOCHROME1 is inverted over the BitsStored range before rescale, unless asked to keep it', async () => {
  const path = file({ values: [0, 10, 255], bitsAllocated: 8, photometric: 'MONOCHROME1' });
  const img = await readDicom(path);
  assert.deepEqual(Array.from(img.data), [255, 245, 0]);
  assert.equal(img.meta.monochrome1Inverted, true);
  const kept = await readDicom(path, { keepMonochrome1: true });
  assert.deepEqual(Array.from(kept.data), [0, 10, 255]);
  // 10 bits stored, rescale 1/−100: stored s → (1023 − s) − 100
  const rescaled = await readDicom(
    file({ values: [0, 1023, 23], bitsStored: 10, photometric: 'MONOCHROME1', intercept: -100 }),
  );
  assert.deepEqual(Array.from(rescaled.data), [923, -100, 900]);
});

test('RGB, interleaved and planar, becomes a last axis of 3 channels', async () => {
  const rgb = [10, 20, 30, 11, 21, 31]; // two pixels
  const interleaved = await readDicom(file({ values: rgb, samplesPerPixel: 3, photometric: 'RGB', bitsAllocated: 8 }));
  assert.deepEqual(interleaved.shape, [2, 1, 1, 3]);
  assert.deepEqual(Array.from(interleaved.data), [10, 11, 20, 21, 30, 31]);
  const planar = await readDicom(
    file({
      values: [10, 11, 20, 21, 30, 31],
      samplesPerPixel: 3,
      photometric: 'RGB',
      bitsAllocated: 8,
      planarConfiguration: 1,
    }),
  );
  assert.deepEqual(Array.from(planar.data), [10, 11, 20, 21, 30, 31]);
});

test('YBR_FULL is converted to RGB with the PS3.3 C.7.6.3.1.2 equations', async () => {
  // Y=100, Cb=128, Cr=128 is grey 100; Y=76, Cb=85, Cr=255 is (nearly) pure red
  const img = await readDicom(
    file({ values: [100, 128, 128, 76, 85, 255], samplesPerPixel: 3, photometric: 'YBR_FULL', bitsAllocated: 8 }),
  );
  const px = (p: number) => [img.data[p], img.data[2 + p], img.data[4 + p]];
  assert.deepEqual(px(0), [100, 100, 100]);
  // R = 76 + 1.402·127 = 254.05, G = 76 − 0.344136·(−43) − 0.714136·127 = 0.1, B = 76 + 1.772·(−43) = −0.2
  assert.deepEqual(px(1), [254, 0, 0]);
});

test('enhanced multi-frame: per-frame positions and rescale from the functional groups', async () => {
  const rows = 2,
    columns = 2;
  // frames stored in reverse z order, each with its own rescale intercept
  const z = [20, 10, 0];
  const values: number[] = [];
  z.forEach((_, f) => values.push(f, f, f, f));
  const path = join(tempDir('vesalius-dicom-mf-'), 'enhanced.dcm');
  writeDicom(path, {
    rows,
    columns,
    values,
    extra: {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.4.1',
      NumberOfFrames: 3,
      SharedFunctionalGroupsSequence: [
        {
          PlaneOrientationSequence: [{ ImageOrientationPatient: [0, 1, 0, 0, 0, -1] }],
          PixelMeasuresSequence: [{ PixelSpacing: [0.5, 0.25], SliceThickness: 9 }],
        },
      ],
      PerFrameFunctionalGroupsSequence: z.map((x, f) => ({
        PlanePositionSequence: [{ ImagePositionPatient: [x, 5, 7] }],
        PixelValueTransformationSequence: [{ RescaleSlope: 1, RescaleIntercept: 100 * f, RescaleType: 'US' }],
      })),
    },
    seriesUid: uid(),
  });
  const img = await readDicom(path);
  assert.deepEqual(img.shape, [2, 2, 3]);
  // sagittal: i along +y (column spacing 0.25), j along −z (row spacing 0.5), normal = (0,1,0)×(0,0,−1) = (−1,0,0)
  assert.deepEqual(img.spacing, [0.25, 0.5, 10]);
  assert.deepEqual(img.direction, [0, 0, -1, 1, 0, 0, 0, -1, 0]);
  // sorted along the normal (−x): x = 20 first
  assert.deepEqual(img.origin, [20, 5, 7]);
  // frame f holds stored f and intercept 100·f
  assert.deepEqual([img.data[0], img.data[4], img.data[8]], [0, 101, 202]);
});

test('PALETTE COLOR maps stored indices through the red/green/blue tables (clamped outside them)', async () => {
  // 4 entries starting at index 10, 16-bit: entry e = (1000·e, 2000·e, 65535 − e)
  const table = (f: (e: number) => number) => new Uint16Array([0, 1, 2, 3].map(f)).buffer;
  const img = await readDicom(
    file({
      values: [9, 10, 12, 13, 200],
      bitsAllocated: 8,
      photometric: 'PALETTE COLOR',
      extra: {
        RedPaletteColorLookupTableDescriptor: [4, 10, 16],
        GreenPaletteColorLookupTableDescriptor: [4, 10, 16],
        BluePaletteColorLookupTableDescriptor: [4, 10, 16],
        RedPaletteColorLookupTableData: table((e) => 1000 * e),
        GreenPaletteColorLookupTableData: table((e) => 2000 * e),
        BluePaletteColorLookupTableData: table((e) => 65535 - e),
        _vrMap: {
          PixelData: 'OB',
          RedPaletteColorLookupTableDescriptor: 'US',
          GreenPaletteColorLookupTableDescriptor: 'US',
          BluePaletteColorLookupTableDescriptor: 'US',
        },
      },
    }),
  );
  assert.deepEqual(img.shape, [5, 1, 1, 3]);
  assert.equal(dtypeOf(img.data), 'uint16');
  // index 9 is below the table (entry 0), 10 → 0, 12 → 2, 13 → 3, 200 above (entry 3)
  assert.deepEqual(Array.from(img.data.subarray(0, 5)), [0, 0, 2000, 3000, 3000]);
  assert.deepEqual(Array.from(img.data.subarray(5, 10)), [0, 0, 4000, 6000, 6000]);
  assert.deepEqual(Array.from(img.data.subarray(10, 15)), [65535, 65535, 65533, 65532, 65532]);
});
