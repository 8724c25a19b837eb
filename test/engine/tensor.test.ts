import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';

test('typed arrays copy in and out for every dtype', () => {
  const cases: [ve.DType, ve.TypedArray][] = [
    ['float32', new Float32Array([1.5, -2, 3.25, 0])],
    ['float64', new Float64Array([1e-300, -2, Math.PI, 0])],
    ['int64', new BigInt64Array([1n, -2n, 9007199254740993n, 0n])],
    ['int32', new Int32Array([1, -2, 2147483647, 0])],
    ['uint8', new Uint8Array([1, 2, 255, 0])],
  ];
  for (const [dtype, data] of cases) {
    const t = ve.Tensor.from(data, [2, 2]);
    assert.equal(t.dtype, dtype);
    assert.deepEqual(t.shape, [2, 2]);
    const out = t.toArray();
    assert.deepEqual(out, data);
    new Uint8Array(data.buffer, data.byteOffset, 1)[0]! ^= 0xff; // copy in: changing the source later ...
    assert.deepEqual(t.toArray(), out); // ... leaves the tensor as it was
    assert.notDeepEqual(t.toArray(), data);
    t.dispose();
  }
});

test('a typed-array subarray copies only its own window', () => {
  const big = new Float64Array([9, 1, 2, 3, 9]);
  assert.deepEqual(ve.Tensor.from(big.subarray(1, 4)).toNumbers(), [1, 2, 3]);
  assert.deepEqual(
    ve.Tensor.from(big.subarray(1, 4), [3], { dtype: 'float32' }).toArray(),
    new Float32Array([1, 2, 3]),
  );
});

test('float16 and bfloat16 hold the raw 16-bit patterns of IEEE half and bfloat16', () => {
  const x = ve.Tensor.from([1, -2, 0.5, 65504], undefined, { dtype: 'float16' });
  assert.equal(x.dtype, 'float16');
  // IEEE half: 1 = 0x3C00, -2 = 0xC000, 0.5 = 0x3800, 65504 = 0x7BFF
  assert.deepEqual(Array.from(x.toArray() as ArrayLike<number>), [0x3c00, 0xc000, 0x3800, 0x7bff]);
  assert.deepEqual(x.toNumbers(), [1, -2, 0.5, 65504]);
  const b = ve.Tensor.from([1, -2, 0.5], undefined, { dtype: 'bfloat16' });
  // bfloat16 is the top half of a float32: 1 = 0x3F80, -2 = 0xC000, 0.5 = 0x3F00
  assert.deepEqual(Array.from(b.toArray() as ArrayLike<number>), [0x3f80, 0xc000, 0x3f00]);
  const raw = ve.Tensor.from(new Uint16Array([0x3c00]), [1], { dtype: 'float16' });
  assert.equal(raw.item(), 1);
});

test('bool tensors come from boolean arrays and comparisons', () => {
  const b = ve.Tensor.from([true, false, true]);
  assert.equal(b.dtype, 'bool');
  assert.deepEqual(Array.from(b.toArray() as ArrayLike<number>), [1, 0, 1]);
  const c = ve.Tensor.from([1, 5, 3]).gt(2);
  assert.equal(c.dtype, 'bool');
  assert.deepEqual(Array.from(c.toArray() as ArrayLike<number>), [0, 1, 1]);
});

