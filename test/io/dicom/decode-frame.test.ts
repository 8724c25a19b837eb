import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame, type FrameInfo } from '../../../src/io/dicom/index.js';

const info = (over: Partial<FrameInfo>): FrameInfo => ({
  rows: 1,
  columns: 3,
  samplesPerPixel: 1,
  bitsAllocated: 16,
  bitsStored: 16,
  highBit: 15,
  pixelRepresentation: 0,
  photometricInterpretation: 'MONOCHROME2',
  planarConfiguration: 0,
  ...over,
});

test('native big endian 12-bit signed words are swapped, masked and sign-extended', async () => {
  // words 0x0FFF (−1), 0x0800 (−2048), 0xF123 (garbage high nibble, 0x123 = 291), big endian
  const bytes = new Uint8Array([0x0f, 0xff, 0x08, 0x00, 0xf1, 0x23]);
  const values = await decodeFrame(
    '1.2.840.10008.1.2.2',
    bytes,
    info({ bitsStored: 12, highBit: 11, pixelRepresentation: 1 }),
  );
  assert.ok(values instanceof Int16Array);
  assert.deepEqual(Array.from(values), [-1, -2048, 291]);
});

test('1-bit frames are unpacked least significant bit first, from any bit offset', async () => {
  const bytes = new Uint8Array([0b10110010, 0b00000001]);
  const values = await decodeFrame(
    '1.2.840.10008.1.2.1',
    bytes,
    info({ bitsAllocated: 1, bitsStored: 1, highBit: 0, columns: 4 }),
    { bitOffset: 6 },
  );
  assert.deepEqual(Array.from(values), [0, 1, 1, 0]);
});

test('an unknown or unsupported transfer syntax is named', async () => {
  await assert.rejects(
    decodeFrame('1.2.840.10008.1.2.4.102', new Uint8Array(4), info({})),
    /MPEG-4 AVC\/H\.264 High Profile/,
  );
  await assert.rejects(decodeFrame('1.2.3.4', new Uint8Array(4), info({})), /unknown transfer syntax 1\.2\.3\.4/);
});

test('a frame shorter than Rows × Columns × BitsAllocated is refused', async () => {
  await assert.rejects(
    decodeFrame('1.2.840.10008.1.2.1', new Uint8Array(5), info({})),
    /frame has 5 bytes, expected 6/,
  );
});
