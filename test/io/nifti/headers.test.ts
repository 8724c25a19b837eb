// Hand-built NIfTI headers (written field by field by test/helpers/nifti-builder.ts) whose geometry
// and intensities are worked out by hand here.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { indexToWorld } from '../../../src/io/image.js';
import { readNifti } from '../../../src/io/nifti/read.js';
import { buildNifti, buildNiftiHeader, bytesOf } from '../../helpers/nifti-builder.js';
import { NIBABEL, nibabelView } from '../../helpers/nibabel.js';
import { referenceTest } from '../../helpers/reference.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir();
let counter = 0;
function file(bytes: Uint8Array, ext = '.nii'): string {
  const path = join(dir, `h${counter++}${ext}`);
  writeFileSync(path, bytes);
  return path;
}

function close(actual: readonly number[], expected: readonly number[], tol = 1e-6, what = ''): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, n) => assert.ok(Math.abs(a - expected[n]!) <= tol, `${what}[${n}]: ${a} vs ${expected[n]}`));
}

const ramp = (n: number) => Int16Array.from({ length: n }, (_, i) => i);

test('qform with a 90° rotation about z and qfac -1 gives the hand-computed LPS geometry', () => {
  // a = cos 45°, d = sin 45°: R = [[0,-1,0],[1,0,0],[0,0,1]]; affine = R · diag(2, 3, -4) + (10, 20, 30).
  const path = file(
    buildNifti(
      {
        dims: [2, 3, 4],
        datatype: 4,
        bitpix: 16,
        pixdim: [-1, 2, 3, 4, 1, 1, 1, 1],
        qformCode: 1,
        quatern: [0, 0, Math.SQRT1_2],
        qoffset: [10, 20, 30],
      },
      bytesOf(ramp(24)),
    ),
  );
  const img = readNifti(path);
  assert.equal(img.meta['nifti.affine_source'], 'qform');
  close(img.spacing, [2, 3, 4]);
  // RAS columns (0,1,0), (-1,0,0), (0,0,-1) → LPS (0,-1,0), (1,0,0), (0,0,-1).
  close(img.direction, [0, 1, 0, -1, 0, 0, 0, 0, -1]);
  close(img.origin, [-10, -20, 30]);
  // Voxel (1, 2, 3): RAS = (10,20,30) + 1·(0,2,0) + 2·(-3,0,0) + 3·(0,0,-4) = (4, 22, 18) → LPS (-4, -22, 18).
  close(indexToWorld(img, [1, 2, 3]), [-4, -22, 18], 1e-5);
});

const angle = Math.PI / 6;
function obliqueQform(): string {
  return file(
    buildNifti(
      {
        dims: [4, 4, 4],
        datatype: 4,
        bitpix: 16,
        pixdim: [1, 1.5, 1.5, 2.5, 1, 1, 1, 1],
        qformCode: 1,
        quatern: [Math.sin(angle / 2), 0, 0],
        qoffset: [-5, 7, 11],
      },
      bytesOf(ramp(64)),
    ),
  );
}

test('an oblique qform (30° about x) matches the rotation matrix', () => {
  const img = readNifti(obliqueQform());
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  // RAS rotation about x: columns (1,0,0), (0,c,s), (0,-s,c) → LPS (-1,0,0), (0,-c,s), (0,s,c).
  close(img.direction, [-1, 0, 0, 0, -c, s, 0, s, c], 1e-6);
  close(img.spacing, [1.5, 1.5, 2.5], 1e-6);
  close(img.origin, [5, -7, 11], 1e-6);
});

referenceTest('an oblique qform (30° about x) maps voxels to the world nibabel reports', NIBABEL, () => {
  const path = obliqueQform();
  const img = readNifti(path);
  const view = nibabelView([path])[path]!;
  const world = indexToWorld(img, [3, 2, 1]);
  const a = view.affine;
  const ras = [0, 1, 2].map((r) => a[r]![0]! * 3 + a[r]![1]! * 2 + a[r]![2]! * 1 + a[r]![3]!);
  close(world, [-ras[0]!, -ras[1]!, ras[2]!], 1e-5, 'world of voxel (3,2,1) vs nibabel');
});

