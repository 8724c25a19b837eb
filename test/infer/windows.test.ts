import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  WindowAccumulator,
  gaussianImportanceMap,
  slidingWindowSteps,
  slidingWindows,
} from '../../src/infer/windows.js';

test('steps follow nnU-Net: count = ceil((size-patch)/(patch*(1-overlap)))+1, spread evenly, numpy rounding', () => {
  // 100, patch 40, step 20: ceil(60/20)+1 = 4 windows at 0, 20, 40, 60.
  assert.deepEqual(slidingWindowSteps([100], [40], 0.5), [[0, 20, 40, 60]]);
  // 101: ceil(61/20)+1 = 5, actual step 61/4 = 15.25 -> 0, 15.25, 30.5, 45.75, 61; np.round(30.5) = 30.
  assert.deepEqual(slidingWindowSteps([101], [40], 0.5), [[0, 15, 30, 46, 61]]);
  // image equal to patch: one window; image smaller than the patch: one window, padded.
  assert.deepEqual(slidingWindowSteps([64, 30], [64, 64], 0.5), [[0], [0]]);
  // overlap 0 tiles without overlap where it divides exactly.
  assert.deepEqual(slidingWindowSteps([96], [32], 0), [[0, 32, 64]]);
  // overlap 0.75 on 128/64: target step 16 -> 5 windows.
  assert.deepEqual(slidingWindowSteps([128], [64], 0.75), [[0, 16, 32, 48, 64]]);
});

test('windows cover every voxel of the padded image, first at 0 and last ending at the edge', () => {
  for (const [shape, patch, overlap] of [
    [[37, 50, 11], [16, 24, 8], 0.5],
    [[565, 584], [512, 512], 0.5],
    [[20, 7], [8, 8], 0.33],
  ] as Array<[number[], number[], number]>) {
    const t = slidingWindows(shape, patch, overlap);
    const padded = t.paddedShape;
    assert.deepEqual(
      padded,
      shape.map((s, d) => Math.max(s, patch[d]!)),
    );
    const n = padded.reduce((a, b) => a * b, 1);
    const hits = new Uint16Array(n);
    for (const w of t.windows) {
      assert.equal(w.length, shape.length);
      // mark the window's voxels
      const idx = patch.map(() => 0);
      const total = patch.reduce((a, b) => a * b, 1);
      for (let v = 0; v < total; v++) {
        let flat = 0;
        let stride = 1;
        for (let d = 0; d < shape.length; d++) {
          const x = w[d]! + idx[d]!;
          assert.ok(x < padded[d]!, 'window inside the padded image');
          flat += x * stride;
          stride *= padded[d]!;
        }
        hits[flat]!++;
        for (let d = 0; d < idx.length; d++) {
          if (++idx[d]! < patch[d]!) break;
          idx[d] = 0;
        }
      }
    }
    assert.ok(
      hits.every((h) => h > 0),
      'every voxel covered',
    );
    assert.equal(
      t.windows.length,
      t.steps.reduce((a, s) => a * s.length, 1),
    );
    for (let d = 0; d < shape.length; d++) {
      assert.equal(t.steps[d]![0], 0);
      assert.equal(t.steps[d]!.at(-1), padded[d]! - patch[d]!);
    }
  }
});

test('windows count matches nnU-Net for 565x584 with 512 patches (2x2)', () => {
  assert.equal(slidingWindows([565, 584], [512, 512]).windows.length, 4);
  assert.deepEqual(slidingWindows([565, 584], [512, 512]).windows, [
    [0, 0],
    [53, 0],
    [0, 72],
    [53, 72],
  ]);
});

test('bad overlap or mismatched axes are option errors', () => {
  assert.throws(() => slidingWindowSteps([10], [4], 1), /overlap/);
  assert.throws(() => slidingWindowSteps([10, 10], [4], 0.5), /patch_size/);
});

