import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noGrad } from '../../../src/engine/autograd.js';
import {
  AvgPool2d,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  GroupNorm,
  LayerNorm,
  LeakyReLU,
  Linear,
  MaxPool2d,
  Upsample,
} from '../../../src/engine/nn/index.js';
import { Tensor } from '../../../src/engine/tensor.js';

const values = (t: Tensor) => [...(t.toArray() as Float32Array | Float64Array)];
function close(actual: number[], expected: number[], tol = 1e-5) {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `[${i}] ${a} vs ${expected[i]}`));
}
function setParam(p: Tensor | null, data: number[]) {
  const src = Tensor.from(data, p!.shape, { dtype: p!.dtype });
  noGrad(() => p!.copy_(src));
  src.dispose();
}

test('Conv2d computes a hand-checked 3×3 convolution with padding and stride', () => {
  const conv = new Conv2d(1, 1, 3, { padding: 1, stride: 2 });
  setParam(conv.weight, [0, 1, 0, 1, -4, 1, 0, 1, 0]); // Laplacian
  setParam(conv.bias, [0.5]);
  // x = [[1,2,3],[4,5,6],[7,8,9]]; output at (0,0),(0,2),(2,0),(2,2) of the padded convolution
  const x = Tensor.from([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
  const y = conv.forward(x);
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  // (0,0): 2+4−4·1 = 2; (0,2): 2+6−12 = −4; (2,0): 4+8−28 = −16; (2,2): 6+8−36 = −22; plus bias
  close(values(y), [2.5, -3.5, -15.5, -21.5]);
  for (const t of [x, y]) t.dispose();
  conv.dispose();
});

test('Conv1d with dilation and groups', () => {
  const conv = new Conv1d(2, 2, 2, { dilation: 2, groups: 2, bias: false });
  assert.equal(conv.bias, null);
  assert.deepEqual(conv.weight.shape, [2, 1, 2]);
  setParam(conv.weight, [1, 10, -1, 1]);
  const x = Tensor.from([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4]);
  const y = conv.forward(x);
  // channel 0: x0 + 10·x2 over [1,2,3,4] → [31, 42]; channel 1: −x0 + x2 over [5,6,7,8] → [2, 2]
  close(values(y), [31, 42, 2, 2]);
  for (const t of [x, y]) t.dispose();
  conv.dispose();
});

test('ConvTranspose2d 2×2 stride 2 places each input pixel as a scaled kernel', () => {
  const up = new ConvTranspose2d(1, 1, 2, { stride: 2 });
  setParam(up.weight, [1, 2, 3, 4]);
  setParam(up.bias, [0]);
  const x = Tensor.from([1, 10], [1, 1, 1, 2]);
  const y = up.forward(x);
  assert.deepEqual(y.shape, [1, 1, 2, 4]);
  close(values(y), [1, 2, 10, 20, 3, 4, 30, 40]);
  for (const t of [x, y]) t.dispose();
  up.dispose();
});

test('Linear computes x·Wᵀ + b', () => {
  const lin = new Linear(3, 2);
  setParam(lin.weight, [1, 0, -1, 2, 1, 0]);
  setParam(lin.bias, [0.5, -1]);
  const x = Tensor.from([1, 2, 3, -1, 0, 1], [2, 3]);
  const y = lin.forward(x);
  close(values(y), [1 - 3 + 0.5, 2 + 2 - 1, -1 - 1 + 0.5, -2 - 1]);
  for (const t of [x, y]) t.dispose();
  lin.dispose();
});

test('pooling, upsampling, flatten and leaky ReLU on small cases', () => {
  const x = Tensor.from([1, 5, 2, 0, 3, 4, 8, -1, 0, 0, 1, 1, 2, 9, 1, 1], [1, 1, 4, 4]);
  const mp = new MaxPool2d(2).forward(x);
  close(values(mp), [5, 8, 9, 1]);
  const ap = new AvgPool2d(2).forward(x);
  close(values(ap), [13 / 4, 9 / 4, 11 / 4, 1]);
  const small = Tensor.from([1, 2], [1, 1, 1, 2]);
  const near = new Upsample({ scaleFactor: 2 }).forward(small);
  close(values(near), [1, 1, 2, 2, 1, 1, 2, 2]);
  const lin = new Upsample({ size: [1, 3], mode: 'bilinear', alignCorners: true }).forward(small);
  close(values(lin), [1, 1.5, 2]);
  const flat = new Flatten().forward(x);
  assert.deepEqual(flat.shape, [1, 16]);
  const leaky = new LeakyReLU(0.1).forward(Tensor.from([-2, 3], [2]));
  close(values(leaky), [-0.2, 3]);
  for (const t of [x, mp, ap, small, near, lin, flat, leaky]) t.dispose();
});

test('GroupNorm and LayerNorm normalise over the right axes', () => {
  // Two groups of two channels, one pixel each: values (1, 3) and (10, 30).
  const gn = new GroupNorm(2, 4);
  const x = Tensor.from([1, 3, 10, 30], [1, 4, 1, 1]);
  const y = gn.forward(x);
  const n = (v: number, m: number, s2: number) => (v - m) / Math.sqrt(s2 + 1e-5);
  close(values(y), [n(1, 2, 1), n(3, 2, 1), n(10, 20, 100), n(30, 20, 100)], 1e-4);
  const ln = new LayerNorm(2);
  const z = ln.forward(Tensor.from([0, 2, 5, 5], [2, 2]));
  close(values(z), [n(0, 1, 1), n(2, 1, 1), 0, 0], 1e-4);
  assert.deepEqual(
    ln.namedParameters().map(([k]) => k),
    ['weight', 'bias'],
  );
  for (const t of [x, y, z]) t.dispose();
  gn.dispose();
  ln.dispose();
});