test('the sform wins over the qform when sform_code > 0; qform when only it is set; pixdim fallback otherwise', () => {
  const common = {
    dims: [5, 6, 7],
    datatype: 2,
    bitpix: 8,
    pixdim: [1, 2, 3, 4, 1, 1, 1, 1],
    quatern: [0, 0, 1],
    qoffset: [1, 2, 3],
  };
  const data = new Uint8Array(210);
  const srow = [0, 0, 4, -50, 2, 0, 0, -60, 0, 3, 0, -70];
  const both = readNifti(file(buildNifti({ ...common, qformCode: 1, sformCode: 2, srow }, data)));
  assert.equal(both.meta['nifti.affine_source'], 'sform');
  // sform columns (RAS): i → (0,2,0), j → (0,0,3), k → (4,0,0).
  close(both.spacing, [2, 3, 4]);
  close(both.direction, [0, 0, -1, -1, 0, 0, 0, 1, 0]);
  close(both.origin, [50, 60, -70]);

  const qonly = readNifti(file(buildNifti({ ...common, qformCode: 1, sformCode: 0, srow }, data)));
  assert.equal(qonly.meta['nifti.affine_source'], 'qform');
  // quaternion (0,0,0,1): 180° about z, R = diag(-1,-1,1) → LPS direction = identity.
  close(qonly.direction, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  close(qonly.origin, [-1, -2, 3]);

  const none = readNifti(file(buildNifti({ ...common, qformCode: 0, sformCode: 0, srow }, data)));
  assert.equal(none.meta['nifti.affine_source'], 'base');
  // nibabel's base affine: diag(-2, 3, 4), centred: translation (2·2, -2.5·3, -3·4) = (4, -7.5, -12) RAS.
  close(none.direction, [1, 0, 0, 0, -1, 0, 0, 0, 1]);
  close(none.spacing, [2, 3, 4]);
  close(none.origin, [-4, 7.5, -12]);
});

test('scl_slope / scl_inter are applied to float values; slope 0 means unscaled', () => {
  const scaled = readNifti(
    file(buildNifti({ dims: [2, 2, 2], datatype: 4, bitpix: 16, sclSlope: 0.5, sclInter: -3 }, bytesOf(ramp(8)))),
  );
  assert.ok(scaled.data instanceof Float32Array);
  assert.deepEqual(Array.from(scaled.data), [-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5]);
  const unscaled = readNifti(
    file(buildNifti({ dims: [2, 2, 2], datatype: 4, bitpix: 16, sclSlope: 0, sclInter: 100 }, bytesOf(ramp(8)))),
  );
  assert.ok(unscaled.data instanceof Int16Array);
  assert.deepEqual(Array.from(unscaled.data), [0, 1, 2, 3, 4, 5, 6, 7]);
  const int32 = readNifti(
    file(
      buildNifti(
        { dims: [2, 1, 1], datatype: 8, bitpix: 32, sclSlope: 2, sclInter: 1 },
        bytesOf(new Int32Array([2 ** 30, -7])),
      ),
    ),
  );
  assert.ok(int32.data instanceof Float64Array, '32-bit integers scale to float64 to stay exact');
  assert.deepEqual(Array.from(int32.data), [2 ** 31 + 1, -13]);
});

test('big-endian files of every width decode to the same values', () => {
  const cases: Array<[number, number, ArrayBufferView & { BYTES_PER_ELEMENT: number; length: number }]> = [
    [4, 16, new Int16Array([-2, 300, 32767, -32768])],
    [512, 16, new Uint16Array([1, 65535, 256, 0])],
    [8, 32, new Int32Array([-1, 2 ** 31 - 1, 70000, 0])],
    [16, 32, new Float32Array([1.5, -2.25, 1e30, 0])],
    [64, 64, new Float64Array([Math.PI, -1e-300, 42, 0])],
  ];
  for (const [datatype, bitpix, values] of cases) {
    const img = readNifti(
      file(buildNifti({ dims: [4, 1, 1], datatype, bitpix, littleEndian: false }, bytesOf(values, false))),
    );
    assert.deepEqual(Array.from(img.data), Array.from(values as unknown as ArrayLike<number>), `datatype ${datatype}`);
  }
});

test('int64/uint64 become int32 when exact, else float64; RGB24 becomes a channel axis; complex is refused', () => {
  const small = readNifti(
    file(
      buildNifti({ dims: [3, 1, 1], datatype: 1024, bitpix: 64 }, bytesOf(new BigInt64Array([-5n, 0n, 2147483647n]))),
    ),
  );
  assert.ok(small.data instanceof Int32Array);
  assert.deepEqual(Array.from(small.data), [-5, 0, 2147483647]);
  const big = readNifti(
    file(buildNifti({ dims: [2, 1, 1], datatype: 1280, bitpix: 64 }, bytesOf(new BigUint64Array([2n ** 40n, 1n])))),
  );
  assert.ok(big.data instanceof Float64Array);
  assert.deepEqual(Array.from(big.data), [2 ** 40, 1]);

  const rgb = readNifti(
    file(buildNifti({ dims: [2, 1, 1], datatype: 128, bitpix: 24 }, new Uint8Array([10, 20, 30, 40, 50, 60]))),
  );
  assert.deepEqual(rgb.shape, [2, 1, 1, 3]);
  assert.deepEqual(Array.from(rgb.data), [10, 40, 20, 50, 30, 60]);

  const complex = file(buildNifti({ dims: [1, 1, 1], datatype: 32, bitpix: 64 }, new Uint8Array(8)));
  assert.throws(
    () => readNifti(complex),
    (e: Error) => e.name === 'FileFormatError' && /complex64/.test(e.message) && e.message.includes(complex),
  );
});

test('NIfTI-2 (540-byte header, 64-bit fields) with an sform, gzipped', () => {
  const srow = [-0.5, 0, 0, 10, 0, 0.75, 0, -20, 0, 0, 1.25, 30];
  const path = file(
    gzipSync(
      buildNifti(
        { version: 2, dims: [3, 2, 2], datatype: 16, bitpix: 32, sformCode: 1, srow },
        bytesOf(Float32Array.from({ length: 12 }, (_, i) => i / 4)),
      ),
    ),
    '.nii.gz',
  );
  const img = readNifti(path);
  assert.equal(img.meta.format, 'nifti2');
  close(img.spacing, [0.5, 0.75, 1.25]);
  close(img.direction, [1, 0, 0, 0, -1, 0, 0, 0, 1]);
  close(img.origin, [-10, 20, 30]);
  assert.equal(img.data[11], 11 / 4);
});

test('2D, 4D and 5D (vector) data keep nibabel shapes; vox_offset beyond the header is honoured', () => {
  const twoD = readNifti(
    file(buildNifti({ dims: [3, 2], datatype: 2, bitpix: 8 }, new Uint8Array([1, 2, 3, 4, 5, 6]))),
  );
  assert.deepEqual(twoD.shape, [3, 2, 1]);
  const vec = readNifti(
    file(
      buildNifti(
        { dims: [2, 1, 1, 1, 3], datatype: 2, bitpix: 8 },
        Uint8Array.from({ length: 6 }, (_, i) => i),
      ),
    ),
  );
  assert.deepEqual(vec.shape, [2, 1, 1, 1, 3]);
  assert.deepEqual(Array.from(vec.data), [0, 1, 2, 3, 4, 5]);
  const padded = readNifti(
    file(buildNifti({ dims: [2, 1, 1], datatype: 2, bitpix: 8, voxOffset: 400 }, new Uint8Array([7, 9]))),
  );
  assert.deepEqual(Array.from(padded.data), [7, 9]);
});

test('a .hdr/.img pair (magic ni1, data at vox_offset 0 of the .img, gzipped .img too)', () => {
  const header = buildNiftiHeader({
    dims: [2, 2, 1],
    datatype: 4,
    bitpix: 16,
    magic: 'ni1\0',
    voxOffset: 0,
    sformCode: 1,
    srow: [1, 0, 0, 5, 0, 1, 0, 6, 0, 0, 1, 7],
  });
  writeFileSync(join(dir, 'pair.hdr'), header.subarray(0, 348));
  writeFileSync(join(dir, 'pair.img'), bytesOf(Int16Array.from([4, 3, 2, 1])));
  for (const name of ['pair.hdr', 'pair.img']) {
    const img = readNifti(join(dir, name));
    assert.deepEqual(Array.from(img.data), [4, 3, 2, 1]);
    close(img.origin, [-5, -6, 7]);
  }
  writeFileSync(join(dir, 'gzpair.hdr'), header.subarray(0, 348));
  writeFileSync(join(dir, 'gzpair.img.gz'), gzipSync(bytesOf(Int16Array.from([9, 8, 7, 6]))));
  assert.deepEqual(Array.from(readNifti(join(dir, 'gzpair.hdr')).data), [9, 8, 7, 6]);
});

test('an Analyze 7.5 header (no magic) uses the SPM origin when set, else the volume centre', () => {
  const analyze = buildNiftiHeader({
    dims: [4, 6, 8],
    datatype: 2,
    bitpix: 8,
    pixdim: [0, 2, 3, 4, 0, 0, 0, 0],
    magic: '\0\0\0\0',
    voxOffset: 0,
  }).subarray(0, 348);
  const centred = Buffer.from(analyze);
  writeFileSync(join(dir, 'an.hdr'), centred);
  writeFileSync(join(dir, 'an.img'), new Uint8Array(4 * 6 * 8));
  const c = readNifti(join(dir, 'an.hdr'));
  assert.equal(c.meta.format, 'analyze');
  // x flipped: RAS affine diag(-2, 3, 4), centre (1.5, 2.5, 3.5) at world 0 → translation (3, -7.5, -14).
  close(c.direction, [1, 0, 0, 0, -1, 0, 0, 0, 1]);
  close(c.origin, [-3, 7.5, -14]);
  const spm = Buffer.from(analyze);
  spm.writeInt16LE(2, 253); // SPM origin (1-based): voxel (1, 1, 1) 0-based is the world origin
  spm.writeInt16LE(2, 255);
  spm.writeInt16LE(2, 257);
  writeFileSync(join(dir, 'an.hdr'), spm);
  const s = readNifti(join(dir, 'an.hdr'));
  close(indexToWorld(s, [1, 1, 1]), [0, 0, 0], 1e-9);
});

test('a multi-member gzip (.nii.gz written in blocks, as bgzip/pigz -i do) reads whole', () => {
  const body = buildNifti({ dims: [4, 4, 4], datatype: 4, bitpix: 16 }, bytesOf(ramp(64)));
  const members = Buffer.concat([
    gzipSync(body.subarray(0, 100)),
    gzipSync(body.subarray(100, 300)),
    gzipSync(body.subarray(300)),
  ]);
  assert.deepEqual(Array.from(readNifti(file(members, '.nii.gz')).data), Array.from(ramp(64)));
});
