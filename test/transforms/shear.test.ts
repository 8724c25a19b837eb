import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { shearMatrix } from '../../src/transforms/spatial-math.js';
import { RandomSpatial, SpatialTransform } from '../../src/transforms/spatial.js';
import { Random } from '../../src/util/random.js';

function spot(size: number, at: [number, number]): ve.Tensor {
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      data[y * size + x] = Math.exp(-((y - at[0]) ** 2 + (x - at[1]) ** 2) / (2 * 1.5 ** 2));
  return ve.Tensor.from(data, [1, size, size]);
}

function centreOfMass(t: ve.Tensor, size: number): [number, number] {
  const d = t.toArray() as Float32Array;
  let s = 0,
    y0 = 0,
    x0 = 0;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const v = d[y * size + x]!;
      s += v;
      y0 += v * y;
      x0 += v * x;
    }
  return [y0 / s, x0 / s];
}

test('shear moves a spot where the matrix says (hand-computed)', () => {
  const m = shearMatrix([Math.PI / 4], 2);
  assert.ok(
    [1, 0, 1, 1].every((v, i) => Math.abs(m.flat()[i]! - v) < 1e-12),
    `${m}`,
  );
  // source x = c + Sh·(o − c), Sh = [[1, 0], [t, 1]]: a spot at (10, 20) of a 40² image (c = 19.5) lands
  // at o = (10, 20 − t·(10 − 19.5)) = (10, 20 + 9.5·t); t = tan 30° → W 25.485
  ve.tidy(() => {
    const t = Math.tan(Math.PI / 6);
    const out = new SpatialTransform({ patchSize: [40, 40], shears: [Math.PI / 6] }).apply({
      image: spot(40, [10, 20]),
    });
    const [y, x] = centreOfMass(out.image, 40);
    assert.ok(Math.abs(y - 10) < 0.05 && Math.abs(x - (20 + 9.5 * t)) < 0.05, `centre of mass (${y}, ${x})`);
  });
});

test('shear is drawn from the seed, only when asked for, and recorded', () => {
  const base = { patchSize: [16, 16], rotation: { p: 0.5, angleDeg: [-10, 10] as [number, number] } };
  const withShear = new RandomSpatial({ ...base, shear: { p: 1, angleDeg: [-20, 20] } });
  const a = withShear.sample(new Random(5), { spatialShape: [16, 16], channels: 1 });
  const b = withShear.sample(new Random(5), { spatialShape: [16, 16], channels: 1 });
  assert.deepEqual(a.record(), b.record());
  const shear = a.params.shears![0]!;
  assert.ok(Math.abs(shear) <= (20 * Math.PI) / 180 && shear !== 0);
  // a sampler without the option draws the same rotation as before the option existed
  const plain = new RandomSpatial(base).sample(new Random(5), { spatialShape: [16, 16], channels: 1 });
  assert.deepEqual(plain.params.angles, a.params.angles);
  assert.equal(plain.params.shears, undefined);
});
