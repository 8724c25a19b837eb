// The trainer's contract with src/infer/sliding-window.ts (infer's implementation): a per-voxel model is
// reproduced exactly through overlapping windows, mirroring averages flipped predictions, deep-supervision lists work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { slidingWindowInference } from '../../src/infer/sliding-window.js';

/** A per-voxel "network": logits = the input channels, so the softmax at a voxel never depends on the window. */
const pointwise = { forward: (x: ve.Tensor) => x.mul(1) };

function softmaxRef(values: Float32Array, channels: number): Float32Array {
  const n = values.length / channels;
  const out = new Float32Array(values.length);
  for (let v = 0; v < n; v++) {
    let max = -Infinity,
      sum = 0;
    for (let c = 0; c < channels; c++) max = Math.max(max, values[v + n * c]!);
    for (let c = 0; c < channels; c++) sum += Math.exp(values[v + n * c]! - max);
    for (let c = 0; c < channels; c++) out[v + n * c] = Math.exp(values[v + n * c]! - max) / sum;
  }
  return out;
}

function closeTo(a: Float32Array, b: Float32Array, tol = 1e-5): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
}

test('overlapping Gaussian-weighted windows of a per-voxel model reproduce its softmax everywhere (2D, 3D, image smaller than the patch)', async () => {
  for (const [shape, patch] of [
    [
      [3, 37, 50],
      [16, 16],
    ],
    [
      [2, 9, 11, 13],
      [8, 8, 8],
    ],
    [
      [2, 5, 40],
      [8, 16],
    ],
  ] as const) {
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37) * 3);
    const input = ve.Tensor.from(values, [1, ...shape]);
    for (const options of [
      { overlap: 0.5, gaussian: true, batchSize: 3 },
      { overlap: 0.25, gaussian: false, batchSize: 1, mirror: true },
    ]) {
      const out = await slidingWindowInference(pointwise, input, { patchSize: [...patch], ...options });
      assert.deepEqual(out.shape, [1, ...shape]);
      closeTo(out.toArray() as Float32Array, softmaxRef(values, shape[0]));
      out.dispose();
    }
    input.dispose();
  }
});

test('mirroring averages the flipped predictions flipped back; a deep-supervision list uses its first output', async () => {
  // a model that is not flip-equivariant: logits = [x + ramp along W, 0]; with mirroring on W the
  // result is softmax averaged over the ramp and the reversed ramp
  const w = 8;
  const ramp = ve.Tensor.from(
    Float32Array.from({ length: w }, (_, i) => i),
    [1, 1, 1, w],
  );
  const model = { forward: (x: ve.Tensor) => [ve.cat([x.add(ramp), x.mul(0)], 1), x] };
  const input = ve.zeros([1, 1, 4, w]);
  const out = await slidingWindowInference(model, input, { patchSize: [4, w], mirror: [1] });
  const p = out.toArray() as Float32Array;
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  for (let i = 0; i < w; i++) assert.ok(Math.abs(p[i]! - (sig(i) + sig(w - 1 - i)) / 2) < 1e-6, `column ${i}`);
  for (const t of [out, input, ramp]) t.dispose();
});
