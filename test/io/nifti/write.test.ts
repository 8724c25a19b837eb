// The writer's files read back with the same geometry and voxels, and nibabel sees the same affine
// in both the sform and the qform.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createImage, type Mat3 } from '../../../src/io/image.js';
import { geometryToAffine } from '../../../src/io/nifti/affine.js';
import { readNifti } from '../../../src/io/nifti/read.js';
import { writeNifti } from '../../../src/io/nifti/write.js';
import { NIBABEL, nibabelView } from '../../helpers/nibabel.js';
import { referenceTest } from '../../helpers/reference.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir();

function rotation(ax: number, ay: number, az: number): Mat3 {
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(ax), Math.sin(ax), Math.cos(ay), Math.sin(ay), Math.cos(az), Math.sin(az)];
  // Rz · Ry · Rx
  return [
    cz * cy,
    cz * sy * sx - sz * cx,
    cz * sy * cx + sz * sx,
    sz * cy,
    sz * sy * sx + cz * cx,
    sz * sy * cx - cz * sx,
    -sy,
    cy * sx,
    cy * cx,
  ];
}

function close(a: readonly number[], b: readonly number[], tol: number, what: string): void {
  a.forEach((x, n) => assert.ok(Math.abs(x - b[n]!) <= tol, `${what}[${n}]: ${x} vs ${b[n]}`));
}

const oblique = createImage(
  Float32Array.from({ length: 4 * 3 * 2 * 2 }, (_, i) => i * 0.5 - 3),
  [4, 3, 2, 2],
  {
    spacing: [0.7, 1.3, 2.9],
    origin: [-12.5, 40.25, 7],
    direction: rotation(0.3, -0.2, 1.1),
  },
);
const leftHanded = createImage(
  Int16Array.from({ length: 24 }, (_, i) => i - 12),
  [2, 3, 4],
  {
    spacing: [1, 2, 3],
    origin: [1, 2, 3],
    direction: rotation(0.1, 0.2, 0.3).map((v, n) => (n % 3 === 2 ? -v : v)) as Mat3,
  },
);

test('write → read keeps voxels, dtype, shape and geometry (oblique 4D float, left-handed int16, .nii and .nii.gz)', () => {
  for (const [name, img] of [
    ['oblique.nii.gz', oblique],
    ['left.nii', leftHanded],
  ] as const) {
    const path = join(dir, name);
    writeNifti(img, path);
    const back = readNifti(path);
    assert.deepEqual(back.shape, img.shape);
    assert.equal(back.data.constructor, img.data.constructor);
    assert.deepEqual(Array.from(back.data), Array.from(img.data));
    close(back.spacing, img.spacing, 1e-5, `${name} spacing`);
    close(back.origin, img.origin, 1e-4, `${name} origin`);
    close(back.direction, img.direction, 1e-6, `${name} direction`);
  }
  assert.equal(gunzipSync(readFileSync(join(dir, 'oblique.nii.gz'))).readInt32LE(0), 348);
});

test('NIfTI-2 is written on request and read back', () => {
  const path = join(dir, 'v2.nii');
  writeNifti(leftHanded, path, { version: 2 });
  assert.equal(readFileSync(path).readInt32LE(0), 540);
  const back = readNifti(path);
  assert.equal(back.meta.format, 'nifti2');
  close(back.origin, leftHanded.origin, 1e-12, 'origin');
  assert.deepEqual(Array.from(back.data), Array.from(leftHanded.data));
});

referenceTest('nibabel reads the written sform and qform as the same affine (qfac -1 for left-handed)', NIBABEL, () => {
  const paths = [join(dir, 'n-oblique.nii.gz'), join(dir, 'n-left.nii')];
  writeNifti(oblique, paths[0]!, { sformCode: 2 });
  writeNifti(leftHanded, paths[1]!);
  const views = nibabelView(paths);
  for (const [path, img] of [
    [paths[0]!, oblique],
    [paths[1]!, leftHanded],
  ] as const) {
    const v = views[path]!;
    const expected = geometryToAffine(img);
    close(v.sform!.flat().slice(0, 12), expected, 1e-4, `${path} sform`);
    close(v.qform!.flat().slice(0, 12), expected, 1e-4, `${path} qform`);
    assert.deepEqual(v.codes, path === paths[0] ? [2, 2] : [1, 1]);
    assert.deepEqual(v.shape, img.shape);
    const mean = Array.from(img.data).reduce((a, b) => a + b, 0) / img.data.length;
    assert.ok(Math.abs(v.mean! - mean) < 1e-9);
  }
});

test('an interrupted or failing write leaves no file under the final name', () => {
  const path = join(dir, 'sub', 'nothing.nii');
  assert.throws(() => writeNifti({ ...leftHanded, shape: [1, 2, 3, 4, 5, 6, 7, 8] }, path), /at most 7 axes/);
  assert.throws(() => readFileSync(path));
});

test('a sheared (non-orthogonal) direction survives exactly through the sform; the qform holds the nearest rotation', () => {
  const s = Math.SQRT1_2;
  const sheared = createImage(new Uint8Array(8), [2, 2, 2], {
    spacing: [1, 2, 3],
    origin: [0, 0, 0],
    direction: [1, s, 0, 0, s, 0, 0, 0, 1],
  });
  const path = join(dir, 'shear.nii');
  writeNifti(sheared, path);
  const back = readNifti(path);
  assert.equal(back.meta['nifti.affine_source'], 'sform');
  close(back.direction, sheared.direction, 1e-6, 'direction');
  close(back.spacing, sheared.spacing, 1e-6, 'spacing');
  // The polar factor of the LPS shear block [[1, s], [0, s]] is a rotation by -22.5° about z; in RAS
  // (x and y negated) that becomes 180° - 22.5° = 157.5°, so quatern_d = sin(78.75°) = cos(π/16).
  const bytes = readFileSync(path);
  close([bytes.readFloatLE(256), bytes.readFloatLE(260)], [0, 0], 1e-7, 'quatern b, c');
  assert.ok(
    Math.abs(Math.abs(bytes.readFloatLE(264)) - Math.cos(Math.PI / 16)) < 1e-6,
    `quatern_d ${bytes.readFloatLE(264)}`,
  );
});
