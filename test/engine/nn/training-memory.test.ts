import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randn, rand } from '../../../src/engine/creation.js';
import { memoryStats, tidy } from '../../../src/engine/memory.js';
import { binaryCrossEntropyWithLogits } from '../../../src/engine/ops.js';
import { Adam, SGD, clipGradNorm, PolyLR } from '../../../src/engine/optim/index.js';
import { manualSeed } from '../../../src/engine/random.js';
import { ReferenceUNet2d } from '../../../src/nets/reference-unet.js';

test('a training loop (U-Net, BCE, Adam/SGD, clipping, schedule) leaves no native tensor behind', () => {
  manualSeed(0);
  const model = new ReferenceUNet2d(1, 1, [4, 8, 8]);
  const x = randn([2, 1, 16, 16]);
  const y = tidy(() => rand([2, 1, 16, 16]).gt(0.5).to('float32'));
  for (const optimizer of [
    new Adam(model.parameters(), { lr: 1e-2, amsgrad: true }),
    new SGD(model.parameters(), { lr: 1e-2, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
  ]) {
    const schedule = new PolyLR(optimizer, { totalSteps: 30 });
    const step = () => {
      const loss = tidy(() => {
        optimizer.zeroGrad();
        const l = binaryCrossEntropyWithLogits(model.forward(x), y, { reduction: 'mean' });
        l.backward();
        clipGradNorm(model.parameters(), 1);
        optimizer.step();
        return l.item();
      });
      schedule.step();
      return loss;
    };
    const first = step();
    step(); // optimizer state now exists
    const live = memoryStats().liveTensors;
    let last = first;
    for (let i = 0; i < 25; i++) last = step();
    assert.equal(memoryStats().liveTensors, live, 'live tensors grew during training');
    assert.ok(last < first, `loss ${first} → ${last}`);
    optimizer.dispose();
  }
  const before = memoryStats().liveTensors;
  const count = model.parameters().length + model.buffers().length;
  model.dispose();
  assert.equal(memoryStats().liveTensors, before - count);
  x.dispose();
  y.dispose();
});
