import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';

const f = (v: number[] | number[][], shape?: number[]) => ve.Tensor.from(v as number[], shape);
const nums = (x: ve.Tensor) => x.toNumbers();

test('broadcasting arithmetic and Python-like scalar promotion', () => {
  const a = f([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(nums(ve.add(a, f([10, 20, 30]))), [11, 22, 33, 14, 25, 36]);
  assert.deepEqual(nums(ve.mul(a, f([[2], [3]]))), [2, 4, 6, 12, 15, 18]);
  assert.deepEqual(nums(ve.sub(10, a)), [9, 8, 7, 6, 5, 4]);
  assert.deepEqual(nums(ve.div(a, 2)), [0.5, 1, 1.5, 2, 2.5, 3]);
  assert.deepEqual(nums(ve.add(a, a, 2)), [3, 6, 9, 12, 15, 18]);
  const i = ve.arange(4); // int64
  assert.equal(i.dtype, 'int64');
  assert.equal(ve.mul(i, 2).dtype, 'int64'); // integral scalar keeps the int dtype
  assert.equal(ve.mul(i, 0.5).dtype, 'float32'); // a fractional scalar promotes to the default float
  assert.equal(ve.add(i, f([1])).dtype, 'float32');
  assert.deepEqual(nums(ve.floorDivide(f([7, -7]), 2)), [3, -4]);
  assert.deepEqual(nums(ve.remainder(f([7, -7]), 3)), [1, 2]); // Python's sign convention
  assert.deepEqual(nums(ve.pow(2, f([1, 2, 3]))), [2, 4, 8]);
});

test('comparisons, where, clamp, logic', () => {
  const x = f([-2, -0.5, 0, 0.5, 2]);
  assert.deepEqual(nums(ve.ge(x, 0)), [0, 0, 1, 1, 1]);
  assert.deepEqual(nums(ve.eq(x, f([-2, 0, 0, 0, 0]))), [1, 0, 1, 0, 0]);
  assert.deepEqual(nums(ve.where(ve.lt(x, 0), 0, x)), [0, 0, 0, 0.5, 2]);
  assert.deepEqual(nums(ve.clamp(x, -1, 1)), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(nums(ve.clamp(x, 0)), [0, 0, 0, 0.5, 2]);
  assert.deepEqual(nums(ve.clamp(x, null, f([0]))), [-2, -0.5, 0, 0, 0]);
  assert.deepEqual(nums(ve.logicalAnd(ve.gt(x, -1), ve.lt(x, 1))), [0, 1, 1, 1, 0]);
  assert.deepEqual(nums(ve.isnan(ve.log(f([-1, 1])))), [1, 0]);
});

test('activations against their definitions', () => {
  const x = f([-2, 0, 1.5]);
  const close = (a: number[], b: number[]) =>
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6, `${v} vs ${b[i]}`));
  close(
    nums(ve.sigmoid(x)),
    [-2, 0, 1.5].map((v) => 1 / (1 + Math.exp(-v))),
  );
  close(nums(ve.tanh(x)), [-2, 0, 1.5].map(Math.tanh));
  close(nums(ve.relu(x)), [0, 0, 1.5]);
  close(nums(ve.leakyRelu(x, 0.1)), [-0.2, 0, 1.5]);
  close(nums(ve.elu(x)), [Math.exp(-2) - 1, 0, 1.5]);
  // exact GELU x·Φ(x): Φ(-2) = 0.0227501319, Φ(1.5) = 0.9331927987
  close(nums(ve.gelu(x)), [-2 * 0.0227501319, 0, 1.5 * 0.9331927987]);
  close(
    nums(ve.softmax(f([1, 2, 3]), 0)),
    [1, 2, 3].map((v) => Math.exp(v) / (Math.E + Math.exp(2) + Math.exp(3))),
  );
  close(
    nums(ve.logSoftmax(f([1, 2, 3]), 0)),
    [1, 2, 3].map((v) => v - Math.log(Math.E + Math.exp(2) + Math.exp(3))),
  );
});

test('reductions with dims, keepdim, indices, std/var corrections', () => {
  const x = f([
    [1, 5, 3],
    [4, 2, 6],
  ]);
  assert.equal(ve.sum(x).item(), 21);
  assert.deepEqual(nums(ve.sum(x, 0)), [5, 7, 9]);
  assert.deepEqual(ve.sum(x, { dim: 1, keepdim: true }).shape, [2, 1]);
  assert.deepEqual(nums(ve.mean(x, { dim: [0, 1] })), [3.5]);
  assert.equal(ve.max(x).item(), 6);
  const m = ve.max(x, { dim: 1 });
  assert.deepEqual(nums(m.values), [5, 6]);
  assert.deepEqual(nums(m.indices), [1, 2]);
  assert.equal(m.indices.dtype, 'int64');
  const mn = x.min({ dim: 0, keepdim: true });
  assert.deepEqual(mn.values.shape, [1, 3]);
  assert.deepEqual(nums(mn.indices), [0, 1, 0]);
  assert.equal(ve.argmax(x).item(), 5);
  assert.deepEqual(nums(ve.argmin(x, 1)), [0, 1]);
  const y = f([1, 2, 3, 4]);
  assert.ok(Math.abs(ve.variance(y).item() - 5 / 3) < 1e-6); // unbiased: Σ(x-2.5)² / 3
  assert.ok(Math.abs(ve.variance(y, { correction: 0 }).item() - 1.25) < 1e-6);
  assert.ok(Math.abs(y.std().item() - Math.sqrt(5 / 3)) < 1e-6);
  assert.equal(ve.prod(y).item(), 24);
  assert.ok(Math.abs(ve.norm(f([3, 4])).item() - 5) < 1e-6);
  assert.ok(Math.abs(ve.logsumexp(f([0, 0]), 0).item() - Math.LN2) < 1e-6);
  assert.deepEqual(nums(ve.cumsum(y, 0)), [1, 3, 6, 10]);
  assert.equal(ve.all(ve.gt(y, 0)).item(), 1);
  assert.equal(ve.any(ve.gt(y, 3)).item(), 1);
  const s = ve.sort(f([3, 1, 2]), -1, true);
  assert.deepEqual(nums(s.values), [3, 2, 1]);
  assert.deepEqual(nums(s.indices), [0, 2, 1]);
  assert.deepEqual(nums(ve.topk(f([3, 1, 2, 5]), 2).values), [5, 3]);
  const u = ve.unique(ve.Tensor.from(new Int32Array([3, 1, 3, 3, 2])));
  assert.deepEqual(nums(u.values), [1, 2, 3]);
  assert.deepEqual(nums(u.counts), [1, 1, 3]);
  assert.deepEqual(nums(ve.bincount(ve.Tensor.from(new BigInt64Array([0n, 2n, 2n])))), [1, 0, 2]);
  assert.deepEqual(nums(ve.sum(ve.Tensor.from(new Uint8Array([200, 100])), { dtype: 'int64' })), [300]);
});

test('matmul family', () => {
  const a = f([
    [1, 2],
    [3, 4],
  ]);
  const b = f([
    [5, 6],
    [7, 8],
  ]);
  assert.deepEqual(nums(ve.matmul(a, b)), [19, 22, 43, 50]);
  assert.deepEqual(nums(ve.mm(a, b)), [19, 22, 43, 50]);
  assert.deepEqual(nums(ve.bmm(a.unsqueeze(0), b.unsqueeze(0))), [19, 22, 43, 50]);
  // linear: x·Wᵀ + b
  assert.deepEqual(nums(ve.linear(f([[1, 1]]), a, f([0.5, -0.5]))), [3.5, 6.5]);
  assert.deepEqual(nums(a.T), [1, 3, 2, 4]);
  assert.deepEqual(nums(ve.outer(f([1, 2]), f([3, 4]))), [3, 4, 6, 8]);
});

test('shape ops: reshape, views, permute, cat/stack, split/chunk, slicing, indexing, flip/roll', () => {
  const x = ve.arange(6).reshape([2, 3]);
  assert.deepEqual(x.shape, [2, 3]);
  assert.deepEqual(nums(x.transpose(0, 1)), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(nums(x.permute([1, 0]).contiguous()), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(x.reshape([-1]).shape, [6]);
  assert.throws(() => x.transpose(0, 1).view([6]), ve.EngineError); // not viewable
  assert.deepEqual(x.unsqueeze(1).shape, [2, 1, 3]);
  assert.deepEqual(x.unsqueeze(0).squeeze(0).shape, [2, 3]);
  assert.deepEqual(ve.expand(f([1, 2, 3]), [2, 3]).shape, [2, 3]);
  assert.deepEqual(ve.flatten(ve.zeros([2, 3, 4]), 1).shape, [2, 12]);
  assert.deepEqual(nums(ve.cat([x, x], 1)), [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]);
  assert.deepEqual(ve.stack([x, x]).shape, [2, 2, 3]);
  assert.deepEqual(ve.split(ve.arange(5), 2).map(nums), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(ve.split(ve.arange(5), [1, 4]).map(nums), [[0], [1, 2, 3, 4]]);
  assert.deepEqual(ve.chunk(ve.arange(6), 3).map(nums), [
    [0, 1],
    [2, 3],
    [4, 5],
  ]);
  assert.deepEqual(nums(ve.slice(ve.arange(10), 0, 1, 8, 3)), [1, 4, 7]);
  assert.deepEqual(nums(ve.slice(ve.arange(10), 0, -3)), [7, 8, 9]);
  assert.deepEqual(nums(ve.narrow(x, 1, 1, 2)), [1, 2, 4, 5]);
  assert.deepEqual(nums(ve.select(x, 1, 2)), [2, 5]);
  const idx = ve.Tensor.from(new BigInt64Array([2n, 0n]));
  assert.deepEqual(nums(ve.indexSelect(x, 1, idx)), [2, 0, 5, 3]);
  const g = ve.Tensor.from(new BigInt64Array([2n, 2n, 0n, 1n]), [2, 2]);
  assert.deepEqual(nums(ve.gather(x, 1, g)), [2, 2, 3, 4]);
  assert.deepEqual(nums(ve.scatter(ve.zeros([2, 3]), 1, g.slice(1, 0, 1), 7)), [0, 0, 7, 7, 0, 0]);
  assert.deepEqual(
    nums(ve.scatterAdd(ve.zeros([3]), 0, ve.Tensor.from(new BigInt64Array([0n, 0n, 2n])), f([1, 2, 3]))),
    [3, 0, 3],
  );
  assert.deepEqual(nums(ve.flip(x, 1)), [2, 1, 0, 5, 4, 3]);
  assert.deepEqual(nums(ve.roll(ve.arange(5), 2, 0)), [3, 4, 0, 1, 2]);
  assert.deepEqual(nums(ve.maskedSelect(x, ve.gt(x, 3))), [4, 5]);
  assert.deepEqual(nums(ve.nonzero(f([0, 3, 0, 1]))), [1, 3]);
  assert.deepEqual(
    ve.meshgrid([ve.arange(2), ve.arange(3)]).map((t) => t.shape),
    [
      [2, 3],
      [2, 3],
    ],
  );
  assert.deepEqual(nums(ve.tril(ve.ones([2, 2]))), [1, 0, 1, 1]);
});

test('creation functions', () => {
  assert.deepEqual(nums(ve.zeros([2])), [0, 0]);
  assert.deepEqual(nums(ve.ones([2], { dtype: 'int32' })), [1, 1]);
  assert.equal(ve.ones([1], { dtype: 'int32' }).dtype, 'int32');
  assert.deepEqual(nums(ve.full([3], 2.5)), [2.5, 2.5, 2.5]);
  assert.deepEqual(nums(ve.arange(2, 8, 2)), [2, 4, 6]);
  assert.equal(ve.arange(0, 1, 0.25).dtype, 'float32');
  assert.deepEqual(nums(ve.arange(0, 1, 0.25)), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(nums(ve.linspace(0, 1, 5)), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(nums(ve.eye(2, 3)), [1, 0, 0, 0, 1, 0]);
  const like = ve.zerosLike(ve.ones([2, 2], { dtype: 'float64' }));
  assert.equal(like.dtype, 'float64');
  assert.deepEqual(like.shape, [2, 2]);
  assert.equal(ve.fullLike(like, 3, 'int32').dtype, 'int32');
  const p = ve.ones([3], { requiresGrad: true });
  assert.equal(p.requiresGrad, true);
  assert.equal(p.isLeaf, true);
  assert.deepEqual(nums(ve.randperm(5).sort(0).values), [0, 1, 2, 3, 4]);
});

test('random numbers: the same seed gives the same values; distributions have the right moments', () => {
  ve.manualSeed(123);
  const a = [
    ve.rand([5]),
    ve.randn([5]),
    ve.randint(0, 10, [5]),
    ve.dropout(ve.ones([8]), 0.5, true),
    ve.empty([5]).uniform_(-1, 1),
    ve.empty([5]).normal_(2, 3),
  ].map(nums);
  ve.manualSeed(123);
  const b = [
    ve.rand([5]),
    ve.randn([5]),
    ve.randint(0, 10, [5]),
    ve.dropout(ve.ones([8]), 0.5, true),
    ve.empty([5]).uniform_(-1, 1),
    ve.empty([5]).normal_(2, 3),
  ].map(nums);
  assert.deepEqual(a, b);
  ve.manualSeed(124);
  assert.notDeepEqual(nums(ve.rand([5])), a[0]);
  const u = ve.rand([100000], { dtype: 'float64' });
  assert.ok(Math.abs(u.mean().item() - 0.5) < 0.01 && u.min().item() >= 0 && u.max().item() < 1);
  const n = ve.randn([100000], { dtype: 'float64' });
  assert.ok(Math.abs(n.mean().item()) < 0.02 && Math.abs(n.std().item() - 1) < 0.02);
  const r = ve.randint(3, 7, [10000]);
  assert.equal(r.dtype, 'int64');
  assert.ok(r.min().item() === 3 && r.max().item() === 6);
  assert.throws(() => ve.manualSeed(-1), RangeError);
});

test('getRngState/setRngState rewind the generator mid-stream (dropout masks included); a wrong state is refused', () => {
  ve.manualSeed(9);
  ve.randn([3]); // mid-stream, with a cached normal sample pending
  const state = ve.getRngState();
  assert.equal(state.dtype, 'uint8');
  const draw = () => [ve.randn([5]), ve.dropout(ve.ones([16]), 0.5, true), ve.rand([3])].map(nums);
  const a = draw();
  ve.setRngState(state);
  assert.deepEqual(draw(), a);
  assert.throws(
    () => ve.setRngState(ve.zeros([3])),
    (e: Error) => e instanceof ve.EngineError && /ByteTensor/.test(e.message),
  );
  assert.throws(() => ve.setRngState(ve.zeros([3], { dtype: 'uint8' })), ve.EngineError);
  state.dispose();
});

test('a seeded small training run is bit-for-bit reproducible', () => {
  const run = (): number[] =>
    ve.tidy(() => {
      ve.manualSeed(7);
      const w = ve.randn([4, 3], { requiresGrad: true });
      const x = ve.randn([16, 3]);
      const y = ve.randn([16, 4]);
      const losses: number[] = [];
      for (let i = 0; i < 5; i++) {
        ve.tidy(() => {
          const loss = ve.mseLoss(ve.dropout(ve.linear(x, w), 0.2, true), y);
          losses.push(loss.item());
          w.zeroGrad();
          loss.backward();
          ve.noGrad(() => w.sub_(w.grad!, 0.1));
        });
      }
      return losses;
    });
  const a = run(),
    b = run();
  assert.deepEqual(a, b);
  assert.ok(a[4]! < a[0]!);
});

test('quantile, median, histc, einsum, cdist, allclose', () => {
  const x = f([1, 2, 3, 4, 5]);
  assert.equal(ve.quantile(x, 0.5).item(), 3);
  assert.equal(ve.quantile(x, 0.1).item(), Math.fround(1.4)); // linear: position 0.1·4 = 0.4 → 1 + 0.4
  assert.deepEqual(nums(ve.quantile(x, f([0, 1]))), [1, 5]);
  assert.equal(ve.quantile(x, 0.1, { interpolation: 'lower' }).item(), 1);
  assert.equal(ve.median(f([4, 1, 3, 2])).item(), 2); // lower median
  assert.deepEqual(
    nums(
      ve.median(
        f([
          [3, 1, 2],
          [9, 7, 8],
        ]),
        1,
      ).values,
    ),
    [2, 8],
  );
  assert.deepEqual(nums(ve.histc(f([0, 0.1, 0.5, 0.9, 1]), 2, 0, 1)), [2, 3]); // [0,0.5) and [0.5,1]
  const a = f([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(nums(ve.einsum('ij,jk->ik', [a, a])), nums(ve.matmul(a, a)));
  assert.equal(ve.einsum('ii', [a]).item(), 5); // trace
  assert.deepEqual(
    nums(
      ve.cdist(
        f([[0, 0]]),
        f([
          [3, 4],
          [0, 1],
        ]),
      ),
    ),
    [5, 1],
  );
  assert.equal(ve.allclose(f([1, 2]), f([1, 2.000001])), true);
  assert.equal(ve.allclose(f([1, 2]), f([1, 2.1])), false);
  assert.equal(ve.equal(a, a.clone()), true);
  assert.deepEqual(nums(ve.isclose(f([1, 2]), f([1, 3]))), [1, 0]);
});

test('clamp takes a number for one bound and a tensor for the other', () => {
  const x = ve.Tensor.from([-2, 0.5, 3]);
  const hi = ve.Tensor.from([1, 0, 2]);
  assert.deepEqual(nums(ve.clamp(x, 0, hi)), [0, 0, 2]);
  assert.deepEqual(nums(ve.clamp(x, hi, 2.5)), [1, 0.5, 2.5]);
});
