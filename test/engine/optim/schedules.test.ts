import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CosineAnnealingLR,
  LinearWarmup,
  PolyLR,
  StepLR,
  cosineLr,
  linearWarmupFactor,
  polyLr,
  stepLr,
} from '../../../src/engine/optim/schedules.js';

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const fakeOptimizer = (...lrs: number[]) => ({
  paramGroups: lrs.map((lr) => ({ lr }) as { lr: number; initialLr?: number }),
});

test('pure formulas match hand-computed values', () => {
  close(polyLr(0.01, 0, 1000), 0.01);
  close(polyLr(0.01, 500, 1000), 0.01 * 0.5 ** 0.9); // 0.005358867312681466
  close(polyLr(0.01, 500, 1000), 0.005358867312681466);
  assert.equal(polyLr(0.01, 1000, 1000), 0);
  close(cosineLr(1, 0, 10), 1);
  close(cosineLr(1, 5, 10, 0.1), 0.55);
  close(cosineLr(1, 10, 10, 0.1), 0.1);
  close(cosineLr(2, 2.5, 10), 1 + Math.SQRT1_2);
  close(stepLr(1, 29, 30), 1);
  close(stepLr(1, 30, 30), 0.1);
  close(stepLr(1, 65, 30, 0.5), 0.25);
  close(linearWarmupFactor(0, 4, 0.2), 0.2);
  close(linearWarmupFactor(2, 4, 0.2), 0.6);
  close(linearWarmupFactor(9, 4, 0.2), 1);
});

test('schedule objects drive every parameter group like torch.optim.lr_scheduler', () => {
  const opt = fakeOptimizer(0.01, 0.1);
  const s = new PolyLR(opt, { totalSteps: 4 });
  assert.deepEqual(s.getLr(), [0.01, 0.1]);
  const seen: number[] = [];
  for (let i = 0; i < 4; i++) {
    s.step();
    seen.push(opt.paramGroups[0]!.lr);
  }
  [0.75, 0.5, 0.25, 0].forEach((f, i) => close(seen[i]!, 0.01 * f ** 0.9));
  close(opt.paramGroups[1]!.lr, 0);

  const o2 = fakeOptimizer(1);
  const c = new CosineAnnealingLR(o2, { totalSteps: 2, etaMin: 0 });
  c.step();
  close(o2.paramGroups[0]!.lr, 0.5);
  const o3 = fakeOptimizer(1);
  const st = new StepLR(o3, { stepSize: 2, gamma: 0.5 });
  const lrs = [o3.paramGroups[0]!.lr];
  for (let i = 0; i < 4; i++) {
    st.step();
    lrs.push(o3.paramGroups[0]!.lr);
  }
  assert.deepEqual(lrs, [1, 1, 0.5, 0.5, 0.25]);
});

test('linear warm-up then the wrapped schedule from its own step 0', () => {
  const opt = fakeOptimizer(1);
  const cosine = new CosineAnnealingLR(opt, { totalSteps: 4 });
  const s = new LinearWarmup(opt, { warmupSteps: 2, startFactor: 0.5, after: cosine });
  const lrs = [opt.paramGroups[0]!.lr];
  for (let i = 0; i < 6; i++) {
    s.step();
    lrs.push(opt.paramGroups[0]!.lr);
  }
  const expected = [0.5, 0.75, 1, (1 + Math.cos(Math.PI / 4)) / 2, 0.5, (1 + Math.cos((3 * Math.PI) / 4)) / 2, 0];
  expected.forEach((e, i) => close(lrs[i]!, e));
});

test('state dict resumes at the same step', () => {
  const a = fakeOptimizer(0.01);
  const s = new PolyLR(a, { totalSteps: 10 });
  for (let i = 0; i < 3; i++) s.step();
  const state = s.stateDict();
  const b = fakeOptimizer(0.01);
  const r = new PolyLR(b, { totalSteps: 10 });
  r.loadStateDict(JSON.parse(JSON.stringify(state)));
  close(b.paramGroups[0]!.lr, a.paramGroups[0]!.lr);
  s.step();
  r.step();
  close(b.paramGroups[0]!.lr, polyLr(0.01, 4, 10));
  assert.throws(() => new PolyLR(fakeOptimizer(1), { totalSteps: 0 }), /positive/);
});
