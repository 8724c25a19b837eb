// UNet: shapes in 2D/3D with anisotropic and odd strides, deep-supervision outputs, parameter
// counts worked out by hand, stable parameter names, train/eval behaviour, gradients, no host copies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { Tensor } from '../../src/engine/index.js';
import { DeepSupervisionLoss, DiceCELoss } from '../../src/losses/index.js';
import { AttentionUNet, UNet, classicUNet, inputDivisor, resolveUNetConfig } from '../../src/nets/index.js';
import { OptionError, ShapeError } from '../../src/util/errors.js';

ve.manualSeed(7);
ve.setNumThreads(1); // small tensors: a second thread only adds synchronisation on a shared machine
const asList = (o: Tensor | Tensor[]): Tensor[] => (Array.isArray(o) ? o : [o]);
const single = (o: Tensor | Tensor[]): Tensor => {
  assert.ok(!Array.isArray(o), 'expected a single tensor');
  return o as Tensor;
};

/** conv params: k^d·in·out (+ out for the bias) */
const conv = (k: number, d: number, cin: number, cout: number, bias = true): number =>
  k ** d * cin * cout + (bias ? cout : 0);

test('2D: output has the input size and one channel per class, in every variant', () => {
  const x = ve.randn([2, 3, 32, 24]);
  for (const extra of [
    {},
    { downsampling: 'maxpool' as const },
    { residual: true },
    { attention: true },
    { norm: 'batch' as const, activation: 'relu' as const },
    { norm: 'group' as const },
    { norm: 'none' as const },
  ]) {
    const net = new UNet({ spatialDims: 2, inChannels: 3, numClasses: 4, features: [8, 16, 16, 32], ...extra });
    assert.deepEqual(single(net.forward(x)).shape, [2, 4, 32, 24], JSON.stringify(extra));
  }
});

test('3D with anisotropic kernels and strides, including an odd stride of 3', () => {
  const net = new UNet({
    spatialDims: 3,
    inChannels: 2,
    numClasses: 3,
    features: [4, 8, 8, 16],
    kernelSizes: [[1, 3, 3], [1, 3, 3], 3, 3],
    strides: [1, [1, 2, 2], [2, 2, 2], [1, 3, 3]],
    deepSupervision: true,
  });
  assert.deepEqual(net.inputDivisor, [2, 12, 12]);
  const outs = asList(net.forward(ve.randn([1, 2, 4, 24, 36])));
  // decoder levels at the resolutions of encoder stages 0, 1, 2 (full resolution first)
  assert.deepEqual(
    outs.map((o) => o.shape),
    [
      [1, 3, 4, 24, 36],
      [1, 3, 4, 12, 18],
      [1, 3, 2, 6, 9],
    ],
  );
  assert.deepEqual(net.outputStrides, [
    [1, 1, 1],
    [1, 2, 2],
    [2, 4, 4],
  ]);
  // the deep-supervision loss brings the labels to each anisotropic output and back-propagates
  const labels = ve.randint(0, 3, [1, 1, 4, 24, 36]);
  ve.tidy(() => new DeepSupervisionLoss(new DiceCELoss()).forward(outs, labels).backward());
  // only the head of the lowest-resolution output (decoder level 0, weight 0) gets no gradient
  const without = net
    .namedParameters()
    .filter(([, p]) => p.grad === null)
    .map(([name]) => name);
  assert.deepEqual(without, ['decoder.seg_layers.0.weight', 'decoder.seg_layers.0.bias']);
  // the anisotropic kernels are what was asked: 1×3×3 in stages 0 and 1
  const sd = net.stateDict();
  assert.deepEqual(sd['encoder.stages.1.0.convs.0.conv.weight']!.shape, [8, 4, 1, 3, 3]);
  assert.deepEqual(sd['decoder.stages.2.convs.0.conv.weight']!.shape, [4, 8, 1, 3, 3]);
  assert.deepEqual(
    sd['decoder.transpconvs.0.weight']!.shape,
    [16, 8, 1, 3, 3],
    'the deepest up-convolution undoes stride 1×3×3',
  );
});

