import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orientationCode, worldToIndex } from '../../src/io/geometry.js';
import { createImage, indexToWorld, type Mat3 } from '../../src/io/image.js';
import { geometryToAffine } from '../../src/io/nifti/affine.js';
import { readNifti } from '../../src/io/nifti/read.js';
import { reorient } from '../../src/io/reorient.js';
import { sharedData, skipUnlessData } from '../helpers/data.js';
import { NIBABEL } from '../helpers/nibabel.js';
import { referenceTest, runPython } from '../helpers/reference.js';

test('flipping i of a 3×2 LPS image to RPS reverses rows and moves the origin to the old last column', () => {
  const img = createImage(Uint8Array.from([1, 2, 3, 4, 5, 6]), [3, 2, 1], { spacing: [2, 1, 1], origin: [10, 0, 0] });
  const out = reorient(img, 'RPS');
  assert.deepEqual(Array.from(out.data), [3, 2, 1, 6, 5, 4]);
  assert.deepEqual(out.origin, [14, 0, 0]);
  assert.deepEqual(out.direction, [-1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.equal(reorient(img, 'LPS'), img, 'already in that orientation: returned as is');
});

test('every voxel keeps its world position and value through a permute+flip (with a channel axis)', () => {
  const direction: Mat3 = [0, 0, -1, 1, 0, 0, 0, -1, 0]; // i → P, j → I, k → R: 'PIR'
  const shape = [4, 3, 5, 2];
  const img = createImage(
    Float32Array.from({ length: 120 }, (_, n) => n),
    shape,
    { spacing: [1, 2, 3], origin: [5, 6, 7], direction },
  );
  assert.equal(orientationCode(direction), 'PIR');
  for (const target of ['RAS', 'LPS', 'SAL', 'IRP']) {
    const out = reorient(img, target);
    assert.equal(orientationCode(out.direction), target);
    assert.deepEqual(out.shape.slice(3), [2]);
    const [ni, nj, nk] = out.shape as [number, number, number];
    for (let c = 0; c < 2; c++)
      for (let k = 0; k < nk; k++)
        for (let j = 0; j < nj; j++)
          for (let i = 0; i < ni; i++) {
            const old = worldToIndex(img, indexToWorld(out, [i, j, k])).map(Math.round) as number[];
            const expected = img.data[old[0]! + 4 * (old[1]! + 3 * (old[2]! + 5 * c))];
            assert.equal(out.data[i + ni * (j + nj * (k + nk * c))], expected);
          }
  }
});

referenceTest(
  "reorienting the LAS anatomical sample to RAS matches nibabel's as_closest_canonical",
  NIBABEL,
  () => {
    const path = sharedData('nifti-samples', 'nibabel', 'anatomical.nii')!;
    const script = `import sys, json, numpy as np, nibabel as nib
c = nib.as_closest_canonical(nib.load(sys.argv[1]))
print(json.dumps({'affine': c.affine[:3].ravel().tolist(), 'data': np.asarray(c.dataobj).ravel(order='F').tolist()}))`;
    const expected = JSON.parse(runPython(script, [path])) as { affine: number[]; data: number[] };
    const out = reorient(readNifti(path), 'RAS');
    geometryToAffine(out).forEach((v, n) => assert.ok(Math.abs(v - expected.affine[n]!) < 1e-5, `affine[${n}]`));
    assert.deepEqual(Array.from(out.data), expected.data);
  },
  skipUnlessData('nifti-samples', 'nibabel', 'anatomical.nii'),
);
