// Autograd gradients of every differentiable op family against central finite differences (float64).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import type { Tensor } from '../../src/engine/index.js';

ve.manualSeed(2024);

/** float64 random input that requires grad: N(0,1)·scale + offset */
function rnd(shape: number[], scale = 1, offset = 0, grad = true): Tensor {
  const t = ve.noGrad(() => ve.randn(shape, { dtype: 'float64' }).mul(scale).add(offset));
  t.requiresGrad = grad;
  return t;
}
const fixed = (shape: number[], scale = 1, offset = 0): Tensor => rnd(shape, scale, offset, false);

function check(name: string, fn: (...x: Tensor[]) => Tensor, inputs: Tensor[], atol = 1e-5): void {
  const r = ve.gradcheck(fn, inputs, { atol, rtol: 1e-4 });
  assert.ok(r.checked > 0, `${name}: nothing checked`);
  assert.ok(
    r.ok,
    `${name}: max |analytic-numeric| = ${r.maxAbsError} at input ${r.worst.input}[${r.worst.index}] (analytic ${r.worst.analytic}, numeric ${r.worst.numeric})`,
  );
}

test('gradcheck itself catches a wrong gradient', () => {
  // a detached factor hides part of the dependence from autograd: d/dx (x·x) would be 2x, autograd sees x
  const x = rnd([4], 1, 2);
  const r = ve.gradcheck((a) => a.mul(a.detach()), [x]);
  assert.equal(r.ok, false);
});

test('elementwise arithmetic with broadcasting', () => {
  check('add', (a, b) => ve.add(a, b, 0.5), [rnd([2, 3]), rnd([3])]);
  check('sub', (a, b) => ve.sub(a, b), [rnd([2, 1]), rnd([1, 3])]);
  check('mul', (a, b) => ve.mul(a, b), [rnd([2, 3]), rnd([2, 1])]);
  check('div', (a, b) => ve.div(a, b), [rnd([2, 3]), rnd([3], 0.2, 2)]);
  check('pow tensor', (a, b) => ve.pow(a, b), [rnd([5], 0.2, 1.5), rnd([5], 0.5)]);
  check('pow scalar', (a) => ve.pow(a, 3), [rnd([5])]);
  check('scalar first', (a) => ve.sub(1, ve.div(2, a)), [rnd([4], 0.2, 2)]);
  check('neg/exp/log/sqrt/rsqrt', (a) => ve.neg(a).exp().add(ve.log(a)).add(ve.sqrt(a)).add(ve.rsqrt(a)), [
    rnd([6], 0.2, 1.5),
  ]);
  check(
    'abs/sin/cos/square/reciprocal',
    (a) => ve.abs(a).add(ve.sin(a)).add(ve.cos(a)).add(ve.square(a)).add(ve.reciprocal(a)),
    [rnd([6], 0.3, 1.5)],
  );
  check('log1p/expm1/erf', (a) => ve.log1p(a).add(ve.expm1(a)).add(ve.erf(a)), [rnd([6], 0.2, 0.5)]);
  check('where', (a, b) => ve.where(ve.gt(a, 0), a.mul(2), b), [rnd([8]), rnd([8])]);
  check('clamp', (a) => ve.clamp(a, -0.5, 0.5), [rnd([10])]);
  check('maximum/minimum', (a, b) => ve.maximum(a, b).add(ve.minimum(a, b).mul(3)), [rnd([8]), rnd([8])]);
  check('lerp', (a, b, w) => ve.lerp(a, b, w), [rnd([4]), rnd([4]), rnd([4])]);
  check('remainder', (a) => ve.remainder(a, 0.7), [rnd([6])]);
});

