// Dice+CE, focal, Tversky and generalised Dice against their published formulas computed by hand,
// their limiting cases, and autograd against finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { DiceCELoss, DiceLoss, FocalLoss, GeneralizedDiceLoss, TverskyLoss } from '../../src/losses/index.js';
import { diceOf, flat, mean, oneHot, sigmoid, softmaxPixels, sums, type Grid } from './hand.js';

// 2 samples, 3 classes, 4 pixels (1×4 images)
const logits: Grid = [
  [
    [0.5, -1.0, 2.0, 0.0],
    [1.5, 0.3, -0.7, 0.2],
    [-0.4, 1.1, 0.6, -0.9],
  ],
  [
    [-0.2, 0.8, 0.1, -1.5],
    [0.4, -0.6, 1.2, 0.9],
    [1.3, 0.2, -0.3, 0.5],
  ],
];
const labels = [
  [1, 2, 0, 1],
  [2, 1, 0, 0],
];
const SMOOTH = 1e-5;
const x = (): ve.Tensor => ve.tensor(flat(logits), [2, 3, 1, 4], { dtype: 'float64' });
const y = (l = labels): ve.Tensor => ve.tensor(l.flat(), [2, 1, 1, 4], { dtype: 'int64' });
const probs = softmaxPixels(logits);
const target = oneHot(labels, 3);
const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

/** mean over pixels of −log p_label */
function handCE(l = labels): number {
  const terms: number[] = [];
  l.forEach((row, n) =>
    row.forEach((c, i) => {
      if (c >= 0 && c < 3) terms.push(-Math.log(probs[n]![c]![i]!));
    }),
  );
  return mean(terms);
}

test('DiceCE = cross-entropy + Dice without background (nnU-Net defaults)', () => {
  const dice = mean([0, 1].flatMap((n) => [1, 2].map((c) => 1 - diceOf(sums(probs, target, [n], c), SMOOTH))));
  close(new DiceCELoss().forward(x(), y()).item(), handCE() + dice);
  const batchDice = mean([1, 2].map((c) => 1 - diceOf(sums(probs, target, [0, 1], c), SMOOTH)));
  close(
    new DiceCELoss({ batch: true, weightCE: 2, weightDice: 0.5 }).forward(x(), y()).item(),
    2 * handCE() + 0.5 * batchDice,
  );
});

test('DiceCE with an ignore label: CE over the counted voxels, Dice masked', () => {
  const withIgnore = [
    [1, 9, 0, 1],
    [2, 1, 9, 0],
  ];
  const keep = withIgnore.map((l) => l.map((v) => v !== 9));
  const t = oneHot(withIgnore, 3);
  const dice = mean([0, 1].flatMap((n) => [1, 2].map((c) => 1 - diceOf(sums(probs, t, [n], c, keep), SMOOTH))));
  close(new DiceCELoss({ ignoreIndex: 9 }).forward(x(), y(withIgnore)).item(), handCE(withIgnore) + dice);
});

test('DiceCE with sigmoid uses per-channel binary cross-entropy', () => {
  const bce: number[] = [];
  logits.forEach((s, n) =>
    s.forEach((ch, c) =>
      ch.forEach((z, i) => {
        const g = target[n]![c]![i]!,
          p = sigmoid(z);
        bce.push(-(g * Math.log(p) + (1 - g) * Math.log(1 - p)));
      }),
    ),
  );
  const pSig: Grid = logits.map((s) => s.map((ch) => ch.map(sigmoid)));
  const dice = mean([0, 1].flatMap((n) => [1, 2].map((c) => 1 - diceOf(sums(pSig, target, [n], c), SMOOTH))));
  const dense = ve.tensor(flat(target), [2, 3, 1, 4], { dtype: 'float64' });
  close(new DiceCELoss({ activation: 'sigmoid' }).forward(x(), dense).item(), mean(bce) + dice);
});

test('focal loss (softmax) with γ and α by hand; γ = 0 is cross-entropy', () => {
  close(new FocalLoss({ gamma: 0 }).forward(x(), y()).item(), handCE());
  const alpha = [0.2, 0.5, 0.3];
  const terms: number[] = [];
  labels.forEach((row, n) =>
    row.forEach((c, i) => {
      const p = probs[n]![c]![i]!;
      terms.push(-alpha[c]! * (1 - p) ** 2 * Math.log(p));
    }),
  );
  close(new FocalLoss({ gamma: 2, alpha }).forward(x(), y()).item(), mean(terms));
  // a number α weighs the background 1 − α and the other classes α (MONAI)
  const terms25: number[] = [];
  labels.forEach((row, n) =>
    row.forEach((c, i) => {
      const p = probs[n]![c]![i]!;
      terms25.push(-(c === 0 ? 0.75 : 0.25) * (1 - p) ** 1.5 * Math.log(p));
    }),
  );
  close(new FocalLoss({ gamma: 1.5, alpha: 0.25 }).forward(x(), y()).item(), mean(terms25));
});

test('focal loss (sigmoid) is torchvision sigmoid_focal_loss', () => {
  const fg = [0.3, -1.2, 2.2, 0.7, -0.1, 1.4];
  const g = [1, 0, 1, 0, 0, 1];
  const terms = fg.map((z, i) => {
    const p = sigmoid(z),
      t = g[i]!;
    const ce = -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
    const pt = p * t + (1 - p) * (1 - t);
    const at = 0.25 * t + 0.75 * (1 - t);
    return at * (1 - pt) ** 2 * ce;
  });
  const got = new FocalLoss({ activation: 'sigmoid', gamma: 2, alpha: 0.25 })
    .forward(ve.tensor(fg, [1, 1, 2, 3], { dtype: 'float64' }), ve.tensor(g, [1, 1, 2, 3], { dtype: 'float64' }))
    .item();
  close(got, mean(terms));
});

