// MetaImage files written by hand (ITK's key = value header) with geometry worked out by hand.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { createImage, indexToWorld, type Mat3 } from '../../../src/io/image.js';
import { readMetaImage } from '../../../src/io/metaimage/read.js';
import { writeMetaImage } from '../../../src/io/metaimage/write.js';
import { bytesOf } from '../../helpers/nifti-builder.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir();
function mha(name: string, lines: string[], data: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), data]));
  return path;
}

test('TransformMatrix lists each axis direction in turn (ITK), Offset and ElementSpacing in LPS', () => {
  const path = mha(
    'a.mha',
    [
      'ObjectType = Image',
      'NDims = 3',
      'BinaryData = True',
      'BinaryDataByteOrderMSB = False',
      'CompressedData = False',
      'TransformMatrix = 0 1 0 -1 0 0 0 0 1',
      'Offset = 10 -5 2.5',
      'ElementSpacing = 2 3 4',
      'DimSize = 2 3 4',
      'ElementType = MET_SHORT',
      'ElementDataFile = LOCAL',
    ],
    bytesOf(Int16Array.from({ length: 24 }, (_, n) => n - 12)),
  );
  const img = readMetaImage(path);
  // axis i points along +y, axis j along -x.
  assert.deepEqual(img.direction, [0, -1, 0, 1, 0, 0, 0, 0, 1]);
  assert.deepEqual(indexToWorld(img, [1, 1, 1]), [10 - 3, -5 + 2, 2.5 + 4]);
  assert.equal(img.data[23], 11);
});

test('zlib-compressed big-endian data, 3 interleaved channels, .mhd + detached file', () => {
  const interleaved = Uint16Array.from([1, 2, 3, 10, 20, 30]); // two voxels, RGB
  writeFileSync(join(dir, 'b.zraw'), deflateSync(bytesOf(interleaved, false)));
  writeFileSync(
    join(dir, 'b.mhd'),
    [
      'ObjectType = Image',
      'NDims = 2',
      'DimSize = 2 1',
      'ElementNumberOfChannels = 3',
      'ElementType = MET_USHORT',
      'BinaryDataByteOrderMSB = True',
      'CompressedData = True',
      'ElementSpacing = 0.5 0.5',
      'ElementDataFile = b.zraw',
    ].join('\n'),
  );
  const img = readMetaImage(join(dir, 'b.mhd'));
  assert.deepEqual(img.shape, [2, 1, 1, 3]);
  assert.deepEqual(Array.from(img.data), [1, 10, 2, 20, 3, 30]);
  assert.deepEqual(img.spacing, [0.5, 0.5, 1]);
});

test('write → read keeps voxels and oblique geometry (.mha compressed, .mhd raw, 4D)', () => {
  const c = Math.cos(1.1),
    s = Math.sin(1.1);
  const direction: Mat3 = [1, 0, 0, 0, c, -s, 0, s, c];
  const img = createImage(
    Float64Array.from({ length: 3 * 2 * 2 * 2 }, (_, n) => n / 7),
    [3, 2, 2, 2],
    { spacing: [1.1, 2.2, 3.3], origin: [-7, 8.5, 0.125], direction },
  );
  for (const [name, compress] of [
    ['rt.mha', true],
    ['rt.mhd', false],
  ] as const) {
    writeMetaImage(img, join(dir, name), { compress });
    const back = readMetaImage(join(dir, name));
    assert.deepEqual(back.shape, img.shape);
    assert.deepEqual(Array.from(back.data), Array.from(img.data));
    assert.deepEqual(back.origin, img.origin);
    back.direction.forEach((v, n) => assert.ok(Math.abs(v - direction[n]!) < 1e-12));
    back.spacing.forEach((v, n) => assert.ok(Math.abs(v - img.spacing[n]!) < 1e-12));
  }
});

test('broken MetaImage headers and data give one-line FileFormatErrors', () => {
  const base = ['ObjectType = Image', 'NDims = 3', 'DimSize = 2 2 2', 'ElementType = MET_UCHAR'];
  const cases: Array<[string[], Uint8Array, RegExp]> = [
    [
      [...base.filter((l) => !l.startsWith('DimSize')), 'ElementDataFile = LOCAL'],
      new Uint8Array(8),
      /missing DimSize/,
    ],
    [[...base], new Uint8Array(8), /no ElementDataFile/],
    [[...base, 'ElementDataFile = LOCAL'], new Uint8Array(7), /truncated/],
    [
      [...base, 'CompressedData = True', 'ElementDataFile = LOCAL'],
      new Uint8Array([1, 2, 3, 4]),
      /corrupt or truncated zlib/,
    ],
    [
      [
        'ObjectType = Image',
        'NDims = 3',
        'DimSize = 100000 100000 100000',
        'ElementType = MET_UCHAR',
        'CompressedData = True',
        'ElementDataFile = LOCAL',
      ],
      deflateSync(new Uint8Array(10)),
      /too large|cannot hold/,
    ],
    [
      [...base.slice(0, 3), 'ElementType = MET_STRING', 'ElementDataFile = LOCAL'],
      new Uint8Array(8),
      /unsupported MetaImage ElementType/,
    ],
    [[...base, 'ElementDataFile = missing.raw'], new Uint8Array(0), /missing\.raw: no such file/],
  ];
  cases.forEach(([lines, data, reason], n) => {
    const path = mha(`bad${n}.mha`, lines, data);
    assert.throws(
      () => readMetaImage(path),
      (e: Error) => e.name === 'FileFormatError' && reason.test(e.message) && !e.message.includes('\n'),
      `${reason}`,
    );
  });
});
