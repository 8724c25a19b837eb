// NRRD files written by hand here (header text + bytes) with geometry worked out by hand, then the
// writer's round trip and the errors for broken headers.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createImage, indexToWorld, type Mat3 } from '../../../src/io/image.js';
import { readNrrd } from '../../../src/io/nrrd/read.js';
import { writeNrrd } from '../../../src/io/nrrd/write.js';
import { bytesOf } from '../../helpers/nifti-builder.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir();
let counter = 0;
function nrrd(lines: string[], data: Uint8Array, name = `f${counter++}.nrrd`): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([Buffer.from(`${lines.join('\n')}\n\n`, 'latin1'), data]));
  return path;
}

test('RAS space directions and origin are converted to LPS; a leading vector axis becomes the last axis', () => {
  // 3 components × 2 × 2 × 1 voxels; component c of voxel (i, j) = 100c + 10j + i.
  const values: number[] = [];
  for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) for (let c = 0; c < 3; c++) values.push(100 * c + 10 * j + i);
  const path = nrrd(
    [
      'NRRD0004',
      '# a Slicer-style vector volume',
      'type: short',
      'dimension: 4',
      'space: right-anterior-superior',
      'sizes: 3 2 2 1',
      'space directions: none (0,1.5,0) (-2,0,0) (0,0,3)',
      'kinds: vector domain domain domain',
      'endian: little',
      'encoding: raw',
      'space origin: (10,20,30)',
      'description:=key values are kept apart',
    ],
    bytesOf(Int16Array.from(values)),
  );
  const img = readNrrd(path);
  assert.deepEqual(img.shape, [2, 2, 1, 3]);
  assert.deepEqual(img.spacing, [1.5, 2, 3]);
  // RAS (0,1.5,0) → LPS (0,-1.5,0); RAS (-2,0,0) → LPS (2,0,0).
  assert.deepEqual(img.direction, [0, 1, 0, -1, 0, 0, 0, 0, 1]);
  assert.deepEqual(img.origin, [-10, -20, 30]);
  assert.deepEqual(indexToWorld(img, [1, 1, 0]), [-8, -21.5, 30]);
  for (let c = 0; c < 3; c++)
    for (let j = 0; j < 2; j++)
      for (let i = 0; i < 2; i++) assert.equal(img.data[i + 2 * (j + 2 * c)], 100 * c + 10 * j + i);
});

test('gzip, big-endian float data; spacings without space directions; ascii encoding', () => {
  const values = Float32Array.from([1.5, -2, 3.25, 1e-3, 7, 8]);
  const gz = readNrrd(
    nrrd(
      [
        'NRRD0005',
        'type: float',
        'dimension: 3',
        'sizes: 3 2 1',
        'spacings: 0.5 0.25 4',
        'endian: big',
        'encoding: gzip',
      ],
      gzipSync(bytesOf(values, false)),
    ),
  );
  assert.deepEqual(Array.from(gz.data), Array.from(values));
  assert.deepEqual(gz.spacing, [0.5, 0.25, 4]);
  assert.deepEqual(gz.direction, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const ascii = readNrrd(
    nrrd(['NRRD0004', 'type: int', 'dimension: 2', 'sizes: 2 2', 'encoding: ascii'], Buffer.from('1 2\n-3 4\n')),
  );
  assert.deepEqual(ascii.shape, [2, 2, 1]);
  assert.deepEqual(Array.from(ascii.data), [1, 2, -3, 4]);
});

test('detached header (.nhdr) with a gzip data file and a byte skip', () => {
  writeFileSync(join(dir, 'det.raw.gz'), gzipSync(Buffer.concat([Buffer.from([9, 9]), Buffer.from([5, 6, 7, 8])])));
  writeFileSync(
    join(dir, 'det.nhdr'),
    [
      'NRRD0004',
      'type: uchar',
      'dimension: 3',
      'sizes: 2 2 1',
      'space: left-posterior-superior',
      'space directions: (1,0,0) (0,1,0) (0,0,1)',
      'encoding: gzip',
      'byte skip: 2',
      'data file: det.raw.gz',
      '',
    ].join('\n'),
  );
  assert.deepEqual(Array.from(readNrrd(join(dir, 'det.nhdr')).data), [5, 6, 7, 8]);
});

test('write → read keeps voxels and oblique geometry (.nrrd gzip, .nhdr raw, channel axis)', () => {
  const c = Math.cos(0.4),
    s = Math.sin(0.4);
  const direction: Mat3 = [c, -s, 0, s, c, 0, 0, 0, 1];
  const img = createImage(
    Int16Array.from({ length: 4 * 3 * 2 * 2 }, (_, n) => n * 3 - 50),
    [4, 3, 2, 2],
    { spacing: [0.3, 0.7, 1.9], origin: [-1.25, 3.5, 100.125], direction },
  );
  for (const name of ['rt.nrrd', 'rt.nhdr']) {
    const path = join(dir, name);
    writeNrrd(img, path, { encoding: name.endsWith('.nrrd') ? 'gzip' : 'raw' });
    const back = readNrrd(path);
    assert.deepEqual(back.shape, img.shape);
    assert.deepEqual(Array.from(back.data), Array.from(img.data));
    back.spacing.forEach((v, n) => assert.ok(Math.abs(v - img.spacing[n]!) < 1e-12));
    back.direction.forEach((v, n) => assert.ok(Math.abs(v - img.direction[n]!) < 1e-12));
    assert.deepEqual(back.origin, img.origin);
  }
});

test('missing fields, bad sizes, truncated data and garbage give one-line FileFormatErrors', () => {
  const cases: Array<[string[], Uint8Array, RegExp]> = [
    [
      ['NRRD0004', 'type: short', 'dimension: 3', 'encoding: raw', 'endian: little'],
      new Uint8Array(8),
      /missing the required field 'sizes'/,
    ],
    [
      ['NRRD0004', 'type: short', 'dimension: 3', 'sizes: 2 2 2', 'encoding: raw'],
      new Uint8Array(16),
      /missing the required field 'endian'/,
    ],
    [
      ['NRRD0004', 'type: short', 'dimension: 3', 'sizes: 2 -2 2', 'encoding: raw', 'endian: little'],
      new Uint8Array(16),
      /sizes/,
    ],
    [
      ['NRRD0004', 'type: short', 'dimension: 3', 'sizes: 2 2 2', 'encoding: raw', 'endian: little'],
      new Uint8Array(15),
      /truncated/,
    ],
    [
      ['NRRD0004', 'type: short', 'dimension: 3', 'sizes: 500 500 500', 'encoding: gzip', 'endian: little'],
      gzipSync(new Uint8Array(100)),
      /too large|cannot hold/,
    ],
    [
      ['NRRD0004', 'type: block', 'dimension: 1', 'sizes: 2', 'encoding: raw'],
      new Uint8Array(2),
      /unsupported NRRD type/,
    ],
    [
      ['NRRD0004', 'type: uchar', 'dimension: 1', 'sizes: 2', 'encoding: bzip2'],
      new Uint8Array(2),
      /unsupported NRRD encoding/,
    ],
    [['PNG junk', 'x'], new Uint8Array(2), /not a NRRD/],
  ];
  for (const [lines, data, reason] of cases) {
    const path = nrrd(lines, data);
    assert.throws(
      () => readNrrd(path),
      (e: Error) =>
        e.name === 'FileFormatError' &&
        e.message.startsWith(path) &&
        reason.test(e.message) &&
        !e.message.includes('\n'),
      String(reason),
    );
  }
});