test('Tversky by hand; α = β = 0.5 is the Dice loss', () => {
  const a = 0.3,
    b = 0.7;
  const expected = mean(
    [0, 1].flatMap((n) =>
      [0, 1, 2].map((c) => {
        const s = sums(probs, target, [n], c);
        const fp = s.p - s.tp,
          fn = s.g - s.tp;
        return 1 - (s.tp + SMOOTH) / (s.tp + a * fp + b * fn + SMOOTH);
      }),
    ),
  );
  close(new TverskyLoss({ alpha: a, beta: b }).forward(x(), y()).item(), expected);
  // the smoothing terms enter the two differently, so compare without them
  close(new TverskyLoss({ smooth: 0 }).forward(x(), y()).item(), new DiceLoss({ smooth: 0 }).forward(x(), y()).item());
  const o = { batch: true, includeBackground: false, smooth: 0 };
  close(new TverskyLoss(o).forward(x(), y()).item(), new DiceLoss(o).forward(x(), y()).item());
});

test('generalised Dice by hand, with weights 1/(Σ ref)² and an absent class given the largest weight', () => {
  // sample 0 has no class 2: its weight becomes the largest finite weight of that sample
  const l = [
    [1, 1, 0, 1],
    [2, 1, 0, 0],
  ];
  const t = oneHot(l, 3);
  const perSample = [0, 1].map((n) => {
    const s = [0, 1, 2].map((c) => sums(probs, t, [n], c));
    const raw = s.map((v) => 1 / (v.g * v.g));
    const finiteMax = Math.max(...raw.filter(Number.isFinite));
    const w = raw.map((v) => (Number.isFinite(v) ? v : finiteMax));
    const num = 2 * s.reduce((acc, v, c) => acc + w[c]! * v.tp, 0) + SMOOTH;
    const den = s.reduce((acc, v, c) => acc + w[c]! * (v.p + v.g), 0) + SMOOTH;
    return 1 - num / den;
  });
  close(new GeneralizedDiceLoss().forward(x(), y(l)).item(), mean(perSample));
  const none = new GeneralizedDiceLoss({ reduction: 'none' }).forward(x(), y(l));
  assert.deepEqual(none.shape, [2]);
});

test('perfect predictions give about 0 for every overlap loss', () => {
  const perfect = ve.tensor(
    flat(target).map((v) => (v ? 30 : -30)),
    [2, 3, 1, 4],
    { dtype: 'float64' },
  );
  for (const loss of [
    new DiceCELoss(),
    new TverskyLoss({ alpha: 0.3, beta: 0.7 }),
    new GeneralizedDiceLoss(),
    new FocalLoss(),
  ]) {
    const v = loss.forward(perfect, y()).item();
    assert.ok(v >= -1e-9 && v < 1e-5, `${loss.constructor.name}: ${v}`);
  }
});

test('gradients match finite differences (float64)', () => {
  const t = y();
  const dense = ve.tensor(flat(target), [2, 3, 1, 4], { dtype: 'float64' });
  const cases: Array<[string, (a: ve.Tensor) => ve.Tensor]> = [
    ['DiceCE', (a) => new DiceCELoss({ batch: true }).forward(a, t)],
    ['DiceCE ignore', (a) => new DiceCELoss({ ignoreIndex: 2 }).forward(a, t)],
    ['DiceCE sigmoid', (a) => new DiceCELoss({ activation: 'sigmoid' }).forward(a, dense)],
    ['focal softmax', (a) => new FocalLoss({ gamma: 2, alpha: 0.25 }).forward(a, t)],
    ['focal sigmoid', (a) => new FocalLoss({ activation: 'sigmoid', gamma: 2, alpha: 0.25 }).forward(a, dense)],
    ['Tversky', (a) => new TverskyLoss({ alpha: 0.3, beta: 0.7 }).forward(a, t)],
    ['generalised Dice', (a) => new GeneralizedDiceLoss().forward(a, t)],
  ];
  for (const [name, fn] of cases) {
    const input = x();
    input.requiresGrad = true;
    const r = ve.gradcheck(fn, [input]);
    assert.ok(r.ok, `${name}: max error ${r.maxAbsError}`);
  }
});

test('option errors name the option', () => {
  assert.throws(() => new FocalLoss({ gamma: -1 }), /gamma/);
  assert.throws(() => new FocalLoss({ activation: 'sigmoid', alpha: [0.5, 0.5] }), /alpha/);
  assert.throws(() => new FocalLoss({ alpha: [0.5, 0.5] }).forward(x(), y()), /alpha: has 2 weights for 3 classes/);
  assert.throws(() => new TverskyLoss({ beta: Number.NaN }), /beta/);
  assert.throws(() => new DiceCELoss({ weightCE: -1 }), /weightCE/);
  assert.throws(() => new DiceCELoss({ classWeights: [1, 2] }).forward(x(), y()), /classWeights/);
});

test('half-precision logits are raised to float32 for the loss', () => {
  const half = x().to('bfloat16');
  const asFloat = half.to('float32');
  for (const loss of [new DiceCELoss(), new FocalLoss(), new GeneralizedDiceLoss(), new TverskyLoss()]) {
    const got = loss.forward(half, y());
    assert.equal(got.dtype, 'float32', loss.constructor.name);
    close(got.item(), loss.forward(asFloat, y()).item(), 1e-6);
  }
});
