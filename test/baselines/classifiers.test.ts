import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { fitBaseline, loadBaseline, type BaselineOptions, type TrainingImage } from '../../src/baselines/model.js';
import { DEFAULT_FEATURES } from '../../src/baselines/features.js';
import { predictForest, trainForest } from '../../src/baselines/random-forest.js';
import { balancedSample } from '../../src/baselines/sampling.js';
import { predictSvm, trainSvm } from '../../src/baselines/svm.js';
import { Random } from '../../src/util/random.js';
import { tempDir } from '../helpers/tmp.js';

/** n points in [-1, 1]², label by `rule`; X row-major and one array per feature. */
function points(n: number, seed: number, rule: (x: number, y: number) => number) {
  const rng = new Random(seed);
  const x = new Float32Array(2 * n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = rng.uniform(-1, 1);
    x[2 * i + 1] = rng.uniform(-1, 1);
    y[i] = rule(x[2 * i]!, x[2 * i + 1]!);
  }
  const cols = [
    Float32Array.from({ length: n }, (_, i) => x[2 * i]!),
    Float32Array.from({ length: n }, (_, i) => x[2 * i + 1]!),
  ];
  return { x, y, cols };
}

const accuracy = (probs: Float32Array, y: Uint8Array, K: number) => {
  const n = y.length;
  let right = 0;
  for (let v = 0; v < n; v++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (probs[k * n + v]! > probs[best * n + v]!) best = k;
    if (best === y[v]) right++;
  }
  return right / n;
};

test('random forest: learns XOR and three sectors, probabilities sum to 1, the seed fixes the forest', () => {
  const xor = (a: number, b: number) => (a > 0 !== b > 0 ? 1 : 0);
  const train = points(3000, 1, xor);
  const test_ = points(1000, 2, xor);
  const options = { trees: 15, maxDepth: 10, minSamplesLeaf: 3, seed: 4 };
  const forest = trainForest(train.x, train.y, 2, options);
  const probs = predictForest(forest, test_.cols, 2);
  assert.ok(accuracy(probs, test_.y, 2) > 0.96, `XOR accuracy ${accuracy(probs, test_.y, 2)}`);
  for (let v = 0; v < 1000; v += 97) assert.ok(Math.abs(probs[v]! + probs[1000 + v]! - 1) < 1e-5);
  assert.deepEqual(trainForest(train.x, train.y, 2, options)[0]!.threshold, forest[0]!.threshold);
  const sector = (a: number, b: number) => Math.floor(((Math.atan2(b, a) + Math.PI) / (2 * Math.PI)) * 3) % 3;
  const t3 = points(3000, 5, sector);
  const e3 = points(1000, 6, sector);
  const acc3 = accuracy(predictForest(trainForest(t3.x, t3.y, 3, options), e3.cols, 3), e3.y, 3);
  assert.ok(acc3 > 0.93, `three-class accuracy ${acc3}`);
});

test('SVM on the engine: linear separates a half-plane, RBF (random Fourier features) a disk', () => {
  const half = (a: number, b: number) => (a + 0.5 * b > 0.1 ? 1 : 0);
  const lin = trainSvm(points(2000, 1, half).x, points(2000, 1, half).y, 2, {
    kernel: 'linear',
    c: 1,
    components: 0,
    epochs: 15,
    seed: 0,
  });
  const e = points(500, 2, half);
  assert.ok(accuracy(predictSvm(lin, e.cols), e.y, 2) > 0.97);
  const disk = (a: number, b: number) => (a * a + b * b < 0.4 ? 1 : 0);
  const d = points(1500, 3, disk);
  const rbf = trainSvm(d.x, d.y, 2, { kernel: 'rbf', c: 10, gamma: 2, components: 128, epochs: 1, seed: 0 });
  const de = points(500, 4, disk);
  const acc = accuracy(predictSvm(rbf, de.cols), de.y, 2);
  assert.ok(acc > 0.93, `RBF accuracy on a disk ${acc}`);
  // a linear SVM cannot do that
  const linDisk = trainSvm(d.x, d.y, 2, { kernel: 'linear', c: 10, components: 0, epochs: 1, seed: 0 });
  assert.ok(accuracy(predictSvm(linDisk, de.cols), de.y, 2) < acc - 0.1);
});