test('activations', () => {
  check('sigmoid', ve.sigmoid, [rnd([8])]);
  check('tanh', ve.tanh, [rnd([8])]);
  check('relu', ve.relu, [rnd([8])]);
  check('leakyRelu', (a) => ve.leakyRelu(a, 0.2), [rnd([8])]);
  check('gelu', (a) => ve.gelu(a), [rnd([8])]);
  check('gelu tanh', (a) => ve.gelu(a, { approximate: 'tanh' }), [rnd([8])]);
  check('elu', (a) => ve.elu(a, 1.3), [rnd([8])]);
  check('silu/softplus/mish/logSigmoid', (a) => ve.silu(a).add(ve.softplus(a)).add(ve.mish(a)).add(ve.logSigmoid(a)), [
    rnd([8]),
  ]);
  check('hardtanh/relu6', (a) => ve.hardtanh(a, -0.5, 0.5).add(ve.relu6(a.mul(4))), [rnd([8])]);
  check('prelu', (a, w) => ve.prelu(a, w), [rnd([2, 3, 4]), rnd([3], 0.1, 0.25)]);
});

test('softmax and logSoftmax', () => {
  check('softmax dim 1', (a) => ve.softmax(a, 1), [rnd([2, 4, 3])]);
  check('softmax dim -1', (a) => ve.softmax(a, -1), [rnd([3, 5])]);
  check('logSoftmax', (a) => ve.logSoftmax(a, 1), [rnd([2, 4, 3])]);
});

test('reductions over dims with keepdim', () => {
  check('sum all', (a) => ve.sum(a), [rnd([2, 3])]);
  check('sum dims keepdim', (a) => ve.sum(a, { dim: [0, 2], keepdim: true }), [rnd([2, 3, 4])]);
  check('mean dim', (a) => ve.mean(a, 1), [rnd([2, 3, 4])]);
  check('max values', (a) => ve.max(a, { dim: 1 }).values, [rnd([3, 5])]);
  check('min values keepdim', (a) => ve.min(a, { dim: 0, keepdim: true }).values, [rnd([3, 5])]);
  check('max all', (a) => ve.max(a), [rnd([7])]);
  check('amax', (a) => ve.amax(a, { dim: [1, 2] }), [rnd([2, 3, 4])]);
  check('std', (a) => ve.std(a, { dim: 1 }), [rnd([3, 6])]);
  check('var population', (a) => ve.variance(a, { dim: 0, correction: 0, keepdim: true }), [rnd([5, 2])]);
  check('logsumexp', (a) => ve.logsumexp(a, 1), [rnd([3, 4])]);
  check('prod', (a) => ve.prod(a, { dim: 1 }), [rnd([2, 4], 0.3, 1)]);
  check('norm', (a) => ve.norm(a, { p: 2, dim: 1 }), [rnd([3, 4])]);
  check('cumsum', (a) => ve.cumsum(a, 1), [rnd([2, 5])]);
});

test('matmul, bmm, linear', () => {
  check('matmul 2d', ve.matmul, [rnd([3, 4]), rnd([4, 2])]);
  check('matmul broadcast', ve.matmul, [rnd([2, 3, 4]), rnd([4, 2])]);
  check('matmul vector', ve.matmul, [rnd([4]), rnd([4, 3])]);
  check('bmm', ve.bmm, [rnd([2, 3, 4]), rnd([2, 4, 2])]);
  check('linear', (x, w, b) => ve.linear(x, w, b), [rnd([3, 4]), rnd([5, 4]), rnd([5])]);
  check('linear no bias', (x, w) => ve.linear(x, w), [rnd([2, 3, 4]), rnd([2, 4])]);
  check('einsum', (a, b) => ve.einsum('bij,bjk->bik', [a, b]), [rnd([2, 2, 3]), rnd([2, 3, 2])]);
  check('cdist', (a, b) => ve.cdist(a, b), [rnd([3, 2]), rnd([2, 2])]);
  check('quantile', (a) => ve.quantile(a, 0.3, { dim: 1 }), [rnd([2, 5])]);
  check('outer/dot', (a, b) => ve.outer(a, b).sum().add(ve.dot(a, b)), [rnd([3]), rnd([3])]);
});

