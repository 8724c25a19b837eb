import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  Linear,
  Module,
  ModuleDict,
  ModuleList,
  ReLU,
  Sequential,
  isParameter,
} from '../../../src/engine/nn/index.js';
import { manualSeed } from '../../../src/engine/random.js';
import { noGrad } from '../../../src/engine/autograd.js';
import { ones, randn } from '../../../src/engine/creation.js';
import type { Tensor } from '../../../src/engine/tensor.js';

class Block extends Module {
  readonly conv = this.registerModule('conv', new Conv2d(2, 4, 3, { padding: 1 }));
  readonly bn = this.registerModule('bn', new BatchNorm2d(4));
  forward(x: Tensor): Tensor {
    const c = this.conv.forward(x);
    const out = this.bn.forward(c);
    c.dispose();
    return out;
  }
}

class Net extends Module {
  readonly down = this.registerModule('down', new ModuleList([new Block(), new Block()]));
  readonly head = this.registerModule('head', new Sequential(new ReLU(), new Dropout(0.5), new Linear(4, 3)));
  forward(x: Tensor): Tensor {
    return x;
  }
}

test("parameters and buffers carry PyTorch's dotted names and order", () => {
  const net = new Net();
  assert.deepEqual(
    net.namedParameters().map(([n]) => n),
    [
      'down.0.conv.weight',
      'down.0.conv.bias',
      'down.0.bn.weight',
      'down.0.bn.bias',
      'down.1.conv.weight',
      'down.1.conv.bias',
      'down.1.bn.weight',
      'down.1.bn.bias',
      'head.2.weight',
      'head.2.bias',
    ],
  );
  assert.deepEqual(
    net.namedBuffers().map(([n]) => n),
    [
      'down.0.bn.running_mean',
      'down.0.bn.running_var',
      'down.0.bn.num_batches_tracked',
      'down.1.bn.running_mean',
      'down.1.bn.running_var',
      'down.1.bn.num_batches_tracked',
    ],
  );
  // torch's state_dict order: per module, parameters then buffers, depth first.
  assert.deepEqual(Object.keys(net.stateDict()).slice(0, 7), [
    'down.0.conv.weight',
    'down.0.conv.bias',
    'down.0.bn.weight',
    'down.0.bn.bias',
    'down.0.bn.running_mean',
    'down.0.bn.running_var',
    'down.0.bn.num_batches_tracked',
  ]);
  assert.equal(net.stateDict()['down.0.bn.num_batches_tracked']!.dtype, 'int64');
  assert.ok(net.parameters().every((p) => p.requiresGrad && isParameter(p)));
  assert.ok(net.buffers().every((b) => !b.requiresGrad));
  assert.equal(net.numParameters(), 2 * (4 * 2 * 9 + 4 + 4 + 4) + 4 * 3 + 3);
  net.dispose();
});

test('train()/eval() reach every sub-module', () => {
  const net = new Net();
  assert.ok(net.modules().every((m) => m.training));
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  net.train();
  assert.ok(net.modules().every((m) => m.training));
  assert.deepEqual(
    net.namedModules().map(([n]) => n),
    [
      '',
      'down',
      'down.0',
      'down.0.conv',
      'down.0.bn',
      'down.1',
      'down.1.conv',
      'down.1.bn',
      'head',
      'head.0',
      'head.1',
      'head.2',
    ],
  );
  net.dispose();
});

test('stateDict/loadStateDict round trip makes two modules compute the same', () => {
  manualSeed(1);
  const a = new Block();
  const b = new Block();
  const x = randn([2, 2, 5, 5]);
  a.train().forward(x).dispose(); // move the running statistics away from their initial values
  const before = a.eval().forward(x);
  const differs = b.eval().forward(x);
  assert.ok(maxAbsDiff(before, differs) > 1e-3);
  const result = b.loadStateDict(a.stateDict());
  assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
  const after = b.forward(x);
  assert.equal(maxAbsDiff(before, after), 0);
  assert.equal(Number(b.stateDict()['bn.num_batches_tracked']!.item()), 1);
  // The loaded values are copies: changing a afterwards leaves b alone.
  noGrad(() => a.conv.weight.fill_(0));
  assert.ok(maxAbsDiff(b.conv.weight, a.conv.weight) > 0);
  for (const t of [x, before, differs, after]) t.dispose();
  a.dispose();
  b.dispose();
});

test('loadStateDict reports missing, unexpected and mis-shaped entries', () => {
  const lin = new Linear(3, 2);
  const other = new Linear(3, 4);
  assert.throws(() => lin.loadStateDict({ weight: lin.weight }), /missing bias/);
  assert.throws(() => lin.loadStateDict({ ...lin.stateDict(), extra: lin.weight }), /unexpected extra/);
  assert.throws(() => lin.loadStateDict(other.stateDict()), /weight has shape \[4, 3\], the module expects \[2, 3\]/);
  assert.deepEqual(lin.loadStateDict({ weight: lin.weight }, { strict: false }), {
    missingKeys: ['bias'],
    unexpectedKeys: [],
  });
  lin.dispose();
  other.dispose();
});