test('deep supervision: a list in training mode, only full resolution in eval mode', () => {
  const net = new UNet({
    spatialDims: 2,
    inChannels: 1,
    numClasses: 2,
    features: [4, 8, 16, 16],
    deepSupervision: true,
  });
  const x = ve.randn([2, 1, 32, 32]);
  const train = net.forward(x);
  assert.ok(Array.isArray(train));
  assert.deepEqual(
    asList(train).map((o) => o.shape),
    [
      [2, 2, 32, 32],
      [2, 2, 16, 16],
      [2, 2, 8, 8],
    ],
  );
  net.eval();
  assert.deepEqual(single(net.forward(x)).shape, [2, 2, 32, 32]);
  net.train();
  assert.deepEqual(net.logits(x).shape, [2, 2, 32, 32]);
  // without deep supervision, training mode gives one tensor too
  const plain = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8] });
  assert.deepEqual(single(plain.forward(ve.randn([1, 1, 8, 8]))).shape, [1, 2, 8, 8]);
});

test('parameter counts worked out by hand', () => {
  // features [2, 4], 2D, 1 input channel, 2 classes, affine instance norm (2 parameters per channel)
  const encoder = conv(3, 2, 1, 2) + 4 + conv(3, 2, 2, 2) + 4 + conv(3, 2, 2, 4) + 8 + conv(3, 2, 4, 4) + 8;
  const decoder = conv(2, 2, 4, 2) + conv(3, 2, 4, 2) + 4 + conv(3, 2, 2, 2) + 4 + conv(1, 2, 2, 2);
  assert.equal(encoder + decoder, 466);
  const plain = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [2, 4] });
  assert.equal(plain.numParameters(), 466);
  // deep supervision adds no parameters: every level always has its head
  assert.equal(
    new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [2, 4], deepSupervision: true }).numParameters(),
    466,
  );
  // attention gate on the one skip (2 channels, gating 2, intermediate 1): W_g 2+1, W_x 2, psi 1+1
  assert.equal(
    new AttentionUNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [2, 4] }).numParameters(),
    466 + 7,
  );
  // residual encoder: stem conv+norm, stage 0 one block 2→2 (no skip), stage 1 one block 2→4 stride 2
  // (skip: avg-pool + 1×1 conv without bias + norm)
  const stem = conv(3, 2, 1, 2) + 4;
  const block0 = conv(3, 2, 2, 2) + 4 + conv(3, 2, 2, 2) + 4;
  const block1 = conv(3, 2, 2, 4) + 8 + conv(3, 2, 4, 4) + 8 + conv(1, 2, 2, 4, false) + 8;
  const residual = new UNet({
    spatialDims: 2,
    inChannels: 1,
    numClasses: 2,
    features: [2, 4],
    residual: true,
    blocksPerStage: 1,
  });
  assert.equal(residual.numParameters(), stem + block0 + block1 + decoder);
  // 3D: every 3×3 kernel becomes 3×3×3, the 2×2 up-convolution 2×2×2; batch norm also has 2 per channel
  const enc3 = conv(3, 3, 1, 2) + 4 + conv(3, 3, 2, 2) + 4 + conv(3, 3, 2, 4) + 8 + conv(3, 3, 4, 4) + 8;
  const dec3 = conv(2, 3, 4, 2) + conv(3, 3, 4, 2) + 4 + conv(3, 3, 2, 2) + 4 + conv(1, 3, 2, 2);
  assert.equal(
    new UNet({ spatialDims: 3, inChannels: 1, numClasses: 2, features: [2, 4], norm: 'batch' }).numParameters(),
    enc3 + dec3,
  );
});

test('classic U-Net preset: Ronneberger channels, max-pool, no norm, same-size output', () => {
  const net = classicUNet({ inChannels: 1, numClasses: 2 });
  const f = [64, 128, 256, 512, 1024];
  let expected = 0;
  let cin = 1;
  for (const c of f) {
    expected += conv(3, 2, cin, c) + conv(3, 2, c, c);
    cin = c;
  }
  for (let l = 4; l >= 1; l--)
    expected +=
      conv(2, 2, f[l]!, f[l - 1]!) +
      conv(3, 2, 2 * f[l - 1]!, f[l - 1]!) +
      conv(3, 2, f[l - 1]!, f[l - 1]!) +
      conv(1, 2, f[l - 1]!, 2);
  // the network has a head on every decoder level (only the last is used without deep supervision)
  assert.equal(net.numParameters(), expected);
  // without the three unused deep-supervision heads, the paper's network: 31,030,658 by the sum above
  assert.equal(expected - (conv(1, 2, 512, 2) + conv(1, 2, 256, 2) + conv(1, 2, 128, 2)), 31_030_658);
  assert.equal(net.config.downsampling, 'maxpool');
  assert.ok(!Object.keys(net.stateDict()).some((k) => k.includes('norm')));
  assert.ok(net.modules().some((m) => m.constructor.name === 'MaxPool2d'));
  net.eval();
  assert.deepEqual(single(net.forward(ve.randn([1, 1, 32, 48]))).shape, [1, 2, 32, 48]);
});