test('conv1d/2d/3d with stride, padding, dilation and groups', () => {
  check('conv1d', (x, w, b) => ve.conv1d(x, w, b, { stride: 2, padding: 1 }), [
    rnd([2, 2, 7]),
    rnd([3, 2, 3]),
    rnd([3]),
  ]);
  check('conv1d dilation groups', (x, w) => ve.conv1d(x, w, null, { dilation: 2, groups: 2 }), [
    rnd([1, 4, 8]),
    rnd([2, 2, 2]),
  ]);
  check('conv2d', (x, w, b) => ve.conv2d(x, w, b, { padding: 1 }), [rnd([1, 2, 5, 5]), rnd([3, 2, 3, 3]), rnd([3])]);
  check(
    'conv2d stride/dilation/asym padding',
    (x, w) => ve.conv2d(x, w, null, { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }),
    [rnd([1, 2, 6, 5]), rnd([2, 2, 3, 2])],
  );
  check('conv2d groups', (x, w, b) => ve.conv2d(x, w, b, { groups: 2 }), [
    rnd([1, 4, 4, 4]),
    rnd([4, 2, 2, 2]),
    rnd([4]),
  ]);
  check('conv2d same', (x, w) => ve.conv2d(x, w, null, { padding: 'same' }), [rnd([1, 1, 4, 4]), rnd([2, 1, 3, 3])]);
  check('conv3d', (x, w, b) => ve.conv3d(x, w, b, { stride: 2, padding: 1 }), [
    rnd([1, 2, 4, 4, 4]),
    rnd([2, 2, 3, 3, 3], 0.5),
    rnd([2]),
  ]);
  check('conv3d dilation groups', (x, w) => ve.conv3d(x, w, null, { dilation: [1, 2, 1], groups: 2 }), [
    rnd([1, 2, 3, 5, 3]),
    rnd([2, 1, 2, 2, 2]),
  ]);
});

test('transposed conv2d/3d with stride, padding, outputPadding, groups and dilation', () => {
  check('convTranspose1d', (x, w, b) => ve.convTranspose1d(x, w, b, { stride: 2 }), [
    rnd([1, 2, 4]),
    rnd([2, 3, 3]),
    rnd([3]),
  ]);
  check('convTranspose2d', (x, w, b) => ve.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), [
    rnd([1, 2, 3, 3]),
    rnd([2, 3, 3, 3]),
    rnd([3]),
  ]);
  check('convTranspose2d groups dilation', (x, w) => ve.convTranspose2d(x, w, null, { groups: 2, dilation: 2 }), [
    rnd([1, 4, 3, 3]),
    rnd([4, 1, 2, 2]),
  ]);
  check(
    'convTranspose3d',
    (x, w, b) => ve.convTranspose3d(x, w, b, { stride: 2, padding: [0, 1, 0], outputPadding: [1, 0, 0] }),
    [rnd([1, 2, 2, 3, 2]), rnd([2, 2, 2, 3, 2], 0.5), rnd([2])],
  );
});

test('max, average and adaptive pooling', () => {
  check('maxPool2d', (x) => ve.maxPool2d(x, 2), [rnd([1, 2, 4, 4])]);
  check(
    'maxPool2d stride/pad/dilation/ceil',
    (x) => ve.maxPool2d(x, 3, { stride: 2, padding: 1, dilation: 1, ceilMode: true }),
    [rnd([1, 1, 6, 5])],
  );
  check('maxPool3d', (x) => ve.maxPool3d(x, 2, { stride: [2, 1, 2] }), [rnd([1, 1, 4, 3, 4])]);
  check('maxPool1d', (x) => ve.maxPool1d(x, 3, { stride: 2 }), [rnd([1, 2, 7])]);
  check('avgPool2d', (x) => ve.avgPool2d(x, 2), [rnd([1, 2, 4, 4])]);
  check('avgPool2d pad excluded', (x) => ve.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), [
    rnd([1, 1, 5, 5]),
  ]);
  check('avgPool3d', (x) => ve.avgPool3d(x, [2, 2, 1]), [rnd([1, 1, 4, 4, 3])]);
  check('adaptiveAvgPool2d', (x) => ve.adaptiveAvgPool2d(x, [2, 3]), [rnd([1, 2, 5, 7])]);
  check('adaptiveAvgPool3d', (x) => ve.adaptiveAvgPool3d(x, 2), [rnd([1, 1, 3, 4, 5])]);
  check('adaptiveMaxPool2d', (x) => ve.adaptiveMaxPool2d(x, 2), [rnd([1, 2, 5, 4])]);
  check('maxPoolWithIndices', (x) => ve.maxPoolWithIndices(x, 2).values, [rnd([1, 1, 4, 4])]);
});