test('Dropout and BatchNorm behave differently in train and eval', () => {
  manualSeed(3);
  const drop = new Dropout(0.5);
  const x = ones([1000]);
  const yTrain = drop.forward(x);
  const values = yTrain.toArray() as Float32Array;
  const zeros = values.filter((v) => v === 0).length;
  assert.ok(zeros > 400 && zeros < 600, `${zeros} zeros`);
  assert.ok(values.every((v) => v === 0 || v === 2));
  const yEval = drop.eval().forward(x);
  assert.ok((yEval.toArray() as Float32Array).every((v) => v === 1));

  const bn = new BatchNorm2d(1, { momentum: 0.5 });
  const input = ones([2, 1, 1, 2]);
  noGrad(() => input.mul_(3));
  const outTrain = bn.forward(input); // batch mean 3, batch var 0 → normalised to 0
  // (rounding in the mean is amplified by 1/√eps ≈ 316)
  assert.ok((outTrain.toArray() as Float32Array).every((v) => Math.abs(v) < 1e-4));
  // running_mean = 0.5·0 + 0.5·3; running_var = 0.5·1 + 0.5·0 (unbiased var of equal values is 0)
  assert.ok(Math.abs(bn.runningMean!.item() - 1.5) < 1e-6);
  assert.ok(Math.abs(bn.runningVar!.item() - 0.5) < 1e-6);
  const outEval = bn.eval().forward(input); // (3 − 1.5)/√(0.5 + 1e-5)
  const expected = 1.5 / Math.sqrt(0.5 + 1e-5);
  assert.ok((outEval.toArray() as Float32Array).every((v) => Math.abs(v - expected) < 1e-5));
  for (const t of [x, yTrain, yEval, input, outTrain, outEval]) t.dispose();
  bn.dispose();
});

test("default initialisation has PyTorch's bounds U(±1/√fan_in)", () => {
  manualSeed(0);
  const check = (t: Tensor, bound: number) => {
    const v = t.toArray() as Float32Array;
    let max = 0;
    for (const x of v) max = Math.max(max, Math.abs(x));
    assert.ok(max <= bound, `${max} > ${bound}`);
    assert.ok(max > 0.9 * bound, `${max} ≪ ${bound}: not spread over the range`);
  };
  const conv = new Conv2d(8, 16, 3);
  check(conv.weight, 1 / Math.sqrt(8 * 9));
  check(conv.bias!, 1 / Math.sqrt(8 * 9));
  const grouped = new Conv2d(8, 16, [3, 1], { groups: 4 });
  check(grouped.weight, 1 / Math.sqrt(2 * 3));
  const up = new ConvTranspose2d(64, 32, 2, { stride: 2 });
  assert.deepEqual(up.weight.shape, [64, 32, 2, 2]);
  check(up.weight, 1 / Math.sqrt(32 * 4)); // torch's fan_in of a transposed conv uses dim 1
  check(up.bias!, 1 / Math.sqrt(32 * 4));
  const lin = new Linear(100, 50);
  check(lin.weight, 0.1);
  check(lin.bias!, 0.1);
  const bn = new BatchNorm2d(3);
  assert.deepEqual([...(bn.weight!.toArray() as Float32Array)], [1, 1, 1]);
  assert.deepEqual([...(bn.bias!.toArray() as Float32Array)], [0, 0, 0]);
  for (const m of [conv, grouped, up, lin, bn]) m.dispose();
});

test('to(dtype) replaces parameters, keeps them trainable and keeps integer buffers', () => {
  const net = new Block();
  net.to('float64');
  assert.ok(net.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad && isParameter(p)));
  assert.equal(net.stateDict()['bn.running_mean']!.dtype, 'float64');
  assert.equal(net.stateDict()['bn.num_batches_tracked']!.dtype, 'int64');
  assert.equal(net.conv.weight.dtype, 'float64');
  net.dispose();
});

test('toMemoryFormat lays conv weights out channels-last without changing results', () => {
  manualSeed(5);
  const net = new Block();
  const x = randn([2, 2, 6, 6]);
  const before = net.eval().forward(x);
  net.toMemoryFormat('channelsLast');
  assert.ok(net.conv.weight.isContiguous('channelsLast') && !net.conv.weight.isContiguous());
  assert.ok(net.parameters().every((p) => p.requiresGrad && isParameter(p)));
  const xl = x.contiguous('channelsLast');
  const after = net.forward(xl);
  assert.ok(maxAbsDiff(before, after) < 1e-5);
  for (const t of [x, xl, before, after]) t.dispose();
  net.dispose();
});

test('ModuleDict names its entries; Sequential runs in order', () => {
  const d = new ModuleDict({ a: new Linear(2, 2), b: new ReLU() });
  assert.deepEqual(
    d.namedParameters().map(([n]) => n),
    ['a.weight', 'a.bias'],
  );
  const seq = new Sequential(new ReLU(), new ReLU());
  const x = randn([5]);
  const y = seq.forward(x);
  const xs = x.toArray() as Float32Array;
  const ys = y.toArray() as Float32Array;
  xs.forEach((v, i) => assert.equal(ys[i], Math.max(0, v)));
  for (const t of [x, y]) t.dispose();
  d.dispose();
});

test('zeroGrad clears gradients of every parameter', () => {
  const lin = new Linear(3, 1);
  const x = ones([2, 3]);
  const y = lin.forward(x);
  const loss = y.sum();
  loss.backward();
  assert.ok(lin.weight.grad !== null);
  lin.zeroGrad();
  const g = lin.weight.grad;
  assert.ok(g === null || (g.toArray() as Float32Array).every((v) => v === 0));
  for (const t of [x, y, loss]) t.dispose();
  lin.dispose();
});

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.toArray() as Float32Array;
  const y = b.toArray() as Float32Array;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}
