// DenseNet-121 against torchvision's densenet121 run live: the same weights, loaded strictly by
// torchvision's names, give the same logits (2D with both stems, in eval mode with perturbed running
// statistics and in training mode; 3D against the same model with 3D layers) and the same Grad-CAM map at
// the default layer. Parameter counts by the hand formula; a 3D forward/backward pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { DenseNet, type DenseNetOptions } from '../../src/nets/densenet.js';
import { assertEveryParameterLearns, perturbNorms } from '../helpers/net-checks.js';
import { referenceTest } from '../helpers/reference.js';
import { assertMatchesTorchvision, hasTorchvision } from '../helpers/torchvision.js';

ve.setNumThreads(2);

/** Compares with torchvision; `camLayer`: also Grad-CAM there, for the class our network predicts. */
function compare(options: DenseNetOptions, input: number[], mode: 'eval' | 'train' = 'eval', camLayer?: string): void {
  ve.manualSeed(5);
  const net = new DenseNet(options).to('float64');
  perturbNorms(net);
  const x = ve.randn(input, { dtype: 'float64' });
  const diffs = assertMatchesTorchvision(net, x, {
    arch: 'densenet121',
    dims: options.spatialDims ?? 2,
    inChannels: options.inChannels ?? 3,
    numClasses: options.numClasses ?? 1000,
    stem: options.stem,
    mode,
    ...(camLayer ? { camLayer, camClass: predicted(net, x) } : {}),
  });
  assert.ok(diffs.logits < 1e-9);
  net.dispose();
}

function predicted(net: DenseNet, x: ve.Tensor): number {
  return ve.noGrad(() => ve.argmax(net.eval().forward(x), { dim: 1 }).item());
}

const torchvision = hasTorchvision();

referenceTest(
  'DenseNet-121 (ImageNet stem) = torchvision densenet121: logits, and Grad-CAM at features.norm5',
  torchvision,
  'python3-torchvision',
  () => compare({ inChannels: 3, numClasses: 5 }, [1, 3, 96, 80], 'eval', 'features.norm5'),
);

referenceTest(
  'DenseNet-121 with the small stem, one channel, 28×28, in training mode = torchvision (batch statistics, running-statistics update)',
  torchvision,
  'python3-torchvision',
  () => compare({ inChannels: 1, numClasses: 2, stem: 'small' }, [2, 1, 28, 28], 'train'),
);

referenceTest(
  '3D DenseNet-121 = torchvision densenet121 with 3D layers under the same names: logits and 3D Grad-CAM at denseblock3',
  torchvision,
  'python3-torchvision',
  () => compare({ spatialDims: 3, inChannels: 1, numClasses: 3 }, [1, 1, 32, 32, 32], 'eval', 'features.denseblock3'),
);

/** Parameters of DenseNet-BC counted layer by layer from the paper's definition. */
function handCount(o: { dims: 2 | 3; inChannels: number; classes: number; stem: 'imagenet' | 'small' }): number {
  const k3 = 3 ** o.dims;
  const [growth, bn, init, blocks] = [32, 4, 64, [6, 12, 24, 16]];
  let total = o.inChannels * init * (o.stem === 'imagenet' ? 7 ** o.dims : k3) + 2 * init;
  let c = init;
  blocks.forEach((n, i) => {
    for (let l = 0; l < n; l++) {
      total += 2 * c + c * bn * growth + 2 * bn * growth + bn * growth * growth * k3;
      c += growth;
    }
    if (i < blocks.length - 1) {
      total += 2 * c + c * Math.floor(c / 2);
      c = Math.floor(c / 2);
    }
  });
  return total + 2 * c + c * o.classes + o.classes;
}

test('DenseNet-121: torchvision’s names and parameter counts (2D and 3D, by the hand formula)', () => {
  const net = new DenseNet();
  const names = Object.keys(net.stateDict());
  for (const n of [
    'features.conv0.weight',
    'features.norm0.running_var',
    'features.denseblock1.denselayer1.norm1.weight',
    'features.denseblock1.denselayer6.conv2.weight',
    'features.transition3.norm.bias',
    'features.transition3.conv.weight',
    'features.denseblock4.denselayer16.conv1.weight',
    'features.norm5.num_batches_tracked',
    'classifier.weight',
  ])
    assert.ok(names.includes(n), n);
  assert.equal(names.length, 727); // torchvision densenet121().state_dict()
  assert.equal(net.numParameters(), 7_978_856); // torchvision densenet121
  assert.equal(net.numParameters(), handCount({ dims: 2, inChannels: 3, classes: 1000, stem: 'imagenet' }));
  assert.equal(net.numFeatures, 1024);
  net.dispose();
  const small3d = new DenseNet({ spatialDims: 3, inChannels: 2, numClasses: 4, stem: 'small' });
  assert.equal(small3d.numParameters(), handCount({ dims: 3, inChannels: 2, classes: 4, stem: 'small' }));
  small3d.dispose();
});

test('3D DenseNet-121: forward and backward on a batch of two; every parameter gets a gradient', () => {
  ve.manualSeed(1);
  const net = new DenseNet({ spatialDims: 3, inChannels: 1, numClasses: 3, stem: 'small', dropout: 0.2 });
  const x = ve.randn([2, 1, 8, 8, 8]);
  assertEveryParameterLearns(net, x, [0, 2]);
  net.dispose();
});

test('DenseNet: bad inputs and options are one-line errors', () => {
  const net = new DenseNet({ inChannels: 1, numClasses: 2 });
  assert.throws(() => net.forward(ve.randn([1, 3, 32, 32])), /expects 1 input channel\(s\), got 3/);
  assert.throws(
    () => net.forward(ve.randn([1, 1, 28, 28])),
    /DenseNet needs at least 29 voxels per axis, got \[28, 28\]; the 'small' stem \(3×3\/1, no max-pool\) takes 8/,
  );
  assert.throws(() => new DenseNet({ growthRate: 0 }), /growthRate: must be a positive integer/);
  assert.throws(() => new DenseNet({ stem: 'tiny' as never }), /stem: must be imagenet or small/);
});