test('batch, instance, group and layer norm', () => {
  check('batchNorm training', (x, w, b) => ve.batchNorm(x, null, null, w, b, true), [
    rnd([4, 3, 2, 2]),
    rnd([3]),
    rnd([3]),
  ]);
  const rm = fixed([3], 0.1),
    rv = fixed([3], 0.1, 1);
  check('batchNorm eval', (x, w, b) => ve.batchNorm(x, rm, rv, w, b, false), [rnd([2, 3, 2]), rnd([3]), rnd([3])]);
  check('instanceNorm', (x, w, b) => ve.instanceNorm(x, null, null, w, b), [rnd([2, 2, 3, 3]), rnd([2]), rnd([2])]);
  check('instanceNorm 3d no affine', (x) => ve.instanceNorm(x), [rnd([1, 2, 2, 2, 3])]);
  check('groupNorm', (x, w, b) => ve.groupNorm(x, 2, w, b), [rnd([2, 4, 3, 2]), rnd([4]), rnd([4])]);
  check('layerNorm', (x, w, b) => ve.layerNorm(x, [3, 4], w, b), [rnd([2, 3, 4]), rnd([3, 4]), rnd([3, 4])]);
});

test('dropout with a fixed mask', () => {
  check(
    'dropout',
    (x) => {
      ve.manualSeed(5);
      return ve.dropout(x, 0.4, true);
    },
    [rnd([20])],
  );
  check(
    'channelDropout',
    (x) => {
      ve.manualSeed(6);
      return ve.channelDropout(x, 0.5, true);
    },
    [rnd([2, 4, 3, 3])],
  );
});

test('interpolate: nearest, bilinear, bicubic, trilinear, with and without alignCorners', () => {
  check('nearest 2d', (x) => ve.interpolate(x, { scaleFactor: 2 }), [rnd([1, 1, 3, 3])]);
  check('nearest 3d size', (x) => ve.interpolate(x, { size: [3, 5, 2] }), [rnd([1, 1, 2, 3, 4])]);
  check('bilinear', (x) => ve.interpolate(x, { size: [5, 4], mode: 'bilinear' }), [rnd([1, 2, 3, 3])]);
  check('bilinear alignCorners', (x) => ve.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }), [
    rnd([1, 1, 4, 3]),
  ]);
  check('bicubic', (x) => ve.interpolate(x, { size: [5, 5], mode: 'bicubic' }), [rnd([1, 1, 3, 3])]);
  check('trilinear', (x) => ve.interpolate(x, { scaleFactor: 2, mode: 'trilinear' }), [rnd([1, 1, 2, 3, 2])]);
  check(
    'trilinear alignCorners downsample',
    (x) => ve.interpolate(x, { size: [2, 2, 3], mode: 'trilinear', alignCorners: true }),
    [rnd([1, 1, 3, 4, 4])],
  );
  check('linear 1d', (x) => ve.interpolate(x, { size: 7, mode: 'linear' }), [rnd([1, 2, 4])]);
});

test('affineGrid and gridSample (input and grid gradients)', () => {
  check('affineGrid 2d', (th) => ve.affineGrid(th, [1, 1, 3, 4]), [rnd([1, 2, 3])]);
  check('affineGrid 3d', (th) => ve.affineGrid(th, [1, 1, 2, 3, 2], true), [rnd([1, 3, 4])]);
  check('gridSample 2d bilinear', (x, g) => ve.gridSample(x, g), [rnd([1, 2, 4, 5]), rnd([1, 3, 2, 2], 0.5)]);
  check(
    'gridSample 2d border alignCorners',
    (x, g) => ve.gridSample(x, g, { paddingMode: 'border', alignCorners: true }),
    [rnd([1, 1, 3, 3]), rnd([1, 2, 3, 2], 0.8)],
  );
  check('gridSample 2d reflection', (x, g) => ve.gridSample(x, g, { paddingMode: 'reflection' }), [
    rnd([1, 1, 3, 4]),
    rnd([1, 2, 2, 2], 0.8),
  ]);
  const nearestGrid = fixed([1, 3, 3, 2], 0.6);
  check('gridSample 2d nearest (input)', (x) => ve.gridSample(x, nearestGrid, { mode: 'nearest' }), [
    rnd([1, 1, 4, 4]),
  ]);
  check('gridSample 2d bicubic', (x, g) => ve.gridSample(x, g, { mode: 'bicubic' }), [
    rnd([1, 1, 4, 4]),
    rnd([1, 2, 2, 2], 0.5),
  ]);
  check('gridSample 3d', (x, g) => ve.gridSample(x, g), [rnd([1, 1, 3, 3, 3]), rnd([1, 2, 2, 1, 3], 0.5)]);
  check('affineGrid → gridSample (theta)', (x, th) => ve.gridSample(x, ve.affineGrid(th, [1, 1, 3, 3])), [
    rnd([1, 1, 4, 4]),
    rnd([1, 2, 3], 0.3),
  ]);
});

