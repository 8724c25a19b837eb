import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/train/config.js';
import type { Plan } from '../../src/data/plan.js';
import { SGD } from '../../src/engine/optim/sgd.js';
import * as ve from '../../src/engine/index.js';
import { afterValidation } from '../../src/train/early-stopping.js';
import { buildModel, modelOptions } from '../../src/train/model.js';
import { buildOptimizer, buildScheduler } from '../../src/train/optimization.js';
import { confusionCounts } from '../../src/metrics/confusion.js';
import { dice } from '../../src/metrics/overlap.js';
import { dicePerClass } from '../../src/train/validation.js';
import { chooseFold } from '../../src/train/data.js';
import { kFoldSplits } from '../../src/data/splits.js';

const base = {
  dataset: {
    layout: 'folders',
    root: '/x',
    images: { dir: 'i' },
    labels: { dir: 'l' },
    classes: { background: 0, a: 1 },
  },
};

function plan(over: Partial<Plan> = {}): Plan {
  return {
    dataset: 'd',
    dimension: '3d',
    axis_order: 'ijk',
    channels: ['MR'],
    num_classes: 2,
    target_spacing: [1, 1, 3],
    original_median_spacing: [1, 1, 3],
    median_shape: [64, 64, 20],
    patch_size: [64, 32, 8],
    batch_size: 2,
    pools_per_axis: [3, 2, 1],
    pool_kernel_sizes: [
      [1, 1, 1],
      [2, 2, 1],
      [2, 2, 2],
      [2, 1, 1],
    ],
    conv_kernel_sizes: [
      [3, 3, 1],
      [3, 3, 3],
      [3, 3, 3],
      [3, 3, 3],
    ],
    features_per_stage: [8, 16, 32, 64],
    normalization: ['zscore'],
    use_mask_for_norm: [false],
    foreground_intensity: [],
    memory: { budget_bytes: 1, estimated_bytes_per_sample: 1 },
    overridden: [],
    ...over,
  };
}

test('the model takes the plan kernels and strides, reversed from image order (i, j, k) to tensor order (D, H, W)', () => {
  const o = modelOptions(parseConfig(base), plan(), 1, 2);
  assert.deepEqual(o.strides, [
    [1, 1, 1],
    [1, 2, 2],
    [2, 2, 2],
    [1, 1, 2],
  ]);
  assert.deepEqual(o.kernelSizes, [
    [1, 3, 3],
    [3, 3, 3],
    [3, 3, 3],
    [3, 3, 3],
  ]);
  assert.deepEqual(o.features, [8, 16, 32, 64]);
  const m = buildModel(parseConfig(base), plan(), 1, 2);
  m.eval();
  const out = ve.noGrad(() => m.forward(ve.zeros([1, 1, 8, 32, 64]))) as ve.Tensor;
  assert.deepEqual(out.shape, [1, 2, 8, 32, 64]);
  out.dispose();
  m.dispose();
  // network.features with another depth: plain stride-2 stages instead of the plan's
  const own = modelOptions(parseConfig({ ...base, network: { features: [4, 8] } }), plan(), 1, 2);
  assert.deepEqual(own.strides, [1, 2]);
  assert.equal(own.kernelSizes, 3);
  assert.throws(
    () => buildModel(parseConfig(base), plan({ patch_size: [64, 30, 8] }), 1, 2),
    /patch_size: \[64, 30, 8\] \(image order\) must be divisible by \[8, 4, 2\]/,
  );
  assert.throws(
    () => modelOptions(parseConfig({ ...base, network: { depth: 3, features: [4, 8] } }), plan(), 1, 2),
    /network.depth: is 3 but network.features lists 2 stages/,
  );
});

test('schedules: poly and cosine over epochs × iterations, after a linear warm-up', () => {
  const p = ve.zeros([1], { requiresGrad: true });
  const cfg = (schedule: object) =>
    parseConfig({ ...base, epochs: 4, iterations_per_epoch: 5, optimizer: { name: 'sgd', lr: 0.1 }, schedule });
  const lrs = (schedule: object) => {
    const c = cfg(schedule);
    const opt = buildOptimizer(c, [p]);
    const s = buildScheduler(c, opt);
    const out = [s.getLr()[0]!];
    for (let t = 0; t < 20; t++) {
      s.step();
      out.push(s.getLr()[0]!);
    }
    return out;
  };
  const poly = lrs({ name: 'poly' });
  for (const t of [0, 7, 19]) assert.ok(Math.abs(poly[t]! - 0.1 * (1 - t / 20) ** 0.9) < 1e-12);
  assert.equal(poly[20], 0);
  const cos = lrs({ name: 'cosine', warmup_epochs: 1 });
  for (const t of [0, 2, 4])
    assert.ok(Math.abs(cos[t]! - 0.1 * (1 / 5 + (4 / 5) * (t / 5))) < 1e-12, `warm-up step ${t}`);
  for (const t of [5, 12, 20])
    assert.ok(Math.abs(cos[t]! - (0.1 * (1 + Math.cos((Math.PI * (t - 5)) / 15))) / 2) < 1e-12, `cosine step ${t}`);
  assert.deepEqual(new Set(lrs({ name: 'constant' })), new Set([0.1]));
  const sgd = buildOptimizer(cfg({}), [p]);
  assert.ok(sgd instanceof SGD);
  assert.deepEqual(sgd.paramGroups[0]!.options, { momentum: 0.99, dampening: 0, nesterov: true, weightDecay: 3e-5 });
  p.dispose();
});

