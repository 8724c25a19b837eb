import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import {
  Compose,
  Flip,
  Rot90,
  SpatialTransform,
  arraySource,
  elasticField,
  gaussianKernel1d,
  gridDistortionField,
  linearPart,
  rot90,
} from '../../src/transforms/index.js';
import { Random } from '../../src/util/random.js';
import { assertClose, centreOfMass, values } from './helpers.js';

function randomLabel(shape: number[], classes: number[], seed: number): ve.Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(n);
  // blocky labels: runs of one class
  for (let i = 0; i < n; i += 5) data.fill(classes[rng.int(classes.length)]!, i, i + 5);
  return ve.Tensor.from(data, [1, ...shape], { dtype: 'uint8' });
}

test('a 90° rotation through the affine path equals rot90 (image within float rounding, label exactly)', () => {
  ve.manualSeed(1);
  // 2D, even and odd sizes
  for (const size of [6, 7]) {
    const image = ve.randn([2, size, size]);
    const label = randomLabel([size, size], [0, 1, 2], size);
    for (const k of [1, 2, 3]) {
      const t = new SpatialTransform({ patchSize: [size, size], angles: [(k * Math.PI) / 2] });
      const out = t.apply({ image, label });
      assertClose(values(out.image), values(rot90(image, k, [0, 1])), 1e-5, `2D k=${k}`);
      assert.deepEqual(values(out.label!), values(rot90(label, k, [0, 1])));
    }
  }
  // 3D: rotation about axis k turns the plane of the other two axes
  const image = ve.randn([1, 5, 5, 5]);
  const label = randomLabel([5, 5, 5], [0, 4], 9);
  for (const [axis, plane] of [
    [0, [1, 2]],
    [1, [0, 2]],
    [2, [0, 1]],
  ] as const) {
    const angles = [0, 0, 0];
    angles[axis] = Math.PI / 2;
    const out = new SpatialTransform({ patchSize: [5, 5, 5], angles }).apply({ image, label });
    assertClose(values(out.image), values(rot90(image, 1, plane)), 1e-5, `3D about ${axis}`);
    assert.deepEqual(values(out.label!), values(rot90(label, 1, plane)));
  }
});

test('rot90 by hand: out[a, b] = in[S−1−b, a]', () => {
  const x = ve.Tensor.from([1, 2, 3, 4], [1, 2, 2]);
  assert.deepEqual(values(rot90(x, 1, [0, 1])), [3, 1, 4, 2]);
  assert.deepEqual(values(rot90(x, 2, [0, 1])), [4, 3, 2, 1]);
  assert.deepEqual(values(rot90(x, 3, [0, 1])), [2, 4, 1, 3]);
});

function blob(shape: number[], at: number[], sigma: number): ve.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let flat = 0; flat < n; flat++) {
    let rest = flat,
      r2 = 0;
    for (let a = shape.length - 1; a >= 0; a--) {
      const x = rest % shape[a]!;
      rest = Math.floor(rest / shape[a]!);
      r2 += (x - at[a]!) ** 2;
    }
    data[flat] = Math.exp(-r2 / (2 * sigma * sigma));
  }
  return ve.Tensor.from(data, [1, ...shape]);
}