test('losses: cross-entropy, nll, BCE with logits, BCE, mse, l1, smooth L1, KL', () => {
  const target = ve.Tensor.from(new BigInt64Array([0n, 2n, 1n, 2n]), [4]);
  check('crossEntropy', (x) => ve.crossEntropy(x, target), [rnd([4, 3])]);
  const classWeight = fixed([3], 0.1, 1);
  check(
    'crossEntropy weighted sum smoothing',
    (x) => ve.crossEntropy(x, target, { weight: classWeight, reduction: 'sum', labelSmoothing: 0.1 }),
    [rnd([4, 3])],
  );
  const ignore = ve.Tensor.from(new BigInt64Array([0n, -100n, 1n, 2n]), [4]);
  check('crossEntropy ignoreIndex', (x) => ve.crossEntropy(x, ignore), [rnd([4, 3])]);
  const seg = ve.Tensor.from(new BigInt64Array([0, 1, 2, 1, 0, 0, 2, 2].map(BigInt)), [2, 2, 2]);
  check('crossEntropy spatial none', (x) => ve.crossEntropy(x, seg, { reduction: 'none' }), [rnd([2, 3, 2, 2])]);
  check('crossEntropy probabilities', (x, p) => ve.crossEntropy(x, ve.softmax(p, 1)), [rnd([3, 4]), rnd([3, 4])]);
  check('nllLoss', (x) => ve.nllLoss(ve.logSoftmax(x, 1), target), [rnd([4, 3])]);
  const t01 = ve.Tensor.from([0, 1, 1, 0, 0.3, 1], [2, 3], { dtype: 'float64' });
  check('bceWithLogits', (x) => ve.binaryCrossEntropyWithLogits(x, t01), [rnd([2, 3])]);
  const posWeight = fixed([3], 0.2, 2),
    elementWeight = fixed([2, 3], 0.1, 1);
  check(
    'bceWithLogits posWeight weight',
    (x) => ve.binaryCrossEntropyWithLogits(x, t01, { posWeight, weight: elementWeight, reduction: 'sum' }),
    [rnd([2, 3])],
  );
  check('bceWithLogits wrt target', (x, t) => ve.binaryCrossEntropyWithLogits(x, ve.sigmoid(t)), [rnd([5]), rnd([5])]);
  check('bce', (x) => ve.binaryCrossEntropy(ve.sigmoid(x), t01), [rnd([2, 3])]);
  check('mse', (a, b) => ve.mseLoss(a, b), [rnd([3, 2]), rnd([3, 2])]);
  check('l1', (a, b) => ve.l1Loss(a, b, { reduction: 'sum' }), [rnd([3, 2]), rnd([3, 2])]);
  check('smoothL1', (a, b) => ve.smoothL1Loss(a, b, { beta: 0.5 }), [rnd([6]), rnd([6])]);
  check('huber', (a, b) => ve.huberLoss(a, b, { delta: 0.7 }), [rnd([6]), rnd([6])]);
  check('klDiv', (a, b) => ve.klDiv(ve.logSoftmax(a, 1), ve.softmax(b, 1), { reduction: 'sum' }), [
    rnd([2, 4]),
    rnd([2, 4]),
  ]);
});