test('early stopping counts validations without an improvement larger than min_delta', () => {
  const o = { patience: 2, minDelta: 0.01 };
  let s = { bestMetric: null as number | null, bestEpoch: null as number | null, sinceBest: 0 };
  const seen: Array<[boolean, boolean]> = [];
  for (const [epoch, m] of [
    [1, 0.5],
    [2, 0.505],
    [3, 0.52],
    [4, 0.52],
    [5, 0.529],
  ] as const) {
    const r = afterValidation(s, m, epoch, o);
    seen.push([r.improved, r.stop]);
    s = r;
  }
  assert.deepEqual(seen, [
    [true, false],
    [false, false],
    [true, false],
    [false, false],
    [false, true],
  ]);
  assert.equal(s.bestEpoch, 3);
  assert.equal(afterValidation({ bestMetric: null, bestEpoch: null, sinceBest: 0 }, NaN, 1, o).improved, false);
  assert.equal(
    afterValidation({ bestMetric: 0.9, bestEpoch: 1, sinceBest: 5 }, 0.1, 9, { patience: 0, minDelta: 0 }).stop,
    false,
  );
});

test('validation Dice per class: 2TP/(2TP+FP+FN), 1 when absent from both (as evaluate), ROI excludes voxels', () => {
  //          truth  0 1 1 2 2 0 0 1
  //          pred   0 1 0 2 1 1 0 1
  const truth = [0, 1, 1, 2, 2, 0, 0, 1],
    pred = [0, 1, 0, 2, 1, 1, 0, 1];
  // class 1: TP 2, FP 2 (idx 4, 5), FN 1 (idx 2) → 4/7; class 2: TP 1, FP 0, FN 1 → 2/3; class 3 absent → 1
  const d = dicePerClass(pred, truth, 4);
  assert.ok(Math.abs(d[0]! - 4 / 7) < 1e-12);
  assert.ok(Math.abs(d[1]! - 2 / 3) < 1e-12);
  assert.equal(d[2], 1);
  // the same numbers as evaluate's per-case metric on each class mask
  for (const c of [1, 2, 3]) {
    const counts = confusionCounts(
      Uint8Array.from(pred, (v) => +(v === c)),
      Uint8Array.from(truth, (v) => +(v === c)),
    );
    assert.equal(d[c - 1], dice(counts));
  }
  assert.throws(() => dicePerClass([0, 4], [0, 1], 3), /label 4 at voxel 1 is outside 0..2/);
  // ROI drops indices 4 and 5: class 1 TP 2, FN 1 → 4/5; class 2 TP 1 → 1
  const roi = [1, 1, 1, 1, 0, 0, 1, 1];
  assert.deepEqual(dicePerClass(pred, truth, 3, roi), [4 / 5, 1]);
});

test('splits: k folds by seed, every case (fold all), or explicit validation cases', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const k = chooseFold(parseConfig({ ...base, validation: { folds: 5, fold: 2 } }), ids);
  assert.equal(k.folds.length, 5);
  assert.deepEqual(k.fold, kFoldSplits(ids, 5, 12345)[2]);
  assert.deepEqual(chooseFold(parseConfig({ ...base, validation: { fold: 'all' } }), ids).fold, {
    train: ids,
    val: [],
  });
  assert.deepEqual(chooseFold(parseConfig({ ...base, validation: { val_cases: ['d', 'b'] } }), ids).fold, {
    train: ['a', 'c', 'e'],
    val: ['b', 'd'],
  });
  assert.throws(
    () => chooseFold(parseConfig({ ...base, validation: { val_cases: ['x'] } }), ids),
    /validation.val_cases: names case\(s\) the dataset does not have: x/,
  );
  assert.throws(
    () => chooseFold(parseConfig({ ...base, validation: { folds: 3, fold: 3 } }), ids),
    /validation.fold: is 3 but there are only 3 folds/,
  );
});