function solve(m: number[][], b: number[]): number[] {
  // Gaussian elimination (2×2 / 3×3)
  const n = b.length;
  const a = m.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    const p = a.reduce((best, _, r) => (r >= c && Math.abs(a[r]![c]!) > Math.abs(a[best]![c]!) ? r : best), c);
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

test('rotation + scaling moves a bright spot to where the matrix says (centre of mass)', () => {
  const cases = [
    { source: [64, 72], patch: [48, 40], centre: [30.5, 37], angles: [0.6], scales: [1.2, 1.2], spot: [38, 30] },
    {
      source: [40, 44, 48],
      patch: [32, 30, 28],
      centre: [20, 21.5, 23],
      angles: [0.3, -0.4, 0.5],
      scales: [0.8, 0.8, 0.8],
      spot: [24, 18, 27],
    },
  ];
  for (const c of cases) {
    const image = blob(c.source, c.spot, 1.5);
    const out = new SpatialTransform({
      patchSize: c.patch,
      centre: c.centre,
      angles: c.angles,
      scales: c.scales,
    }).apply({ image });
    const m = linearPart(c.angles, c.scales, c.patch.length);
    // x = centre + M·(o − (P−1)/2)  ⇒  o = M⁻¹(x − centre) + (P−1)/2
    const u = solve(
      m,
      c.spot.map((x, a) => x - c.centre[a]!),
    );
    const expected = u.map((v, a) => v + (c.patch[a]! - 1) / 2);
    const scale = c.scales[0]!;
    assertClose(centreOfMass(out.image), expected, 0.05 / Math.min(1, scale), `${c.patch.length}D spot`);
  }
});

test('a single bright voxel lands where the matrix says (centre of mass, magnifying transforms)', () => {
  const data = new Float32Array(40 * 40);
  data[17 * 40 + 23] = 1;
  const image = ve.Tensor.from(data, [1, 40, 40]);
  const centre = [20, 19.5];
  for (const [angle, scale] of [
    [0.5, 0.5],
    [1.1, 0.3],
    [2.5, 0.25],
    [-0.8, 0.6],
  ] as const) {
    const out = new SpatialTransform({ patchSize: [48, 48], centre, angles: [angle], scales: [scale, scale] }).apply({
      image,
    });
    const u = solve(linearPart([angle], [scale, scale], 2), [17 - centre[0]!, 23 - centre[1]!]);
    assertClose(
      centreOfMass(out.image),
      u.map((v) => v + 23.5),
      0.05,
      `angle ${angle} scale ${scale}`,
    );
  }
});

test('labels keep exactly their value set under rotation, scaling, elastic deformation and grid distortion', () => {
  const classes = [0, 3, 7];
  for (const shape of [
    [60, 50],
    [30, 34, 36],
  ]) {
    const n = shape.length;
    const label = randomLabel(shape, classes, 5);
    const image = label.to({ dtype: 'float32' }).mul(10);
    const patch = shape.map((s) => s - 8);
    const t = new SpatialTransform({
      patchSize: patch,
      angles: n === 2 ? [0.7] : [0.3, 0.2, -0.5],
      scales: Array(n).fill(0.85),
      elastic: { seed: 11, alpha: 400, sigma: 6 },
      gridDistortion: { factors: patch.map(() => [0.8, 1.3, 1.1, 0.9]) },
    });
    const out = t.apply({ image, label });
    assert.equal(out.label!.dtype, 'uint8');
    assert.deepEqual(out.label!.shape, [1, ...patch]);
    const seen = [...new Set(values(out.label!))].sort((a, b) => a - b);
    assert.deepEqual(seen, classes, `${n}D label values`);
    // the image was interpolated: values between classes appear
    assert.ok(values(out.image).some((v) => v % 10 !== 0));
  }
});

test('a typed-array source gives the same patch as the tensor source, reading only the touched region', () => {
  ve.manualSeed(4);
  const shape = [20, 26, 30];
  const image = ve.randn([2, ...shape]);
  const label = randomLabel(shape, [0, 1, 2], 3);
  const t = new SpatialTransform({
    patchSize: [12, 16, 10],
    centre: [9, 14.5, 20],
    angles: [0.2, 0.1, -0.3],
    scales: [1.1, 1.1, 1.1],
    elastic: { seed: 2, alpha: 100, sigma: 4 },
  });
  const fromTensor = t.apply({ image, label });
  const reads: number[][][] = [];
  const src = arraySource({
    image: image.toArray() as Float32Array,
    label: label.toArray() as Uint8Array,
    channels: 2,
    spatialShape: shape,
  });
  const fromArrays = t.applyFrom({
    ...src,
    read: (s, e) => {
      reads.push([[...s], [...e]]);
      return src.read(s, e);
    },
  });
  assert.deepEqual(values(fromArrays.image), values(fromTensor.image));
  assert.deepEqual(values(fromArrays.label!), values(fromTensor.label!));
  assert.equal(reads.length, 1);
  const [start, end] = reads[0]!;
  assert.ok(start!.some((s) => s > 0) || end!.some((e, a) => e < shape[a]!), 'a region, not the whole case');
});

test('an identity transform is an exact crop, padded with zeros (image) and background (label) outside', () => {
  const image = ve.arange(1, 13, 1, { dtype: 'float32' }).reshape([1, 3, 4]);
  const label = ve.full([1, 3, 4], 5, { dtype: 'uint8' });
  // corner at (−1, 2): rows −1..1, columns 2..4
  const out = new SpatialTransform({ patchSize: [3, 3], centre: [0, 3] }).apply({ image, label });
  assert.deepEqual(values(out.image), [0, 0, 0, 3, 4, 0, 7, 8, 0]);
  assert.deepEqual(values(out.label!), [0, 0, 0, 5, 5, 0, 5, 5, 0]);
  // the grid path (a tiny rotation) interpolates between voxels: half-voxel corner → means of neighbours
  const far = new SpatialTransform({ patchSize: [3, 3], centre: [1, 1.5], angles: [1e-9] }).apply({ image });
  assertClose(values(far.image), [1.5, 2.5, 3.5, 5.5, 6.5, 7.5, 9.5, 10.5, 11.5], 1e-4, 'grid path');
  // a patch entirely outside the image is all zeros
  const outside = new SpatialTransform({ patchSize: [2, 2], centre: [40, 40], angles: [0.5] }).apply({ image, label });
  assert.deepEqual(values(outside.image), [0, 0, 0, 0]);
  assert.deepEqual(values(outside.label!), [0, 0, 0, 0]);
});

test("elastic field: as strong as batchgenerators' full-resolution alpha·G_σ*U(−1,1), smooth, and seeded", () => {
  const patch = [96, 96];
  const alpha = 300,
    sigma = 10;
  const f = elasticField(patch, { seed: 5, alpha, sigma });
  assert.deepEqual(f.shape, [96, 96, 2]);
  assert.deepEqual(values(f), values(elasticField(patch, { seed: 5, alpha, sigma })));
  assert.notDeepEqual(values(f), values(elasticField(patch, { seed: 6, alpha, sigma })));
  // reference: the same construction at full resolution (white noise, separable Gaussian, valid region)
  const rng = new Random(99);
  const big = 96 + 2 * 40;
  const noise = ve.Tensor.from(
    Float32Array.from({ length: big * big * 8 }, () => 2 * rng.next() - 1),
    [8, 1, big, big],
  );
  const k = gaussianKernel1d(sigma, 4);
  const kx = ve.Tensor.from(k, [1, 1, 1, k.length]),
    ky = ve.Tensor.from(k, [1, 1, k.length, 1]);
  const ref = ve.conv2d(ve.conv2d(noise, kx), ky).mul(alpha);
  const refStd = ref.std().item();
  const ours = [1, 2, 3, 4].map((seed) => elasticField(patch, { seed, alpha, sigma }).std().item());
  const oursStd = Math.sqrt(ours.reduce((s, v) => s + v * v, 0) / ours.length);
  assert.ok(
    Math.abs(oursStd / refStd - 1) < 0.2,
    `field std ${oursStd.toFixed(3)} vs full-resolution ${refStd.toFixed(3)}`,
  );
  // smooth: neighbouring displacements differ far less than the displacement itself
  const diff = ve
    .sub(ve.narrow(f, 0, 1, 95), ve.narrow(f, 0, 0, 95))
    .abs()
    .mean()
    .item();
  assert.ok(diff < 0.1 * f.abs().mean().item(), `neighbour difference ${diff}`);
});

test('grid distortion: unit factors give no displacement; the mapping keeps the ends and is monotone', () => {
  assert.deepEqual(
    new Set(
      values(
        gridDistortionField([8, 9], {
          factors: [
            [1, 1, 1],
            [1, 1],
          ],
        }),
      ),
    ),
    new Set([0]),
  );
  const f = gridDistortionField([11], { factors: [[0.5, 1.5]] });
  const mapped = values(f).map((d, o) => o + d);
  assertClose([mapped[0]!, mapped[10]!], [0, 10], 1e-6, 'ends');
  // first half squeezed: cell lengths 0.5·5 and 1.5·5 rescaled to 10 → knot at 2.5
  assertClose([mapped[5]!], [2.5], 1e-6, 'knot');
  for (let i = 1; i < mapped.length; i++) assert.ok(mapped[i]! > mapped[i - 1]!);
});

test('mirroring and rot90 invert exactly; a Compose of them inverts in reverse order', () => {
  ve.manualSeed(2);
  const image = ve.randn([2, 4, 4, 6]);
  const label = randomLabel([4, 4, 6], [0, 1], 1);
  const s = { image, label };
  for (const t of [
    new Flip([0, 2]),
    new Rot90(1, [0, 1]),
    new Rot90(3, [1, 0]),
    new Compose([new Flip([1]), new Rot90(1, [0, 1]), new Flip([2])]),
  ]) {
    assert.ok(t.invertible);
    const back = t.inverse().apply(t.apply(s));
    assert.deepEqual(values(back.image), values(image), t.name);
    assert.deepEqual(values(back.label!), values(label), t.name);
  }
  // a flip by hand
  const x = ve.Tensor.from([1, 2, 3, 4, 5, 6], [1, 2, 3]);
  assert.deepEqual(values(new Flip([1]).apply({ image: x }).image), [3, 2, 1, 6, 5, 4]);
  assert.equal(new SpatialTransform({ patchSize: [2, 2] }).invertible, false);
});