test('parameter names are stable (they are the keys of saved weights)', () => {
  const net = new UNet({
    spatialDims: 2,
    inChannels: 1,
    numClasses: 2,
    features: [2, 4],
    downsampling: 'maxpool',
    norm: 'batch',
  });
  assert.deepEqual(Object.keys(net.stateDict()), [
    ...['0.0', '1.1'].flatMap((p) =>
      [0, 1].flatMap((j) => [
        `encoder.stages.${p}.convs.${j}.conv.weight`,
        `encoder.stages.${p}.convs.${j}.conv.bias`,
        `encoder.stages.${p}.convs.${j}.norm.weight`,
        `encoder.stages.${p}.convs.${j}.norm.bias`,
        `encoder.stages.${p}.convs.${j}.norm.running_mean`,
        `encoder.stages.${p}.convs.${j}.norm.running_var`,
        `encoder.stages.${p}.convs.${j}.norm.num_batches_tracked`,
      ]),
    ),
    ...[0, 1].flatMap((j) => [
      `decoder.stages.0.convs.${j}.conv.weight`,
      `decoder.stages.0.convs.${j}.conv.bias`,
      `decoder.stages.0.convs.${j}.norm.weight`,
      `decoder.stages.0.convs.${j}.norm.bias`,
      `decoder.stages.0.convs.${j}.norm.running_mean`,
      `decoder.stages.0.convs.${j}.norm.running_var`,
      `decoder.stages.0.convs.${j}.norm.num_batches_tracked`,
    ]),
    'decoder.transpconvs.0.weight',
    'decoder.transpconvs.0.bias',
    'decoder.seg_layers.0.weight',
    'decoder.seg_layers.0.bias',
  ]);
  const res = new UNet({
    spatialDims: 2,
    inChannels: 1,
    numClasses: 2,
    features: [2, 4],
    residual: true,
    blocksPerStage: 1,
  });
  const keys = Object.keys(res.stateDict());
  for (const k of [
    'encoder.stem.convs.0.conv.weight',
    'encoder.stages.0.blocks.0.conv1.conv.weight',
    'encoder.stages.0.blocks.0.conv2.norm.bias',
    'encoder.stages.1.blocks.0.skip.1.conv.weight',
  ]) {
    assert.ok(keys.includes(k), k);
  }
});

test('a saved state dict rebuilds the same network from the saved config', () => {
  const a = new UNet({
    spatialDims: 2,
    inChannels: 1,
    numClasses: 3,
    features: [4, 8, 8],
    deepSupervision: true,
    attention: true,
  });
  const b = new UNet(a.config);
  assert.deepEqual(b.config, a.config);
  b.loadStateDict(a.stateDict());
  a.eval();
  b.eval();
  const x = ve.randn([1, 1, 16, 16]);
  const diff = single(a.forward(x))
    .sub(single(b.forward(x)))
    .abs()
    .max()
    .item();
  assert.equal(diff, 0);
});

test('train/eval: batch-norm statistics move only in training, dropout only in training', () => {
  const net = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8], norm: 'batch', dropout: 0.3 });
  const x = ve.randn([2, 1, 8, 8]).mul(3).add(1);
  const rm = (): number[] =>
    Array.from(net.stateDict()['encoder.stages.0.0.convs.0.norm.running_mean']!.toArray() as Float32Array);
  const before = rm();
  net.forward(x);
  assert.notDeepEqual(rm(), before, 'running mean updated in training');
  const t1 = single(net.forward(x)),
    t2 = single(net.forward(x));
  assert.ok(t1.sub(t2).abs().max().item() > 0, 'dropout makes training passes differ');
  net.eval();
  const frozen = rm();
  const e1 = single(net.forward(x)),
    e2 = single(net.forward(x));
  assert.deepEqual(rm(), frozen, 'running mean frozen in eval');
  assert.equal(e1.sub(e2).abs().max().item(), 0, 'eval is deterministic');
});

