// ResNet against torchvision run live: the same weights loaded strictly by torchvision's names give the
// same logits and stage outputs (2D with both stems, a bottleneck ResNet-50, and 3D against torchvision's
// model with every 2D layer swapped for its 3D counterpart), in eval mode with non-trivial running
// statistics and in training mode (batch statistics, running-statistics update).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { ResNet, type ResNetOptions } from '../../src/nets/resnet.js';
import { referenceTest } from '../helpers/reference.js';
import { hasTorchvision, maxDiff, torchvisionOutputs } from '../helpers/torchvision.js';

ve.setNumThreads(1);

/** Random norm scales/shifts and running statistics, so a swapped name or channel would show. */
function perturbNorms(net: ResNet): void {
  ve.noGrad(() => {
    for (const [name, t] of Object.entries(net.stateDict())) {
      if (/bn\d\.(weight|bias)$|downsample\.1\.(weight|bias)$/.test(name))
        t.add_(ve.randn(t.shape, { dtype: t.dtype }).mul(0.2));
      if (name.endsWith('running_mean')) t.copy_(ve.randn(t.shape, { dtype: t.dtype }).mul(0.1));
      if (name.endsWith('running_var')) t.copy_(ve.rand(t.shape, { dtype: t.dtype }).add(0.5));
    }
  });
}

function compare(options: ResNetOptions, input: number[], mode: 'eval' | 'train' = 'eval'): void {
  ve.manualSeed(3);
  const net = new ResNet(options).to('float64');
  perturbNorms(net);
  net.train(mode === 'train');
  const x = ve.randn(input, { dtype: 'float64' });
  const theirs = torchvisionOutputs(net, x, {
    arch: `resnet${options.depth}`,
    dims: options.spatialDims ?? 2,
    inChannels: options.inChannels ?? 3,
    numClasses: options.numClasses ?? 1000,
    stem: options.stem,
    mode,
  });
  if (mode === 'eval') {
    const stages = ve.noGrad(() => net.stages(x));
    stages.forEach((c, i) => {
      const t = theirs[`layer${i + 1}`]!;
      assert.deepEqual(c.shape, t.shape, `C${i + 2} shape`);
      assert.ok(maxDiff(c, t) < 1e-9, `C${i + 2}: max diff ${maxDiff(c, t)}`);
    });
  }
  const logits = ve.noGrad(() => net.forward(x));
  assert.deepEqual(logits.shape, theirs.logits!.shape);
  assert.ok(maxDiff(logits, theirs.logits!) < 1e-9, `logits: max diff ${maxDiff(logits, theirs.logits!)}`);
  if (mode === 'train') {
    for (const [name, t] of Object.entries(theirs)) {
      if (!name.startsWith('state.')) continue;
      const ours = net.stateDict()[name.slice(6)]!;
      assert.ok(maxDiff(ours, t) < 1e-9, `${name.slice(6)} after one training batch`);
    }
  }
  net.dispose();
}

const torchvision = hasTorchvision();

referenceTest(
  'ResNet-18 (ImageNet stem) = torchvision resnet18: logits and C2–C5',
  torchvision,
  'python3-torchvision',
  () => compare({ depth: 18, inChannels: 3, numClasses: 5 }, [2, 3, 64, 48]),
);

referenceTest(
  'ResNet-18 with the small stem, one channel, 28×28 = torchvision with a 3×3/1 conv1, no max-pool',
  torchvision,
  'python3-torchvision',
  () => compare({ depth: 18, inChannels: 1, numClasses: 2, stem: 'small' }, [2, 1, 28, 28]),
);

referenceTest(
  'ResNet-50 (bottlenecks) = torchvision resnet50 in training mode (batch statistics, running-statistics update)',
  torchvision,
  'python3-torchvision',
  () => {
    compare({ depth: 50, inChannels: 2, numClasses: 3 }, [3, 2, 32, 32], 'train');
  },
);

referenceTest(
  '3D ResNet-18 and 3D ResNet-34 = torchvision with 3D layers under the same names',
  torchvision,
  'python3-torchvision',
  () => {
    compare({ depth: 18, spatialDims: 3, inChannels: 1, numClasses: 3, stem: 'small' }, [1, 1, 8, 8, 8]);
    compare({ depth: 34, spatialDims: 3, inChannels: 1, numClasses: 2 }, [2, 1, 16, 16, 16]);
  },
);

test('state-dict names are torchvision’s', () => {
  const names = Object.keys(new ResNet({ depth: 18, numClasses: 2 }).stateDict());
  for (const n of [
    'conv1.weight',
    'bn1.running_var',
    'layer1.0.conv1.weight',
    'layer2.0.downsample.0.weight',
    'layer4.1.bn2.bias',
    'fc.weight',
    'fc.bias',
  ])
    assert.ok(names.includes(n), n);
  assert.equal(names.length, 122); // torchvision resnet18().state_dict() has 122 entries
  assert.equal(new ResNet({ depth: 50 }).numParameters(), 25_557_032); // torchvision resnet50
});

test('stage outputs: channels and strides', () => {
  const net = new ResNet({ depth: 50, spatialDims: 3, inChannels: 1, numClasses: 2 });
  const stages = ve.noGrad(() => net.eval().stages(ve.randn([1, 1, 32, 32, 32])));
  assert.deepEqual(
    stages.map((s) => s.shape),
    net.stageChannels.map((c, i) => [
      1,
      c,
      32 / net.stageStrides[i]!,
      32 / net.stageStrides[i]!,
      32 / net.stageStrides[i]!,
    ]),
  );
  assert.deepEqual(net.stageChannels, [256, 512, 1024, 2048]);
});

test('bad inputs and options are one-line errors', () => {
  const net = new ResNet({ depth: 18, inChannels: 1, numClasses: 2 });
  assert.throws(() => net.forward(ve.randn([1, 3, 32, 32])), /expects 1 input channel\(s\), got 3/);
  assert.throws(() => net.forward(ve.randn([1, 1, 8, 32, 32])), /ResNet \(2D\) expects input \(N, C, H, W\)/);
  assert.throws(() => new ResNet({ depth: 20 as never }), /depth: must be one of 18, 34, 50, 101, 152/);
});
