// Soft Dice loss against the formula computed by hand in plain JS, semantics of its options, and
// autograd against finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { DiceLoss } from '../../src/losses/index.js';
import { ShapeError } from '../../src/util/errors.js';
import { diceOf, flat, mean, oneHot, sigmoid, softmaxPixels, sums, type Grid } from './hand.js';

// 2 samples, 2 classes, 2×2 pixels
const logits: Grid = [
  [
    [0.5, -1.0, 2.0, 0.0],
    [1.5, 0.3, -0.7, 0.2],
  ],
  [
    [-0.2, 0.8, 0.1, -1.5],
    [0.4, -0.6, 1.2, 0.9],
  ],
];
const labels = [
  [1, 0, 0, 1],
  [1, 1, 0, 0],
];
const SMOOTH = 1e-5;

const x = (): ve.Tensor => ve.tensor(flat(logits), [2, 2, 2, 2], { dtype: 'float64' });
const y = (l = labels): ve.Tensor => ve.tensor(l.flat(), [2, 1, 2, 2], { dtype: 'int64' });

const probs = softmaxPixels(logits);
const target = oneHot(labels, 2);

test('per-sample soft Dice with background equals the hand-computed value', () => {
  const expected = mean([0, 1].flatMap((n) => [0, 1].map((c) => 1 - diceOf(sums(probs, target, [n], c), SMOOTH))));
  const got = new DiceLoss().forward(x(), y()).item();
  assert.ok(Math.abs(got - expected) < 1e-12, `${got} vs ${expected}`);
});

test('includeBackground false drops class 0 after the softmax over all classes', () => {
  const expected = mean([0, 1].map((n) => 1 - diceOf(sums(probs, target, [n], 1), SMOOTH)));
  const got = new DiceLoss({ includeBackground: false }).forward(x(), y()).item();
  assert.ok(Math.abs(got - expected) < 1e-12, `${got} vs ${expected}`);
  // and it is not the with-background value
  assert.ok(Math.abs(got - new DiceLoss().forward(x(), y()).item()) > 1e-3);
});

test('batch Dice sums over the batch before dividing (nnU-Net batch_dice)', () => {
  const expected = mean([0, 1].map((c) => 1 - diceOf(sums(probs, target, [0, 1], c), SMOOTH)));
  const got = new DiceLoss({ batch: true }).forward(x(), y()).item();
  assert.ok(Math.abs(got - expected) < 1e-12, `${got} vs ${expected}`);
  const perSample = new DiceLoss({ batch: false }).forward(x(), y()).item();
  assert.ok(Math.abs(got - perSample) > 1e-4, 'batch and per-sample Dice must differ on this case');
});

test('squared denominator uses Σp² + Σg²', () => {
  const expected = mean(
    [0, 1].flatMap((n) => [0, 1].map((c) => 1 - diceOf(sums(probs, target, [n], c, undefined, true), SMOOTH))),
  );
  const got = new DiceLoss({ squared: true }).forward(x(), y()).item();
  assert.ok(Math.abs(got - expected) < 1e-12, `${got} vs ${expected}`);
});

test("reduction 'none' gives the per-sample, per-class losses", () => {
  const got = new DiceLoss({ reduction: 'none' }).forward(x(), y());
  assert.deepEqual(got.shape, [2, 2]);
  const values = Array.from(got.toArray() as Float64Array);
  [0, 1].forEach((n) =>
    [0, 1].forEach((c) => {
      const e = 1 - diceOf(sums(probs, target, [n], c), SMOOTH);
      assert.ok(Math.abs(values[n * 2 + c]! - e) < 1e-12);
    }),
  );
  const sum = new DiceLoss({ reduction: 'sum' }).forward(x(), y()).item();
  assert.ok(Math.abs(sum - values.reduce((a, b) => a + b, 0)) < 1e-12);
});

test('a one-hot target gives the same loss as the label map', () => {
  const dense = ve.tensor(flat(target), [2, 2, 2, 2], { dtype: 'float64' });
  const a = new DiceLoss({ batch: true }).forward(x(), dense).item();
  const b = new DiceLoss({ batch: true }).forward(x(), y()).item();
  assert.ok(Math.abs(a - b) < 1e-12);
  // a label map stored as float (as deep supervision produces) too
  const floatLabels = ve.tensor(labels.flat(), [2, 1, 2, 2], { dtype: 'float32' });
  assert.ok(Math.abs(new DiceLoss({ batch: true }).forward(x(), floatLabels).item() - b) < 1e-12);
});

