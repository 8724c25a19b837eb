import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { WeightAverage } from '../../src/train/weight-average.js';

const values = (t: ve.Tensor) => Array.from(t.toArray() as Float32Array);
const close = (a: number[], b: number[]) =>
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-6, `${x} vs ${b[i]}`));

test('the weight average follows avg ← d·avg + (1 − d)·w with the decay ramped as min(d, (1 + n)/(10 + n))', async () => {
  ve.manualSeed(3);
  const net = new ve.nn.Sequential(new ve.nn.Linear(2, 2), new ve.nn.BatchNorm1d(2));
  const w0 = values(net.stateDict()['0.weight']!);
  const average = new WeightAverage(net, 0.5);
  const setAll = (v: number) =>
    ve.noGrad(() => {
      for (const [name, t] of Object.entries(net.stateDict())) if (name !== '1.num_batches_tracked') t.fill_(v);
    });
  setAll(1);
  ve.noGrad(() => net.stateDict()['1.num_batches_tracked']!.fill_(7));
  assert.equal(average.currentDecay(), 0.1); // (1 + 0) / (10 + 0)
  average.update(net);
  const a1 = w0.map((w) => 0.1 * w + 0.9 * 1);
  close(values(average.stateDict()['0.weight']!), a1);
  // integer buffers are copied, not averaged
  assert.equal(Number(average.stateDict()['1.num_batches_tracked']!.item()), 7);
  setAll(3);
  const d2 = 2 / 11;
  assert.ok(Math.abs(average.currentDecay() - d2) < 1e-12);
  average.update(net);
  close(
    values(average.stateDict()['0.weight']!),
    a1.map((a) => d2 * a + (1 - d2) * 3),
  );
  // running statistics are averaged too: running_mean started at 0
  close(
    values(average.stateDict()['1.running_mean']!),
    [0.1 * 0 + 0.9 * 1, 0.1 * 0 + 0.9 * 1].map((a) => d2 * a + (1 - d2) * 3),
  );
  for (let i = 0; i < 100; i++) average.update(net);
  assert.equal(average.currentDecay(), 0.5); // the ramp is capped by the decay
  // withAveraged shows the average, then puts the trained weights back
  const seen = await average.withAveraged(net, () => values(net.stateDict()['0.weight']!));
  close(seen, values(average.stateDict()['0.weight']!));
  assert.deepEqual(values(net.stateDict()['0.weight']!), [3, 3, 3, 3]);
  average.dispose();
  net.dispose();
});
