// VGG-16 with batch norm against torchvision's vgg16_bn run live: the same weights, loaded strictly by
// torchvision's names, give the same logits and the same Grad-CAM map at the last convolution stage (2D,
// the full-size network; the 'small' variant without the last max-pool at 28×28; 3D against the same
// model with 3D layers and a 1×1×1 pool). Parameter counts by the hand formula; a 3D forward/backward pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { VGG, VGG_CONFIGS, type VGGOptions } from '../../src/nets/vgg.js';
import { assertEveryParameterLearns, perturbNorms } from '../helpers/net-checks.js';
import { referenceTest } from '../helpers/reference.js';
import { assertMatchesTorchvision, hasTorchvision } from '../helpers/torchvision.js';

ve.setNumThreads(2);

/**
 * Compares with torchvision and Grad-CAM at the default layer: float32 for the full-size network (138 M
 * parameters), float64 for those with narrow hidden layers.
 */
function compare(options: VGGOptions, input: number[]): void {
  ve.manualSeed(6);
  const dtype = options.hiddenFeatures ? 'float64' : 'float32';
  const net = new VGG(options).to(dtype);
  perturbNorms(net);
  const x = ve.randn(input, { dtype });
  const camClass = ve.noGrad(() => ve.argmax(net.eval().forward(x), { dim: 1 }).item());
  assertMatchesTorchvision(
    net,
    x,
    {
      arch: 'vgg16_bn',
      dims: options.spatialDims ?? 2,
      inChannels: options.inChannels ?? 3,
      numClasses: options.numClasses ?? 1000,
      stem: options.stem,
      pool: net.poolSize,
      hidden: options.hiddenFeatures,
      camLayer: net.camLayer,
      camClass,
    },
    dtype === 'float32' ? 1e-4 : 1e-9,
  );
  net.dispose();
}

const torchvision = hasTorchvision();

referenceTest(
  'VGG-16-BN = torchvision vgg16_bn (full size, 7×7 pool): logits, and Grad-CAM at features.42',
  torchvision,
  'python3-torchvision',
  () => compare({ inChannels: 3, numClasses: 4 }, [1, 3, 64, 64]),
);

referenceTest(
  "VGG-16-BN 'small' (no last max-pool), one channel, 28×28, hidden layers of 64 = torchvision vgg16_bn without features.43",
  torchvision,
  'python3-torchvision',
  () => compare({ inChannels: 1, numClasses: 2, stem: 'small', hiddenFeatures: 64 }, [1, 1, 28, 28]),
);

referenceTest(
  '3D VGG-16-BN (hidden layers of 64) = torchvision vgg16_bn with 3D layers and a 1×1×1 pool',
  torchvision,
  'python3-torchvision',
  () =>
    compare({ spatialDims: 3, inChannels: 1, numClasses: 3, stem: 'small', hiddenFeatures: 64 }, [1, 1, 16, 16, 16]),
);

/** Parameters counted from the layer list: conv weight + bias + the norm's scale and shift, then the classifier. */
function handCount(dims: 2 | 3, inChannels: number, classes: number, pool: number, hidden = 4096): number {
  let total = 0;
  let c = inChannels;
  for (const v of VGG_CONFIGS[16]) {
    if (v === 'M') continue;
    total += c * v * 3 ** dims + v + 2 * v;
    c = v;
  }
  const flat = c * pool ** dims;
  return total + flat * hidden + hidden + hidden * hidden + hidden + hidden * classes + classes;
}

test('VGG-16-BN: torchvision’s names and parameter counts (2D and 3D, by the hand formula)', () => {
  const net = new VGG();
  const names = Object.keys(net.stateDict());
  for (const n of [
    'features.0.weight',
    'features.1.running_mean',
    'features.7.weight',
    'features.40.weight',
    'features.41.num_batches_tracked',
    'classifier.0.weight',
    'classifier.3.bias',
    'classifier.6.weight',
  ])
    assert.ok(names.includes(n), n);
  assert.equal(names.length, 97); // torchvision vgg16_bn().state_dict()
  assert.equal(net.numParameters(), 138_365_992); // torchvision vgg16_bn
  assert.equal(net.numParameters(), handCount(2, 3, 1000, 7));
  assert.equal(net.camLayer, 'features.42');
  net.dispose();
  const small3d = new VGG({ spatialDims: 3, inChannels: 2, numClasses: 5, hiddenFeatures: 64, stem: 'small' });
  assert.equal(small3d.numParameters(), handCount(3, 2, 5, 1, 64));
  assert.deepEqual([small3d.poolSize, small3d.minSize, small3d.camLayer], [1, 16, 'features.42']);
  assert.equal(Object.keys(small3d.stateDict()).length, 97);
  small3d.dispose();
});

test('3D VGG-16-BN: forward and backward on a batch of two; every parameter gets a gradient', () => {
  ve.manualSeed(2);
  const net = new VGG({ spatialDims: 3, inChannels: 1, numClasses: 2, hiddenFeatures: 32, stem: 'small' });
  assertEveryParameterLearns(net, ve.randn([2, 1, 16, 16, 16]), [0, 1]);
  net.dispose();
});

test('VGG: bad inputs and options are one-line errors', () => {
  const net = new VGG({ inChannels: 1, numClasses: 2, hiddenFeatures: 8 });
  assert.throws(
    () => net.forward(ve.randn([1, 1, 28, 28])),
    /VGG needs at least 32 voxels per axis, got \[28, 28\]; the 'small' stem \(no last max-pool\) takes 16/,
  );
  assert.throws(() => net.forward(ve.randn([1, 1, 8, 32, 32])), /VGG \(2D\) expects input \(N, C, H, W\)/);
  assert.throws(() => new VGG({ depth: 12 as never }), /depth: must be one of 11, 13, 16, 19/);
  assert.throws(() => new VGG({ poolSize: 0 }), /poolSize: must be a positive integer/);
});
