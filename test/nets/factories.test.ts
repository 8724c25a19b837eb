// Layer factories: the same call makes the 2D or the 3D layer, with 'same' padding and exact up-sampling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { BatchNorm, GroupNorm, InstanceNorm, LeakyReLU, ReLU } from '../../src/engine/nn/index.js';
import {
  activationLayer,
  convLayer,
  normLayer,
  perAxis,
  poolLayer,
  samePadding,
  upsamplingLayer,
} from '../../src/nets/index.js';
import { OptionError } from '../../src/util/errors.js';

test("convolutions keep the size at stride 1 ('same' padding), in 2D and 3D, anisotropic too", () => {
  assert.deepEqual(convLayer(2, 3, 5, 3).forward(ve.randn([1, 3, 7, 6])).shape, [1, 5, 7, 6]);
  assert.deepEqual(convLayer(3, 1, 2, [1, 3, 5]).forward(ve.randn([1, 1, 4, 5, 6])).shape, [1, 2, 4, 5, 6]);
  assert.deepEqual(
    convLayer(3, 1, 2, 3, { stride: [1, 2, 3] }).forward(ve.randn([1, 1, 4, 6, 9])).shape,
    [1, 2, 4, 3, 3],
  );
  assert.deepEqual(samePadding([1, 3, 5]), [0, 1, 2]);
  assert.throws(() => samePadding([2, 3]), OptionError);
  assert.equal(convLayer(2, 1, 1, 3, { bias: false }).bias, null);
});

test('the up-sampling layer undoes a stride exactly', () => {
  assert.deepEqual(upsamplingLayer(2, 8, 4, [2, 3]).forward(ve.randn([1, 8, 5, 4])).shape, [1, 4, 10, 12]);
  assert.deepEqual(upsamplingLayer(3, 8, 4, [1, 2, 2]).forward(ve.randn([1, 8, 3, 4, 5])).shape, [1, 4, 3, 8, 10]);
});

test('norms, activations and pools by name', () => {
  const inst = normLayer('instance', 3, 6);
  assert.ok(inst instanceof InstanceNorm && inst.affine, 'instance norm is affine, as nnU-Net uses it');
  assert.ok(normLayer('batch', 2, 6) instanceof BatchNorm);
  const g = normLayer('group', 2, 12);
  assert.ok(g instanceof GroupNorm && g.numGroups === 4, 'default groups gcd(8, 12) = 4');
  assert.equal((normLayer('group', 2, 32) as GroupNorm).numGroups, 8);
  assert.throws(() => normLayer('group', 2, 12, { groups: 5 }), /normGroups/);
  assert.equal(normLayer('none', 2, 6), null);
  assert.ok(activationLayer('relu') instanceof ReLU);
  const lrelu = activationLayer('leakyrelu', { negativeSlope: 0.2 });
  assert.ok(lrelu instanceof LeakyReLU && lrelu.negativeSlope === 0.2);
  assert.deepEqual(poolLayer('max', 3, [1, 2, 2]).forward(ve.randn([1, 1, 3, 4, 4])).shape, [1, 1, 3, 2, 2]);
  assert.deepEqual(poolLayer('avg', 2, 2).forward(ve.randn([1, 1, 4, 6])).shape, [1, 1, 2, 3]);
  assert.throws(() => perAxis([2, 2], 3, 'strides'), /strides: expected a positive integer or 3 of them/);
});