test('class-balanced sampling: equal shares per class within the ROI, seeded', () => {
  const label = Uint8Array.from({ length: 1000 }, (_, i) => (i < 100 ? 1 : 0));
  const roi = Uint8Array.from({ length: 1000 }, (_, i) => (i % 10 === 9 ? 0 : 1));
  const picks = balancedSample(
    [
      { label, roi },
      { label, roi },
    ],
    2,
    100,
    7,
  );
  const all = picks.flatMap((p) => [...p]);
  assert.equal(all.filter((v) => label[v] === 1).length, 50);
  assert.equal(all.filter((v) => label[v] === 0).length, 50);
  assert.ok(all.every((v) => roi[v] === 1));
  assert.deepEqual(
    balancedSample(
      [
        { label, roi },
        { label, roi },
      ],
      2,
      100,
      7,
    ),
    picks,
  );
  // a class with fewer pixels than its share gives all it has
  const few = balancedSample([{ label: Uint8Array.from([1, 0, 0, 0, 0, 0]) }], 2, 6, 0)[0]!;
  assert.equal([...few].filter((v) => v === 0).length, 1);
});

function diskImage(seed: number, n = 24): TrainingImage {
  const rng = new Random(seed);
  const data = new Float32Array(n * n),
    label = new Uint8Array(n * n);
  const cx = 8 + 8 * rng.next(),
    cy = 8 + 8 * rng.next();
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const v = i + n * j;
      label[v] = (i - cx) ** 2 + (j - cy) ** 2 < 25 ? 1 : 0;
      data[v] = (label[v] ? -1 : 1) + 0.3 * rng.normal();
    }
  return { id: `c${seed}`, data, channels: 1, shape: [n, n, 1], spacing: [1, 1, 1], label };
}

const options = (name: string, extra: Partial<BaselineOptions> = {}): BaselineOptions => ({
  name,
  channel: null,
  polarity: 'auto',
  level: null,
  features: { ...DEFAULT_FEATURES, sigmas: [1, 2] },
  samples: 1000,
  trees: 10,
  max_depth: 8,
  min_samples_leaf: 3,
  max_features: null,
  kernel: 'rbf',
  c: 1,
  gamma: null,
  rff_components: 32,
  svm_epochs: 1,
  ...extra,
});

test('every baseline fits dark disks, saves and loads to the same predictions; Otsu refuses three classes', () => {
  const cases = [1, 2, 3].map((s) => diskImage(s));
  const probe = diskImage(9);
  const dir = tempDir();
  for (const name of ['otsu', 'threshold', 'random_forest', 'svm']) {
    const model = fitBaseline(options(name), cases, 2, 2, 0);
    const p = model.predict(probe);
    let tp = 0,
      fp = 0,
      fn = 0;
    const n = probe.label.length;
    for (let v = 0; v < n; v++) {
      const q = p[n + v]! > p[v]!;
      if (q && probe.label[v]) tp++;
      else if (q) fp++;
      else if (probe.label[v]) fn++;
    }
    const dice = (2 * tp) / (2 * tp + fp + fn);
    assert.ok(dice > 0.85, `${name}: Dice ${dice}`);
    model.save(join(dir, `${name}.safetensors`));
    assert.deepEqual(loadBaseline(join(dir, `${name}.safetensors`)).predict(probe), p, `${name} round trip`);
  }
  const three = cases.map((c) => ({ ...c, label: c.label.map((l, v) => (l ? 1 + (v % 2) : 0)) }));
  assert.throws(
    () => fitBaseline(options('otsu'), three, 3, 2, 0),
    /method\.name: otsu separates two classes but the dataset has 3; use random_forest or svm/,
  );
  assert.throws(() => fitBaseline(options('kmeans'), cases, 2, 2, 0), /"kmeans" is not a baseline/);
  assert.throws(() => loadBaseline(join(dir, 'missing.safetensors')), /cannot read the baseline model/);
});
