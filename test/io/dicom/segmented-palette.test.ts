import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDicom } from '../../../src/io/dicom/index.js';
import { expandSegmentedLut, SegmentedLutError } from '../../../src/io/dicom/segmented-lut.js';
import { readImage } from '../../../src/io/read.js';
import { referenceTest } from '../../helpers/reference.js';
import { tempDir } from '../../helpers/tmp.js';
import { oneLineError } from './one-line-error.js';
import { assertSameAsPydicom, hasPydicom, PYDICOM_WHAT, pydicomVolumes } from './pydicom-reference.js';
import { dicomBytes } from './write-dicom.js';

// discrete [10 20 30]; linear to 40 in 4; indirect: 1 segment at entry 0; linear to 31 in 2
const SEGMENTS = [0, 3, 10, 20, 30, 1, 4, 40, 2, 1, 0, 0, 1, 2, 31];
// by hand: the linear step 10/4 gives 32.5 35 37.5 40, rounded half to even 32 35 38 40 (as numpy.around);
// the indirect segment repeats 10 20 30; from 30 to 31 in 2 gives 30.5 31, rounded 30 31
const EXPANDED = [10, 20, 30, 32, 35, 38, 40, 10, 20, 30, 30, 31];

test('segments expand by hand: discrete, linear (halves to even), indirect', () => {
  assert.deepEqual(expandSegmentedLut(SEGMENTS, false, true), EXPANDED);
  // 8-bit entries: the indirect offset is 4 bytes, ordered by the dataset's byte order
  const bytes = (offset: number[]) => [0, 3, 10, 20, 30, 1, 4, 40, 2, 1, ...offset, 1, 2, 31];
  assert.deepEqual(expandSegmentedLut(bytes([0, 0, 0, 0]), true, true), EXPANDED);
  assert.deepEqual(expandSegmentedLut(bytes([0, 0, 0, 0]), true, false), EXPANDED);
  // an offset of 5 (the linear segment, re-run from the last value 40: 40 40 40 40), then 40 → 31 in 2
  // (35.5 → 36, 31): little endian bytes in pydicom's order [3, 2, 1, 0], big endian [2, 3, 0, 1]
  const repeated = [10, 20, 30, 32, 35, 38, 40, 40, 40, 40, 40, 36, 31];
  assert.deepEqual(expandSegmentedLut(bytes([5, 0, 0, 0]), true, true), repeated);
  assert.deepEqual(expandSegmentedLut(bytes([0, 5, 0, 0]), true, false), repeated);
});

test('malformed segments are refused: overrun, a leading linear segment, an unknown opcode, a loop', () => {
  const refused = (data: number[], message: RegExp) =>
    assert.throws(
      () => expandSegmentedLut(data, false, true),
      (e: unknown) => e instanceof SegmentedLutError && message.test(e.message),
    );
  refused([0, 5, 1, 2], /discrete segment of 5 values runs past the end/);
  refused([0, 1, 7, 1, 3], /linear segment runs past the end/);
  refused([1, 3, 9], /first segment cannot be a linear segment/);
  refused([0, 1, 7, 5, 1, 9], /unknown segment type 5/);
  refused([0, 1, 7, 2, 0, 3, 0], /nest deeper than/); // an indirect segment copying itself
  refused([0, 1, 7, 2, 1, 99, 0], /points at entry 99/);
});

/** 8-bit indices 0..255 over a 16 × 16 image; the table: 256 entries of 16 bits. */
const INDICES = Array.from({ length: 256 }, (_, i) => (i * 7) % 256);
// red: discrete then a ramp up; green: a ramp down; blue: discrete, an indirect repeat of it, a ramp
const RED = [0, 2, 0, 1000, 1, 254, 65535];
const GREEN = [0, 1, 65535, 1, 255, 0];
const BLUE = [0, 4, 5, 6, 7, 8, 2, 1, 0, 0, 1, 248, 50000];

function paletteFile(littleEndian: boolean, segments = { red: RED, green: GREEN, blue: BLUE }): Uint8Array {
  const ow = (words: number[]): ArrayBuffer => {
    const view = new DataView(new ArrayBuffer(words.length * 2));
    words.forEach((w, i) => view.setUint16(2 * i, w, littleEndian));
    return view.buffer;
  };
  const descriptor = { vr: 'US', Value: [256, 0, 16] };
  return dicomBytes({
    rows: 16,
    columns: 16,
    values: INDICES,
    bitsAllocated: 8,
    photometric: 'PALETTE COLOR',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
    modality: 'US',
    transferSyntaxUid: littleEndian ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2.2',
    raw: {
      '00281101': descriptor,
      '00281102': descriptor,
      '00281103': descriptor,
      '00281221': { vr: 'OW', Value: [ow(segments.red)] },
      '00281222': { vr: 'OW', Value: [ow(segments.green)] },
      '00281223': { vr: 'OW', Value: [ow(segments.blue)] },
    },
  });
}

const dir = tempDir('vesalius-segmented-');
function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

referenceTest(
  'PALETTE COLOR with segmented 16-bit tables, little and big endian, gives the colours pydicom apply_color_lut gives',
  hasPydicom(),
  PYDICOM_WHAT,
  async () => {
    const files = [write('little.dcm', paletteFile(true)), write('big.dcm', paletteFile(false))];
    const refs = pydicomVolumes(files);
    for (const [i, path] of files.entries()) {
      const image = await readImage(path);
      assertSameAsPydicom(image, refs[i]!, path);
      assert.ok(image.data instanceof Uint16Array);
    }
    // the colours are not trivially the indices: red of index 1 is 1000, of index 2 the ramp's first step
    const image = await readDicom(files[0]!);
    const red = (index: number) => image.data[INDICES.indexOf(index)];
    assert.equal(red(1), 1000);
    assert.equal(red(255), 65535);
  },
);

test('segmented tables whose opcodes overrun are a one-line error naming the file and the table', async () => {
  const path = write('overrun.dcm', paletteFile(true, { red: RED, green: [0, 300, 1, 2], blue: BLUE }));
  await assert.rejects(
    readDicom(path),
    oneLineError(path, /segmented palette lookup table \(0028,1222\): a discrete segment of 300 values runs past/),
  );
  const short = write('short.dcm', paletteFile(true, { red: [0, 3, 1, 2, 3], green: GREEN, blue: BLUE }));
  await assert.rejects(readDicom(short), /\(0028,1221\) expands to 3 entries, its descriptor gives 256/);
});