test('nested arrays give their shape; ragged ones are refused', () => {
  const t = ve.Tensor.from([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.ndim, 2);
  assert.equal(t.numel, 6);
  assert.throws(() => ve.Tensor.from([[1, 2], [3]]), /ragged/);
  assert.throws(() => ve.Tensor.from(new Float32Array(5), [2, 2]), /20 bytes but shape and dtype need 16/);
});

test('to() converts dtype and device; item() reads a scalar', () => {
  const t = ve.Tensor.from([1.7, -1.2]);
  assert.deepEqual(Array.from(t.to('int32').toArray() as ArrayLike<number>), [1, -1]);
  assert.deepEqual(t.to('float64').toArray(), new Float64Array([Math.fround(1.7), Math.fround(-1.2)]));
  assert.equal(t.device, 'cpu');
  assert.equal(t.to('cpu').device, 'cpu');
  assert.equal(ve.Tensor.from([42]).item(), 42);
  assert.throws(() => t.item(), ve.EngineError);
});

test("libtorch errors become EngineError with libtorch's message", () => {
  const a = ve.zeros([2, 3]);
  const b = ve.zeros([4, 5]);
  assert.throws(
    () => ve.matmul(a, b),
    (e: Error) =>
      e instanceof ve.EngineError && /mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/.test(e.message),
  );
  assert.throws(
    () => ve.add(a, b),
    (e: Error) =>
      e instanceof ve.EngineError && /size of tensor a \(3\) must match the size of tensor b \(5\)/.test(e.message),
  );
  // bad dtype: integer tensors cannot require gradients; a float index is refused by gather
  assert.throws(
    () => ve.zeros([2], { dtype: 'int64', requiresGrad: true }),
    (e: Error) => e instanceof ve.EngineError && /floating point/.test(e.message),
  );
  assert.throws(
    () => ve.gather(a, 1, ve.zeros([2, 1])),
    (e: Error) => e instanceof ve.EngineError && /Expected dtype int64 for index/.test(e.message),
  );
  assert.throws(() => ve.conv2d(ve.zeros([1, 2, 5, 5]), ve.zeros([1, 3, 3, 3])), ve.EngineError);
  // the process survives and keeps working
  assert.equal(ve.add(a, 1).sum().item(), 6);
});

test('dispose frees now; a disposed tensor refuses use with a clear error', () => {
  const before = ve.memoryStats().liveTensors;
  const t = ve.ones([1000]);
  assert.equal(ve.memoryStats().liveTensors, before + 1);
  t.dispose();
  assert.equal(ve.memoryStats().liveTensors, before);
  assert.equal(t.isDisposed, true);
  t.dispose();
  assert.throws(() => t.sum(), /used after dispose/);
});

test('views share storage; contiguous() copies only when needed; channels-last layout', () => {
  const x = ve.arange(24).reshape([1, 2, 3, 4]).to('float32');
  const v = x.view([2, 12]);
  v.add_(1);
  assert.equal(x.sum().item(), 276 + 24);
  assert.equal(x.isContiguous(), true);
  const cl = x.contiguous('channelsLast');
  assert.equal(cl.isContiguous('channelsLast'), true);
  assert.deepEqual(cl.strides, [24, 1, 8, 2]);
  assert.deepEqual(cl.toArray(), x.toArray()); // same logical values
});

test('out of memory and unknown devices are EngineErrors, not crashes', () => {
  assert.throws(
    () => ve.empty([2 ** 20, 2 ** 20]),
    (e: Error) => e instanceof ve.EngineError && e.outOfMemory && /can't allocate memory/.test(e.message),
  );
  assert.throws(
    () => ve.matmul(ve.zeros([2, 3]), ve.zeros([2, 3])),
    (e: Error) => e instanceof ve.EngineError && !e.outOfMemory,
  );
  assert.throws(
    () => ve.ones([2], { device: 'gpu' }),
    (e: Error) => e instanceof ve.EngineError && /device type/.test(e.message),
  );
  if (!ve.cudaAvailable()) {
    assert.equal(ve.defaultDevice, 'cpu');
    assert.throws(
      () => ve.ones([2]).to('cuda:0'),
      (e: Error) => e instanceof ve.EngineError && /no CUDA/.test(e.message),
    );
  } else {
    const g = ve.ones([2]).to('cuda:0');
    assert.equal(g.device, 'cuda:0');
    assert.deepEqual(g.add(1).to('cpu').toNumbers(), [2, 2]);
  }
  assert.throws(() => ve.conv2d(ve.ones([1, 1, 3, 3]), 5 as never), TypeError);
});

test('bfloat16 autocast runs convolutions in bfloat16 and restores the mode', () => {
  const x = ve.randn([1, 2, 8, 8]);
  const w = ve.randn([3, 2, 3, 3], { requiresGrad: true });
  const y = ve.autocast(() => ve.conv2d(x, w));
  assert.equal(y.dtype, 'bfloat16');
  assert.equal(ve.conv2d(x, w).dtype, 'float32');
  y.float().sum().backward();
  assert.equal(w.grad!.dtype, 'float32'); // gradients reach the float32 weights
  const ref = ve.conv2d(x, w.detach()).toNumbers();
  const approx = y.toNumbers();
  approx.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) <= 0.02 * Math.abs(ref[i]!) + 0.05));
});

