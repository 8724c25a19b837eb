// Deep-supervision weighting (nnU-Net's rule) and target down-sampling, checked by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import {
  DeepSupervisionLoss,
  DiceCELoss,
  DiceLoss,
  deepSupervisionWeights,
  downsampleTarget,
} from '../../src/losses/index.js';

test('weights are 1/2^i, the lowest resolution 0, normalised to sum 1', () => {
  const w = deepSupervisionWeights(5);
  const raw = [1, 0.5, 0.25, 0.125, 0];
  const total = 1.875;
  w.forEach((v, i) => assert.ok(Math.abs(v - raw[i]! / total) < 1e-15));
  assert.deepEqual(deepSupervisionWeights(1), [1]);
  assert.deepEqual(deepSupervisionWeights(2), [1, 0]);
  assert.throws(() => deepSupervisionWeights(0), /outputs/);
});

test('label maps are down-sampled nearest-exact (centre voxel of each 2×2 block, as nnU-Net)', () => {
  // 4×4 labels with value 10·row + col
  const values = Array.from({ length: 16 }, (_, k) => 10 * Math.floor(k / 4) + (k % 4));
  const t = ve.tensor(values, [1, 1, 4, 4], { dtype: 'int64' });
  const d = downsampleTarget(t, [2, 2]);
  assert.deepEqual(d.shape, [1, 1, 2, 2]);
  // nearest-exact picks source index floor((i + 0.5)·2) = 2i + 1
  assert.deepEqual(Array.from(d.toArray() as Float32Array), [11, 13, 31, 33]);
  // anisotropic: only the last axis halves
  const e = downsampleTarget(t, [4, 2]);
  assert.deepEqual(Array.from(e.toArray() as Float32Array), [1, 3, 11, 13, 21, 23, 31, 33]);
  assert.equal(downsampleTarget(t, [4, 4]), t, 'same size returns the target itself');
});

test('one-hot targets can be max-pooled: a class stays wherever any covered voxel had it', () => {
  // class 1 present only at (0,0) of a 2×2 image
  const dense = ve.tensor([0, 1, 1, 1, 1, 0, 0, 0], [1, 2, 2, 2], { dtype: 'float32' });
  assert.deepEqual(Array.from(downsampleTarget(dense, [1, 1], 'maxpool').toArray() as Float32Array), [1, 1]);
  // nearest-exact would keep the voxel (1,1) only: class 0
  assert.deepEqual(Array.from(downsampleTarget(dense, [1, 1]).toArray() as Float32Array), [1, 0]);
  assert.throws(() => downsampleTarget(ve.zeros([1, 2, 5, 5]), [2, 2], 'maxpool'), /integer size ratios/);
});

test('the wrapped loss is the weighted sum over outputs, skipping the zero-weighted lowest one', () => {
  ve.manualSeed(3);
  const labels = ve.randint(0, 3, [2, 1, 8, 8]);
  const outs = [ve.randn([2, 3, 8, 8]), ve.randn([2, 3, 4, 4]), ve.randn([2, 3, 2, 2])];
  const base = new DiceCELoss();
  const ds = new DeepSupervisionLoss(base);
  const w = deepSupervisionWeights(3);
  const expected =
    w[0]! * base.forward(outs[0]!, labels).item() +
    w[1]! * base.forward(outs[1]!, downsampleTarget(labels, [4, 4])).item();
  assert.ok(Math.abs(ds.forward(outs, labels).item() - expected) < 1e-6);
  // the same with ready-made targets
  const targets = [labels, downsampleTarget(labels, [4, 4]), downsampleTarget(labels, [2, 2])];
  assert.ok(Math.abs(ds.forward(outs, targets).item() - expected) < 1e-6);
  // explicit weights, and a single tensor is a list of one
  const custom = new DeepSupervisionLoss(new DiceLoss(), { weights: [0, 0, 1] });
  assert.ok(
    Math.abs(
      custom.forward(outs, labels).item() - new DiceLoss().forward(outs[2]!, downsampleTarget(labels, [2, 2])).item(),
    ) < 1e-6,
  );
  assert.ok(
    Math.abs(
      new DeepSupervisionLoss(new DiceLoss()).forward(outs[0]!, labels).item() -
        new DiceLoss().forward(outs[0]!, labels).item(),
    ) < 1e-7,
  );
});

test('gradients reach every weighted output and none the zero-weighted one', () => {
  const labels = ve.randint(0, 2, [1, 1, 4, 4]);
  const outs = [ve.randn([1, 2, 4, 4]), ve.randn([1, 2, 2, 2]), ve.randn([1, 2, 1, 1])];
  outs.forEach((o) => (o.requiresGrad = true));
  new DeepSupervisionLoss(new DiceCELoss()).forward(outs, labels).backward();
  assert.ok(outs[0]!.grad !== null && outs[0]!.grad.abs().sum().item() > 0);
  assert.ok(outs[1]!.grad !== null && outs[1]!.grad.abs().sum().item() > 0);
  assert.equal(outs[2]!.grad, null);
});

test('mismatched counts are shape errors', () => {
  const outs = [ve.randn([1, 2, 4, 4]), ve.randn([1, 2, 2, 2])];
  assert.throws(
    () => new DeepSupervisionLoss(new DiceLoss(), { weights: [1] }).forward(outs, ve.zeros([1, 1, 4, 4])),
    /1 weights for 2 outputs/,
  );
  assert.throws(
    () => new DeepSupervisionLoss(new DiceLoss()).forward(outs, [ve.zeros([1, 1, 4, 4])]),
    /1 targets for 2 outputs/,
  );
  assert.throws(() => new DeepSupervisionLoss(new DiceLoss(), { weights: [-1, 1] }), /weights/);
});