test('pad: constant, reflect, replicate, circular', () => {
  check('constant', (x) => ve.pad(x, [1, 2, 0, 1], 'constant', 0.5), [rnd([1, 1, 3, 3])]);
  check('reflect 2d', (x) => ve.pad(x, [2, 1, 1, 2], 'reflect'), [rnd([1, 2, 3, 4])]);
  check('reflect 1d', (x) => ve.pad(x, [2, 2], 'reflect'), [rnd([1, 1, 4])]);
  check('replicate 3d', (x) => ve.pad(x, [1, 0, 0, 2, 1, 1], 'replicate'), [rnd([1, 1, 2, 3, 2])]);
  check('circular 2d', (x) => ve.pad(x, [1, 1, 2, 0], 'circular'), [rnd([1, 1, 3, 3])]);
});

test('gather, indexSelect, scatter, scatterAdd, indexAdd, maskedFill', () => {
  const idx = ve.Tensor.from(new BigInt64Array([2n, 0n, 1n, 1n, 0n, 2n]), [2, 3]);
  check('gather', (x) => ve.gather(x, 1, idx), [rnd([2, 4])]);
  const sel = ve.Tensor.from(new BigInt64Array([3n, 0n, 3n]), [3]);
  check('indexSelect (repeated index)', (x) => ve.indexSelect(x, 1, sel), [rnd([2, 4])]);
  const sIdx = ve.Tensor.from(new BigInt64Array([1n, 0n, 3n, 2n, 3n, 1n]), [2, 3]);
  check('scatter (x and src)', (x, s) => ve.scatter(x, 1, sIdx, s), [rnd([2, 4]), rnd([2, 3])]);
  check('scatterAdd', (x, s) => ve.scatterAdd(x, 1, idx, s), [rnd([2, 3]), rnd([2, 3])]);
  check('indexAdd', (x, s) => ve.indexAdd(x, 0, ve.Tensor.from(new BigInt64Array([1n, 1n])), s), [
    rnd([3, 2]),
    rnd([2, 2]),
  ]);
  check('maskedFill', (x) => ve.maskedFill(x, ve.gt(x.detach(), 0), 0), [rnd([8])]);
});

test('cat, stack, slicing and other shape ops', () => {
  check('cat', (a, b) => ve.cat([a, b], 1), [rnd([2, 2]), rnd([2, 3])]);
  check('stack', (a, b) => ve.stack([a, b], -1), [rnd([2, 3]), rnd([2, 3])]);
  check('slice step', (a) => ve.slice(a, 1, 1, null, 2), [rnd([2, 6])]);
  check('slice negative', (a) => ve.slice(a, 0, -2), [rnd([4, 2])]);
  check('narrow/select', (a) => ve.narrow(a, 1, 1, 2).add(ve.select(a, 1, 0).unsqueeze(1)), [rnd([3, 4])]);
  check(
    'split/chunk',
    (a) => {
      const [p, q] = ve.split(a, [1, 3], 1);
      const [r] = ve.chunk(a, 2, 0);
      return p!.sum().add(q!.mul(2).sum()).add(r!.mul(3).sum());
    },
    [rnd([2, 4])],
  );
  check(
    'permute/transpose/reshape/flatten',
    (a) => ve.flatten(ve.permute(a, [2, 0, 1]).transpose(0, 1).reshape([3, 8])),
    [rnd([2, 3, 4])],
  );
  check('expand/squeeze/unsqueeze', (a) => ve.expand(a.unsqueeze(0), [3, 2, 4]).squeeze(), [rnd([2, 4])]);
  check('flip/roll', (a) => ve.flip(a, [0, 1]).add(ve.roll(a, [1, -1], [0, 1]).mul(2)), [rnd([3, 4])]);
  check(
    'repeat/tile',
    (a) =>
      ve
        .repeat(a, [2, 1])
        .sum(0)
        .add(ve.tile(a, [1, 2]).sum(1).sum()),
    [rnd([2, 3])],
  );
  check('movedim/unbind', (a) => ve.movedim(a, 0, 2).add(ve.unbind(a, 0)[1]!.unsqueeze(-1)), [rnd([2, 3, 4])]);
  check('tril/triu', (a) => ve.tril(a).add(ve.triu(a, 1).mul(2)), [rnd([3, 3])]);
});
