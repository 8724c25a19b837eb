import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDicom } from '../../../src/io/dicom/index.js';
import { dtypeOf } from '../../../src/io/image.js';
import { referenceTest } from '../../helpers/reference.js';
import { tempDir } from '../../helpers/tmp.js';
import { oneLineError } from './one-line-error.js';
import { assertFilesSameAsPydicom, hasPydicom, PYDICOM_WHAT } from './pydicom-reference.js';
import { dicomBytes, type SliceSpec } from './write-dicom.js';

const PARAMETRIC_MAP = '1.2.840.10008.5.1.4.1.1.30';
const ROWS = 4;
const COLUMNS = 5;
const FRAMES = 3;
// an oblique plane: rows along x, columns tilted from y towards z (cos 0.8, sin 0.6)
const ORIENTATION = [1, 0, 0, 0, 0.8, 0.6];
const NORMAL = [0, -0.6, 0.8];

/** Per-frame positions written in descending order along the normal (the reader must sort them). */
function perFrame(extra: (f: number) => Record<string, unknown> = () => ({})): Record<string, unknown>[] {
  return Array.from({ length: FRAMES }, (_, f) => {
    const d = 2.5 * (FRAMES - 1 - f);
    return {
      PlanePositionSequence: [
        { ImagePositionPatient: [-10 + d * NORMAL[0]!, 20 + d * NORMAL[1]!, 5 + d * NORMAL[2]!] },
      ],
      FrameContentSequence: [{ DimensionIndexValues: [f + 1] }],
      ...extra(f),
    };
  });
}

function rwvm(map: Record<string, unknown>): Record<string, unknown> {
  return {
    LUTExplanation: 'test map',
    LUTLabel: 'T1',
    MeasurementUnitsCodeSequence: [{ CodeValue: 'ms', CodingSchemeDesignator: 'UCUM', CodeMeaning: 'millisecond' }],
    // "US or SS" in the dictionary: unsigned pixel data make them US
    _vrMap: { RealWorldValueFirstValueMapped: 'US', RealWorldValueLastValueMapped: 'US' },
    ...map,
  };
}

/** An enhanced parametric map with shared orientation and pixel measures. */
function parametricMap(spec: Partial<SliceSpec>, shared: Record<string, unknown>, frames: Record<string, unknown>[]) {
  return dicomBytes({
    rows: ROWS,
    columns: COLUMNS,
    values: [],
    sopClassUid: PARAMETRIC_MAP,
    modality: 'MR',
    ...spec,
    extra: {
      NumberOfFrames: FRAMES,
      SharedFunctionalGroupsSequence: [
        {
          PlaneOrientationSequence: [{ ImageOrientationPatient: ORIENTATION }],
          PixelMeasuresSequence: [{ PixelSpacing: [0.8, 0.6], SliceThickness: 2.5, SpacingBetweenSlices: 2.5 }],
          ...shared,
        },
      ],
      PerFrameFunctionalGroupsSequence: frames,
      ...spec.extra,
    },
  });
}

/** Values with fractions, negatives, a tiny and a huge one: float32 loses nothing of them. */
function floats(n: number, Type: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array {
  const out = new Type(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 1.7) * 1000 + i / 7;
  out[1] = 1e-30;
  out[2] = -3.4e30;
  return out;
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const dir = tempDir('vesalius-float-');
const count = ROWS * COLUMNS * FRAMES;
const files = {
  // Float Pixel Data, one linear mapping shared by all frames
  float: write(
    'float.dcm',
    parametricMap(
      { floatPixels: floats(count, Float32Array) },
      { RealWorldValueMappingSequence: [rwvm({ RealWorldValueSlope: 2.5, RealWorldValueIntercept: -1.25 })] },
      perFrame(),
    ),
  ),
  // Double Float Pixel Data, a mapping of its own in each frame
  double: write(
    'double.dcm',
    parametricMap(
      { floatPixels: floats(count, Float64Array) },
      {},
      perFrame((f) => ({
        RealWorldValueMappingSequence: [rwvm({ RealWorldValueSlope: 0.1 * (f + 1), RealWorldValueIntercept: f })],
      })),
    ),
  ),
  // integer Pixel Data mapped by a Real World Value LUT (stored 3..8 → the table)
  lut: write(
    'lut.dcm',
    parametricMap(
      { values: Array.from({ length: count }, (_, i) => 3 + (i % 6)), bitsAllocated: 16 },
      {
        RealWorldValueMappingSequence: [
          rwvm({
            RealWorldValueFirstValueMapped: 3,
            RealWorldValueLastValueMapped: 8,
            RealWorldValueLUTData: [0.5, -1.25, 100, 1e-3, 7, 42.125],
          }),
        ],
      },
      perFrame(),
    ),
  ),
  // integer Pixel Data with both a rescale and a mapping: the mapping wins (highdicom's precedence)
  both: write(
    'both.dcm',
    parametricMap(
      { values: Array.from({ length: count }, (_, i) => i * 100), bitsAllocated: 16 },
      {
        PixelValueTransformationSequence: [{ RescaleSlope: 3, RescaleIntercept: 7, RescaleType: 'US' }],
        RealWorldValueMappingSequence: [rwvm({ RealWorldValueSlope: 0.001, RealWorldValueIntercept: 0.5 })],
      },
      perFrame(),
    ),
  ),
};

referenceTest(
  'Float and Double Float Pixel Data (parametric maps) read as float32/float64 with the real world value mapping, like pydicom',
  hasPydicom(),
  PYDICOM_WHAT,
  async () => {
    await assertFilesSameAsPydicom(files);
    assert.equal(dtypeOf((await readDicom(files.float)).data), 'float32');
    assert.equal(dtypeOf((await readDicom(files.double)).data), 'float64');
    assert.equal(dtypeOf((await readDicom(files.lut)).data), 'float32');
    // the frames were written in descending order: the first slice is the last frame
    const img = await readDicom(files.float);
    assert.deepEqual(
      img.origin.map((v) => Number(v.toFixed(9))),
      [-10, 20, 5],
    );
    assert.ok(Math.abs(img.spacing[2] - 2.5) < 1e-9);
  },
);

test('float pixel data whose length does not fill the grid is a one-line error naming the file', async () => {
  const short = write('short.dcm', parametricMap({ floatPixels: floats(count - 1, Float32Array) }, {}, perFrame()));
  await assert.rejects(readDicom(short), oneLineError(short, /Float Pixel Data holds 236 bytes.*need 240/));
  const long = write('long.dcm', parametricMap({ floatPixels: floats(count + 5, Float64Array) }, {}, perFrame()));
  await assert.rejects(readDicom(long), oneLineError(long, /Double Float Pixel Data holds 520 bytes.*need 480/));
});

test('a stored value outside the real world value LUT is a one-line error naming the file', async () => {
  const path = write(
    'outside.dcm',
    parametricMap(
      { values: Array.from({ length: count }, (_, i) => (i === 7 ? 9 : 3)), bitsAllocated: 16 },
      {
        RealWorldValueMappingSequence: [
          rwvm({ RealWorldValueFirstValueMapped: 3, RealWorldValueLastValueMapped: 4, RealWorldValueLUTData: [1, 2] }),
        ],
      },
      perFrame(),
    ),
  );
  await assert.rejects(readDicom(path), oneLineError(path, /stored value 9 is outside the Real World Value LUT/));
});
