import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { rand, randn } from '../../src/engine/creation.js';
import { tidy } from '../../src/engine/memory.js';
import { binaryCrossEntropyWithLogits } from '../../src/engine/ops.js';
import { Adam } from '../../src/engine/optim/adam.js';
import { manualSeed } from '../../src/engine/random.js';
import { ReferenceUNet2d } from '../../src/nets/reference-unet.js';
import { repoRoot } from '../helpers/data.js';
import { python, referenceTest, runPythonFile } from '../helpers/reference.js';

test('the reference U-Net has its documented shape: 117k parameters, logits at full resolution', () => {
  const net = new ReferenceUNet2d();
  assert.equal(net.numParameters(), 116753);
  const x = randn([1, 1, 16, 16]);
  const y = net.forward(x);
  assert.deepEqual(y.shape, [1, 1, 16, 16]);
  for (const t of [x, y]) t.dispose();
  net.dispose();
});

referenceTest(
  'from the same seed, Vesalius and PyTorch train the reference U-Net to the same losses',
  python('torch'),
  () => {
    // Same libtorch generator, same order of draws (weights in registration order, then x, then y),
    // same default initialisation, BCE and Adam: the losses agree to float32 rounding.
    const steps = 4;
    const args = ['--threads', '1', '--steps', String(steps), '--warmup', '0', '--batch', '2', '--size', '32'];
    const out = runPythonFile(join(repoRoot, 'bench', 'engine_torch.py'), [...args, '--infer-steps', '1']);
    const torch = JSON.parse(out) as { losses: number[]; stateDictKeys: string[] };
    manualSeed(0);
    const net = new ReferenceUNet2d();
    assert.deepEqual(Object.keys(net.stateDict()), torch.stateDictKeys);
    const optimizer = new Adam(net.parameters(), { lr: 1e-3 });
    const x = randn([2, 1, 32, 32]);
    const y = tidy(() => rand([2, 1, 32, 32]).gt(0.5).to('float32'));
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      losses.push(
        tidy(() => {
          optimizer.zeroGrad();
          const l = binaryCrossEntropyWithLogits(net.forward(x), y, { reduction: 'mean' });
          l.backward();
          optimizer.step();
          return l.item();
        }),
      );
    }
    losses.forEach((l, i) => assert.ok(Math.abs(l - torch.losses[i]!) < 1e-6, `step ${i}: ${l} vs ${torch.losses[i]}`));
    assert.ok(losses[steps - 1]! < losses[0]!);
    optimizer.dispose();
    net.dispose();
    x.dispose();
    y.dispose();
  },
);
