// LoRA on linear and convolution layers: the adapted network starts equal to the base (B = 0); training
// moves only the adapters (and a head left trainable), never a base byte or running statistic; merging
// gives a plain network with the adapted network's logits (linear, 2D and 3D convolutions, strided and
// 1×1 downsample convolutions); the adapter file holds only adapter tensors; autograd of a LoRA
// convolution's A and B against finite differences; bad options are one error naming the option.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { Adam } from '../../src/engine/optim/index.js';
import { saveModule } from '../../src/engine/safetensors.js';
import { gradcheck } from '../../src/engine/gradcheck.js';
import { applyLora, isLoraName, loadLoraAdapters, loraInfo, mergeLora, saveLoraAdapters } from '../../src/nets/lora.js';
import { ResNet, type ResNetOptions } from '../../src/nets/resnet.js';
import { OptionError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/tmp.js';

ve.setNumThreads(1);

const small = (dims: 2 | 3, stem: 'imagenet' | 'small' = 'imagenet'): ResNetOptions => ({
  depth: 18,
  spatialDims: dims,
  inChannels: 2,
  numClasses: 3,
  stem,
  widths: [4, 8, 8, 16],
});

function base(options: ResNetOptions, seed = 1): ResNet {
  ve.manualSeed(seed);
  const net = new ResNet(options);
  // non-trivial running statistics, so a norm that forgot them would show
  ve.noGrad(() => {
    for (const [name, t] of Object.entries(net.stateDict())) {
      if (name.endsWith('running_mean')) t.copy_(ve.randn(t.shape).mul(0.1));
      if (name.endsWith('running_var')) t.copy_(ve.rand(t.shape).add(0.5));
    }
  });
  return net;
}

const logits = (net: ResNet, x: ve.Tensor) => ve.noGrad(() => net.forward(x).toArray() as Float32Array);
const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
const bytesOf = (net: ResNet) =>
  Object.fromEntries(
    Object.entries(net.stateDict()).map(([n, t]) => [
      n,
      Buffer.from((t.toArray() as Float32Array).buffer).toString('base64'),
    ]),
  );

/** Random B (and A) so the adapters do something. */
function randomiseAdapters(net: ResNet): void {
  ve.noGrad(() => {
    for (const [name, t] of Object.entries(net.stateDict())) if (isLoraName(name)) t.copy_(ve.randn(t.shape).mul(0.1));
  });
}

test('at initialisation (B = 0) the adapted network equals the base, in eval and training mode', () => {
  const net = base(small(2));
  const x = ve.randn([2, 2, 32, 32]);
  net.eval();
  const before = logits(net, x);
  const info = applyLora(net, { rank: 4, alpha: 8, dropout: 0.1, target: ['layer4', 'fc'] });
  assert.equal(info.scale, 2);
  assert.deepEqual(info.layers, [
    'layer4.0.conv1',
    'layer4.0.conv2',
    'layer4.0.downsample.0',
    'layer4.1.conv1',
    'layer4.1.conv2',
    'fc',
  ]);
  assert.deepEqual(logits(net, x), before);
  net.train();
  // base norms keep their running statistics, adapters' dropout is on: still the base (B = 0)
  assert.ok(maxDiff(logits(net, x), before) < 1e-6);
});

test('training steps move only the adapters and the head; base bytes and running statistics stay', () => {
  const net = base(small(2, 'small'));
  applyLora(net, { rank: 2, alpha: 4, target: ['layer3', 'layer4.1.conv2'] });
  for (const p of net.fc.parameters()) p.requiresGrad_(true);
  const trainable = net.namedParameters().filter(([, p]) => p.requiresGrad);
  assert.deepEqual(
    trainable.map(([n]) => n).filter((n) => !isLoraName(n)),
    ['fc.weight', 'fc.bias'],
  );
  const before = bytesOf(net);
  const opt = new Adam(
    trainable.map(([, p]) => p),
    { lr: 0.01 },
  );
  net.train();
  for (let step = 0; step < 3; step++) {
    ve.tidy(() => {
      opt.zeroGrad();
      ve.crossEntropy(
        net.forward(ve.randn([4, 2, 16, 16])),
        ve.Tensor.from([0, 1, 2, 1], [4], { dtype: 'int64' }),
      ).backward();
      opt.step();
    });
  }
  const after = bytesOf(net);
  const changed = Object.keys(before).filter((n) => before[n] !== after[n]);
  assert.ok(changed.includes('fc.weight') && changed.some((n) => n.endsWith('lora_B.weight')), changed.join());
  assert.deepEqual(
    changed.filter((n) => !isLoraName(n)),
    ['fc.weight', 'fc.bias'],
  );
  opt.dispose();
});

for (const [dims, shape] of [
  [2, [2, 2, 40, 36]],
  [3, [2, 2, 20, 18, 16]],
] as const) {
  test(`merged ${dims}D network gives the adapted network's logits (linear, strided and 1×1 convolutions)`, (t) => {
    const net = base(small(dims));
    const x = ve.randn([...shape]);
    applyLora(net, { rank: 3, alpha: 5, dropout: 0.2, target: ['conv1', 'layer2', 'layer4.1', 'fc'] });
    randomiseAdapters(net);
    net.eval();
    const adapted = logits(net, x);
    const plain = base(small(dims), 99);
    const merged = mergeLora(net);
    assert.ok(!Object.keys(merged).some((n) => n.includes('lora')));
    plain.loadStateDict(merged);
    plain.eval();
    const out = logits(plain, x);
    const diff = maxDiff(out, adapted);
    const scale = Math.max(...adapted.map(Math.abs));
    t.diagnostic(`max |merged − adapted| = ${diff.toExponential(2)}, logits up to ${scale.toFixed(1)}`);
    assert.ok(diff < 1e-5 * Math.max(1, scale), `max |merged − adapted| = ${diff} (logits up to ${scale})`);
    // and the adapters did change the output (the check is not vacuous)
    const unadapted = base(small(dims));
    unadapted.eval();
    assert.ok(maxDiff(logits(unadapted, x), adapted) > 1e-3);
    for (const t of Object.values(merged)) t.dispose();
  });
}

test('the adapter file holds only adapter tensors (and named extras), is small, and loads back', () => {
  const dir = tempDir();
  const net = base({ ...small(2), widths: [16, 32, 64, 128] });
  applyLora(net, { rank: 2, alpha: 2, target: ['layer4'] });
  randomiseAdapters(net);
  net.eval();
  const x = ve.randn([1, 2, 32, 32]);
  const want = logits(net, x);
  const full = join(dir, 'full.safetensors');
  const file = join(dir, 'adapters.safetensors');
  saveModule(net, full);
  saveLoraAdapters(net, file, { extra: ['fc.weight', 'fc.bias'] });
  const { tensors, metadata } = ve.readSafetensorsFile(file);
  const names = Object.keys(tensors);
  assert.deepEqual(names.filter((n) => !isLoraName(n)).sort(), ['fc.bias', 'fc.weight']);
  assert.equal(names.filter(isLoraName).length, 2 * loraInfo(net)!.layers.length);
  assert.deepEqual([metadata.rank, metadata.alpha], ['2', '2']);
  const ratio = statSync(file).size / statSync(full).size;
  assert.ok(ratio < 0.05, `adapter file is ${(100 * ratio).toFixed(1)}% of the full checkpoint`);
  for (const t of Object.values(tensors)) t.dispose();
  // base weights + adapter file = the adapted network
  const again = base({ ...small(2), widths: [16, 32, 64, 128] });
  applyLora(again, { rank: 2, alpha: 2, target: ['layer4'] });
  loadLoraAdapters(again, file);
  again.eval();
  assert.deepEqual(logits(again, x), want);
  const other = base({ ...small(2), widths: [16, 32, 64, 128] });
  applyLora(other, { rank: 4, alpha: 2, target: ['layer4'] });
  assert.throws(() => loadLoraAdapters(other, file), /holds rank 2, alpha 2; the network has rank 4/);
});

test("a LoRA convolution's gradients for A, B and the input match finite differences", () => {
  const conv = new ve.nn.Conv(2, 2, 3, 3, { stride: 2, padding: 1 }).to('float64');
  const holder = new ve.nn.Sequential(conv);
  applyLora(holder, { rank: 2, alpha: 3, target: ['0'] });
  const adapter = (name: string) => conv.namedParameters().find(([n]) => n === `${name}.weight`)![1];
  const a = adapter('lora_A');
  const b = adapter('lora_B');
  ve.noGrad(() => b.copy_(ve.randn(b.shape, { dtype: 'float64' })));
  const x = ve.randn([1, 2, 5, 5], { dtype: 'float64' });
  for (const [checked, fixed] of [
    [a, b],
    [b, a],
  ] as const) {
    checked.requiresGrad_(true);
    fixed.requiresGrad_(false);
    x.requiresGrad_(checked === a);
    const result = gradcheck(
      (input, w) => {
        if (w !== checked) ve.noGrad(() => checked.copy_(w!));
        return conv.forward(input!);
      },
      [x, checked],
    );
    assert.ok(result.ok, `worst ${JSON.stringify(result.worst)}`);
    assert.ok(result.checked >= checked.numel);
  }
});

test('bad LoRA options are one error naming the option', () => {
  const net = () => base(small(2));
  const cases: Array<[Parameters<typeof applyLora>[1], RegExp]> = [
    [{ rank: 0, alpha: 1, target: ['fc'] }, /finetune\.lora\.rank: must be a positive integer, got 0/],
    [{ rank: 1.5, alpha: 1, target: ['fc'] }, /finetune\.lora\.rank/],
    [{ rank: 2, alpha: -1, target: ['fc'] }, /finetune\.lora\.alpha/],
    [{ rank: 2, alpha: 1, dropout: 1, target: ['fc'] }, /finetune\.lora\.dropout/],
    [
      { rank: 2, alpha: 1, target: ['layer9'] },
      /finetune\.lora\.target: 'layer9' matches no linear or convolution layer/,
    ],
    [{ rank: 2, alpha: 1, target: ['bn1'] }, /finetune\.lora\.target: 'bn1' matches no/],
    [{ rank: 2, alpha: 1, target: [] }, /finetune\.lora\.target: names no layer/],
  ];
  for (const [options, message] of cases)
    assert.throws(
      () => applyLora(net(), options, 'finetune.lora'),
      (err: Error) => err instanceof OptionError && message.test(err.message),
    );
  // `*` within one name segment
  assert.deepEqual(applyLora(net(), { rank: 1, alpha: 1, target: ['layer*.1.conv2'] }).layers, [
    'layer1.1.conv2',
    'layer2.1.conv2',
    'layer3.1.conv2',
    'layer4.1.conv2',
  ]);
});