test('a perfect prediction gives a loss of about 0, an inverted one about 1', () => {
  const perfect = ve.tensor(
    flat(target).map((v) => (v ? 30 : -30)),
    [2, 2, 2, 2],
    { dtype: 'float32' },
  );
  assert.ok(new DiceLoss().forward(perfect, y()).item() < 1e-5);
  assert.ok(new DiceLoss({ includeBackground: false, batch: true }).forward(perfect, y()).item() < 1e-5);
  const wrong = ve.tensor(
    flat(target).map((v) => (v ? -30 : 30)),
    [2, 2, 2, 2],
    { dtype: 'float32' },
  );
  assert.ok(new DiceLoss().forward(wrong, y()).item() > 0.999);
});

test('sigmoid with one channel: binary Dice of the foreground', () => {
  const fg = [[0.3, -1.2, 2.2, 0.7]];
  const mask = [[1, 0, 1, 0]];
  const p = [[fg[0]!.map(sigmoid)]];
  const expected = 1 - diceOf(sums(p, [mask], [0], 0), SMOOTH);
  const got = new DiceLoss({ activation: 'sigmoid', includeBackground: false })
    .forward(
      ve.tensor(fg.flat(), [1, 1, 2, 2], { dtype: 'float64' }),
      ve.tensor(mask.flat(), [1, 1, 2, 2], { dtype: 'uint8' }),
    )
    .item();
  assert.ok(Math.abs(got - expected) < 1e-12, `${got} vs ${expected}`);
});

test('ignoreIndex takes voxels out of every sum', () => {
  const withIgnore = [
    [1, 255, 0, 1],
    [255, 1, 0, 0],
  ];
  const keep = withIgnore.map((l) => l.map((v) => v !== 255));
  const t = oneHot(withIgnore, 2);
  const expected = mean([0, 1].flatMap((n) => [0, 1].map((c) => 1 - diceOf(sums(probs, t, [n], c, keep), SMOOTH))));
  const got = new DiceLoss({ ignoreIndex: 255 }).forward(x(), y(withIgnore)).item();
  assert.ok(Math.abs(got - expected) < 1e-12, `${got} vs ${expected}`);
  // an ignore label inside the class range (class 0 here) is masked out of the target too
  const keep0 = labels.map((l) => l.map((v) => v !== 0));
  const t0 = oneHot(
    labels.map((l) => l.map((v) => (v === 0 ? -1 : v))),
    2,
  );
  const expected0 = mean([0, 1].flatMap((n) => [0, 1].map((c) => 1 - diceOf(sums(probs, t0, [n], c, keep0), SMOOTH))));
  assert.ok(Math.abs(new DiceLoss({ ignoreIndex: 0 }).forward(x(), y()).item() - expected0) < 1e-12);
});

test('gradients match finite differences (float64)', () => {
  const labelsT = y();
  for (const options of [
    {},
    { includeBackground: false, batch: true },
    { squared: true },
    { activation: 'sigmoid' as const },
    { ignoreIndex: 1 },
  ]) {
    const input = x();
    input.requiresGrad = true;
    const loss = new DiceLoss(options);
    const r = ve.gradcheck((a) => loss.forward(a, labelsT), [input]);
    assert.ok(r.ok, `${JSON.stringify(options)}: max error ${r.maxAbsError}`);
  }
});

test('shape and option errors are typed and name the problem', () => {
  assert.throws(() => new DiceLoss().forward(x(), ve.zeros([2, 3, 2, 2])), ShapeError);
  assert.throws(() => new DiceLoss().forward(x(), ve.zeros([2, 1, 2, 3])), /does not fit logits/);
  assert.throws(() => new DiceLoss({ smooth: -1 }), /smooth/);
  assert.throws(() => new DiceLoss({ activation: 'softplus' as never }), /activation/);
  assert.throws(
    () => new DiceLoss({ ignoreIndex: 255 }).forward(x(), ve.zeros([2, 2, 2, 2], { dtype: 'float64' })),
    /label-map/,
  );
});

test('no tensors are left behind', () => {
  const input = x(),
    t = y();
  const loss = new DiceLoss({ ignoreIndex: 255 });
  loss.forward(input, t).dispose();
  const before = ve.memoryStats().liveTensors;
  for (let i = 0; i < 3; i++) loss.forward(input, t).dispose();
  assert.equal(ve.memoryStats().liveTensors, before);
});
