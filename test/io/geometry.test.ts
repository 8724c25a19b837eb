import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orientationCode, oppositeOrientation, worldToIndex } from '../../src/io/geometry.js';
import { createImage, indexToWorld, type Mat3 } from '../../src/io/image.js';
import { affineToGeometry, type Affine } from '../../src/io/nifti/affine.js';
import { Random } from '../../src/util/random.js';
import { NIBABEL } from '../helpers/nibabel.js';
import { referenceTest, runPython } from '../helpers/reference.js';

test('orientation codes name where each index points towards (LPS identity, RAS flipped)', () => {
  assert.equal(orientationCode([1, 0, 0, 0, 1, 0, 0, 0, 1]), 'LPS');
  assert.equal(orientationCode([-1, 0, 0, 0, -1, 0, 0, 0, 1]), 'RAS');
  // i → inferior, j → left, k → anterior.
  assert.equal(orientationCode([0, 1, 0, 0, 0, -1, -1, 0, 0]), 'ILA');
  assert.equal(oppositeOrientation('LPS'), 'RAI', 'ITK calls the LPS-identity direction RAI');
  assert.equal(oppositeOrientation('RAI'), 'LPS');
  assert.throws(() => oppositeOrientation('LLS'), /twice/);
});

function randomAffines(n: number): Affine[] {
  const rnd = new Random(7);
  const out: Affine[] = [];
  for (let m = 0; m < n; m++) {
    // A signed axis permutation perturbed by up to ±0.6 per entry: oblique but with a clear dominant axis.
    const perm = [0, 1, 2].sort(() => rnd.next() - 0.5);
    const a = new Array<number>(12).fill(0);
    for (let c = 0; c < 3; c++) {
      const scale = 0.5 + 3 * rnd.next();
      for (let r = 0; r < 3; r++)
        a[r * 4 + c] = scale * ((r === perm[c] ? (rnd.next() < 0.5 ? -1 : 1) : 0) + (rnd.next() - 0.5) * 0.6);
      a[c * 4 + 3] = 100 * (rnd.next() - 0.5);
    }
    out.push(a as Affine);
  }
  return out;
}

referenceTest('orientation codes agree with nibabel aff2axcodes on 200 oblique affines', NIBABEL, () => {
  const affines = randomAffines(200);
  const script = `import sys, json, numpy as np, nibabel as nib
A = json.loads(sys.stdin.read())
print(json.dumps([''.join(nib.aff2axcodes(np.vstack([np.array(a).reshape(3,4), [0,0,0,1]]))) for a in A]))`;
  const expected = JSON.parse(runPython(script, [], JSON.stringify(affines))) as string[];
  affines.forEach((a, n) =>
    assert.equal(orientationCode(affineToGeometry(a).direction), expected[n], `affine ${n}: ${a}`),
  );
});

test('worldToIndex inverts indexToWorld for a sheared, oblique geometry', () => {
  const direction: Mat3 = [0.8, 0.1, -0.6, 0.6, 0.2, 0.8, 0, 0.97, 0.1];
  const img = createImage(new Uint8Array(1), [1, 1, 1], { spacing: [0.5, 2, 3], origin: [10, -20, 5], direction });
  for (const index of [
    [0, 0, 0],
    [1.5, -2, 7],
    [100, 3.25, -8],
  ]) {
    const back = worldToIndex(img, indexToWorld(img, index));
    back.forEach((v, n) => assert.ok(Math.abs(v - index[n]!) < 1e-9, `${index} → ${back}`));
  }
});