test('Gaussian map: exp(-x^2/2σ^2) products, σ = patch/8, max 1 at the centre (hand-checked)', () => {
  // patch 8: σ = 1, centre 4: exp(-0.5 (x-4)^2)
  const g = gaussianImportanceMap([8]);
  for (let x = 0; x < 8; x++) assert.ok(Math.abs(g[x]! - Math.exp(-0.5 * (x - 4) ** 2)) < 1e-7, `x=${x}`);
  // 2D 6x10, values from scipy.ndimage.gaussian_filter on an impulse (nnU-Net's compute_gaussian), max-normalised
  const m = gaussianImportanceMap([6, 10]);
  const at = (i: number, j: number) => m[i + 6 * j]!;
  assert.ok(Math.abs(at(3, 5) - 1) < 1e-7);
  assert.ok(Math.abs(at(0, 0) - 1.1253517471925912e-7) < 1e-12);
  assert.ok(Math.abs(at(1, 7) - 0.007942274724229988) < 1e-8);
  assert.ok(Math.abs(at(5, 9) - 0.0001707080866957833) < 1e-9);
  let maxIdx = 0;
  for (let v = 1; v < m.length; v++) if (m[v]! > m[maxIdx]!) maxIdx = v;
  assert.equal(maxIdx, 3 + 6 * 5);
  // patch 3 (σ = 0.375): [0.0285655, 1, 0.0285655]
  const s = gaussianImportanceMap([3]);
  assert.ok(Math.abs(s[0]! - 0.0285655) < 1e-6 && s[1] === 1 && s[0] === s[2]);
});

test('Gaussian map: zeros beyond the truncation radius are raised to the smallest non-zero value', () => {
  // σ = 16·(1/32) = 0.5, radius = int(4·0.5+0.5) = 2: offsets beyond ±2 are 0 in scipy, then clipped.
  const g = gaussianImportanceMap([16], 1 / 32);
  const smallest = Math.exp((-0.5 * 4) / 0.25);
  assert.ok(Math.abs(g[8 + 2]! - smallest) < 1e-9);
  assert.ok(Math.abs(g[0]! - Math.fround(smallest)) < 1e-12);
  assert.ok(g.every((v) => v > 0));
});

test('image starts put the image in the middle of the padding (half before, as nnU-Net pads)', () => {
  const t = slidingWindows([5, 20], [8, 8], 0.5);
  assert.deepEqual(t.padBefore, [1, 0]);
  assert.deepEqual(
    t.imageStarts.map((s) => s[0]),
    t.windows.map((w) => w[0]! - 1),
  );
});

test('accumulator: a constant prediction averages back to the constant; overlapping windows blend by weight', () => {
  const shape = [13, 9, 5];
  const patch = [8, 6, 4];
  const acc = new WindowAccumulator(shape, patch, 2);
  const pv = 8 * 6 * 4;
  for (const start of acc.tiling.imageStarts) {
    const values = new Float32Array(pv * 2);
    values.fill(0.25, 0, pv);
    values.fill(0.75, pv);
    acc.add(start, values);
  }
  const out = acc.result();
  const n = 13 * 9 * 5;
  assert.equal(out.length, 2 * n);
  for (let v = 0; v < n; v++) {
    assert.ok(Math.abs(out[v]! - 0.25) < 1e-6 && Math.abs(out[v + n]! - 0.75) < 1e-6);
  }
  // 1D by hand: image 6, patch 4, overlap 0.5: windows at 0 and 2, uniform weights; window 0 says 1, window 1 says 3
  const flat = new WindowAccumulator([6], [4], 1, { gaussian: false });
  assert.deepEqual(flat.tiling.imageStarts, [[0], [2]]);
  flat.add([0], new Float32Array(4).fill(1));
  flat.add([2], new Float32Array(4).fill(3));
  assert.deepEqual([...flat.result()], [1, 1, 2, 2, 3, 3]);
  // an image smaller than the patch: padding dropped
  const small = new WindowAccumulator([3], [4], 1, { gaussian: false });
  assert.deepEqual(small.tiling.imageStarts, [[0]]);
  small.add([0], Float32Array.from([5, 6, 7, 8]));
  assert.deepEqual([...small.result()], [5, 6, 7]);
  assert.throws(() => small.add([0], new Float32Array(3)), /expected 1×4 values/);
});