test('a gradient reaches every parameter (deep supervision, residual encoder, attention gates)', () => {
  for (const extra of [
    { deepSupervision: true },
    { residual: true, blocksPerStage: [1, 2, 1], deepSupervision: true },
    { attention: true, deepSupervision: true, norm: 'batch' as const },
  ]) {
    const net = new UNet({ spatialDims: 2, inChannels: 2, numClasses: 3, features: [4, 8, 8], ...extra });
    const x = ve.randn([2, 2, 16, 16]);
    ve.tidy(() => {
      // a random projection of every output, so that no parameter's gradient cancels by symmetry
      const outs = asList(net.forward(x));
      let loss = outs[0]!.mul(ve.randn(outs[0]!.shape)).sum();
      for (const o of outs.slice(1)) loss = loss.add(o.mul(ve.randn(o.shape)).sum());
      loss.backward();
    });
    for (const [name, p] of net.namedParameters()) {
      const g = p.grad;
      assert.ok(g !== null, `${JSON.stringify(extra)}: no gradient for ${name}`);
      assert.ok(g.abs().sum().item() > 0, `${JSON.stringify(extra)}: zero gradient for ${name}`);
    }
  }
});

test('forward and backward make no device-to-host copies and leave no tensors behind', () => {
  const net = new UNet({
    spatialDims: 2,
    inChannels: 1,
    numClasses: 2,
    features: [4, 8, 16],
    deepSupervision: true,
    attention: true,
  });
  const x = ve.randn([2, 1, 16, 16]);
  const step = (): void =>
    ve.tidy(() => {
      const outs = asList(net.forward(x));
      outs.reduce((acc: Tensor | null, o) => (acc === null ? o.mean() : acc.add(o.mean())), null)!.backward();
    });
  step();
  net.zeroGrad();
  const live = ve.memoryStats().liveTensors;
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  const saved = { toArray: proto.toArray, item: proto.item };
  proto.toArray = () => {
    throw new Error('toArray during forward/backward');
  };
  proto.item = () => {
    throw new Error('item during forward/backward');
  };
  try {
    step();
  } finally {
    proto.toArray = saved.toArray;
    proto.item = saved.item;
  }
  net.zeroGrad();
  assert.equal(ve.memoryStats().liveTensors, live);
});

test('bad input sizes and options are typed errors', () => {
  const net = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8, 8] });
  assert.throws(
    () => net.forward(ve.randn([1, 1, 18, 16])),
    (e: Error) => e instanceof ShapeError && /divisible by \[4, 4\]/.test(e.message),
  );
  assert.throws(() => net.forward(ve.randn([1, 2, 16, 16])), /1 input channel/);
  assert.throws(() => net.forward(ve.randn([1, 1, 16, 16, 16])), ShapeError);
  assert.throws(() => new UNet({ spatialDims: 4 as never, inChannels: 1, numClasses: 2 }), OptionError);
  assert.throws(() => new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [8] }), /at least 2 stages/);
  assert.throws(
    () => new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8], strides: [2, 2] }),
    /stage 0 must have stride 1/,
  );
  assert.throws(
    () => new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8], kernelSizes: [3, 4] }),
    /odd/,
  );
  assert.throws(
    () => new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8], norm: 'layer' as never }),
    /norm/,
  );
  assert.throws(
    () => new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8], strides: [1, [2, 2, 2]] }),
    /strides/,
  );
});

test('defaults follow nnU-Net: 32·2^s channels capped at 512 (2D) / 320 (3D), stride 2, instance norm, leaky ReLU', () => {
  const c2 = resolveUNetConfig({ spatialDims: 2, inChannels: 1, numClasses: 2, nStages: 6 });
  assert.deepEqual(c2.features, [32, 64, 128, 256, 512, 512]);
  const c3 = resolveUNetConfig({ spatialDims: 3, inChannels: 1, numClasses: 2 });
  assert.deepEqual(c3.features, [32, 64, 128, 256, 320]);
  assert.deepEqual(inputDivisor(c3), [16, 16, 16]);
  assert.equal(c3.norm, 'instance');
  assert.equal(c3.activation, 'leakyrelu');
  assert.equal(c3.downsampling, 'conv');
  assert.deepEqual(c3.convsPerStage, [2, 2, 2, 2, 2]);
});

test('He initialisation: conv weights N(0, 2/((1+0.01²)·fan_in)), biases 0', () => {
  const net = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [32, 64] });
  const w = net.stateDict()['encoder.stages.1.0.convs.1.conv.weight']!; // 64×64×3×3, fan_in 576
  const std = w.std().item();
  const expected = Math.sqrt(2 / (1 + 1e-4) / 576);
  assert.ok(Math.abs(std - expected) / expected < 0.02, `std ${std} vs ${expected}`);
  assert.equal(net.stateDict()['encoder.stages.1.0.convs.1.conv.bias']!.abs().max().item(), 0);
});
