import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';

test('backward fills .grad of leaves; gradients accumulate until zeroGrad', () => {
  const x = ve.Tensor.from([1, 2, 3], undefined, { dtype: 'float64', requiresGrad: true });
  ve.mul(x, x).sum().backward(); // d/dx Σx² = 2x
  assert.deepEqual(x.grad!.toArray(), new Float64Array([2, 4, 6]));
  ve.mul(x, 3).sum().backward(); // accumulates + 3
  assert.deepEqual(x.grad!.toArray(), new Float64Array([5, 7, 9]));
  x.zeroGrad();
  assert.equal(x.grad, null);
  ve.sum(x).backward();
  assert.deepEqual(x.grad!.toArray(), new Float64Array([1, 1, 1]));
});

test('backward with an explicit upstream gradient and retainGraph', () => {
  const x = ve.Tensor.from([1, 2], undefined, { dtype: 'float64', requiresGrad: true });
  const y = ve.exp(x);
  y.backward(ve.Tensor.from([1, 0.5], undefined, { dtype: 'float64' }), { retainGraph: true });
  assert.ok(Math.abs(Number(x.grad!.toArray()[0]!) - Math.E) < 1e-12);
  assert.ok(Math.abs(Number(x.grad!.toArray()[1]!) - 0.5 * Math.exp(2)) < 1e-12);
  y.backward(ve.onesLike(y)); // the graph was kept: a second pass works
  assert.ok(Math.abs(Number(x.grad!.toArray()[0]!) - 2 * Math.E) < 1e-12);
  assert.throws(() => y.backward(ve.onesLike(y)), ve.EngineError); // now freed
});

test('noGrad records nothing, restores the mode, and enableGrad re-enables inside it', () => {
  const w = ve.ones([2], { requiresGrad: true });
  const y = ve.noGrad(() => w.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(ve.isGradEnabled(), true);
  const z = ve.noGrad(() => ve.enableGrad(() => w.mul(2)));
  assert.equal(z.requiresGrad, true);
  assert.throws(
    () =>
      ve.noGrad(() => {
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(ve.isGradEnabled(), true);
});

test('detach cuts the graph; in-place updates under noGrad change a leaf without recording', () => {
  const w = ve.Tensor.from([1, 2], undefined, { requiresGrad: true });
  assert.equal(w.detach().requiresGrad, false);
  const loss = w.mul(w).sum();
  loss.backward();
  ve.noGrad(() => w.sub_(w.grad!, 0.25)); // w -= 0.25 * 2w
  assert.deepEqual(w.toArray(), new Float32Array([0.5, 1]));
  assert.equal(w.isLeaf, true);
  assert.equal(w.requiresGrad, true);
});

test('optimizer-style in-place ops: addcmul_, addcdiv_, lerp_, mul_, clamp_, fill_, copy_', () => {
  const t = ve.Tensor.from([1, 2, 3]);
  const a = ve.Tensor.from([2, 2, 2]);
  const b = ve.Tensor.from([1, 2, 4]);
  t.addcmul_(a, b, 0.5); // [1+1, 2+2, 3+4]
  assert.deepEqual(t.toArray(), new Float32Array([2, 4, 7]));
  t.addcdiv_(a, b, 2); // + 2*a/b = [4, 2, 1]
  assert.deepEqual(t.toArray(), new Float32Array([6, 6, 8]));
  t.lerp_(ve.zerosLike(t), 0.5);
  assert.deepEqual(t.toArray(), new Float32Array([3, 3, 4]));
  t.mul_(2).add_(1).clamp_(null, 8);
  assert.deepEqual(t.toArray(), new Float32Array([7, 7, 8]));
  t.copy_(b);
  assert.deepEqual(t.toArray(), new Float32Array([1, 2, 4]));
  t.fill_(3).div_(ve.Tensor.from([3, 1.5, 1]));
  assert.deepEqual(t.toArray(), new Float32Array([1, 2, 3]));
  t.zero_();
  assert.equal(t.sum().item(), 0);
});

test('backwardAsync computes the same gradients off the main thread', async () => {
  const x = ve.Tensor.from([1, 2, 3], undefined, { dtype: 'float64', requiresGrad: true });
  await ve.mul(x, x).sum().backwardAsync();
  assert.deepEqual(x.grad!.toArray(), new Float64Array([2, 4, 6]));
  const bad = ve.Tensor.from([1, 2], undefined, { requiresGrad: true }).mul(2); // not a scalar: needs a gradient
  await assert.rejects(
    bad.backwardAsync(),
    (e: Error) =>
      e instanceof ve.EngineError && /grad can be implicitly created only for scalar outputs/.test(e.message),
  );
});