test('instance norm with a float affine runs on a bfloat16 input under autocast (both kernels), with gradients', () => {
  const x = ve.randn([2, 3, 6, 5]);
  const w = ve.randn([3, 3, 3, 3], { requiresGrad: true });
  const gamma = ve.rand([3]).add(0.5).requiresGrad_();
  const beta = ve.randn([3]).requiresGrad_();
  const y = ve.autocast(() => ve.instanceNorm(ve.conv2d(x, w, null, { padding: 1 }), null, null, gamma, beta));
  const ref = ve.instanceNorm(
    ve.conv2d(x, w.detach(), null, { padding: 1 }),
    null,
    null,
    gamma.detach(),
    beta.detach(),
  );
  const [a, b] = [y.float().toNumbers(), ref.toNumbers()];
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 0.05 + 0.02 * Math.abs(b[i]!), `${v} vs ${b[i]}`));
  y.float().square().sum().backward();
  assert.ok(gamma.grad && beta.grad && w.grad, 'gradients reach the float affine and the weights');
});

test('toArrayShared reads the tensor memory without copying', () => {
  const t = ve.Tensor.from([1, 2, 3, 4], [2, 2]);
  const shared = t.toArrayShared() as Float32Array;
  assert.deepEqual(shared, new Float32Array([1, 2, 3, 4]));
  t.mul_(10); // in-place change is visible
  assert.deepEqual(shared, new Float32Array([10, 20, 30, 40]));
  shared[0] = -1; // and writes go to the tensor
  assert.equal(t.toNumbers()[0], -1);
  t.dispose(); // the buffer keeps the storage alive
  assert.equal(shared[3], 40);
  assert.throws(
    () => ve.ones([2, 3]).T.toArrayShared(),
    (e: Error) => e instanceof ve.EngineError && /not contiguous/.test(e.message),
  );
  assert.equal(ve.zeros([0]).toArrayShared().length, 0);
});

test('channels-last inputs give the same convolution results and gradients, and stay channels-last', () => {
  ve.manualSeed(11);
  const x = ve.randn([2, 3, 9, 7], { dtype: 'float64' });
  const w = ve.randn([4, 3, 3, 3], { dtype: 'float64', requiresGrad: true });
  const xl = x.contiguous('channelsLast').requiresGrad_();
  const xc = x.clone().requiresGrad_();
  const yl = ve.maxPool2d(ve.relu(ve.conv2d(xl, w, null, { padding: 1 })), 2);
  assert.equal(yl.isContiguous('channelsLast'), true);
  yl.sum().backward();
  const gl = w.grad!.toNumbers();
  w.zeroGrad();
  const yc = ve.maxPool2d(ve.relu(ve.conv2d(xc, w, null, { padding: 1 })), 2);
  yc.sum().backward();
  assert.ok(ve.allclose(yl, yc, { rtol: 1e-12, atol: 1e-12 }));
  gl.forEach((v, i) => assert.ok(Math.abs(v - w.grad!.toNumbers()[i]!) < 1e-9));
  assert.ok(ve.allclose(xl.grad!, xc.grad!, { rtol: 1e-12, atol: 1e-12 }));
  const x3 = ve.randn([1, 2, 4, 4, 4]).contiguous('channelsLast3d');
  assert.equal(x3.isContiguous('channelsLast3d'), true);
});
