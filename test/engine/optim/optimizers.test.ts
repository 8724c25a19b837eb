import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Tensor } from '../../../src/engine/tensor.js';
import { Adam, AdamW, SGD, clipGradNorm, clipGradValue, type Optimizer } from '../../../src/engine/optim/index.js';
import { repoRoot } from '../../helpers/data.js';
import { python, referenceTest, runPythonFile } from '../../helpers/reference.js';

// Loss L(p) = Σ wᵢ (pᵢ − cᵢ)², so ∇ᵢ = 2wᵢ(pᵢ − cᵢ), computed in plain JS for the expected values.
const W = [0.5, 2, -1];
const C = [1, -0.5, 0.25];
const P0 = [0.3, 0.7, -1.2];
const grad = (p: number[]) => p.map((v, i) => 2 * W[i]! * (v - C[i]!));

function runSteps(
  make: (p: Tensor) => Optimizer<object>,
  steps: number,
  dtype: 'float64' | 'float32' = 'float64',
): number[][] {
  const p = Tensor.from(P0, [3], { dtype, requiresGrad: true });
  const w = Tensor.from(W, [3], { dtype });
  const c = Tensor.from(C, [3], { dtype });
  const opt = make(p);
  const history: number[][] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const d = p.sub(c);
    const loss = d.mul(d).mul(w).sum();
    loss.backward();
    opt.step();
    history.push([...(p.toArray() as Float64Array)]);
    for (const t of [d, loss]) t.dispose();
  }
  opt.dispose();
  for (const t of [p, w, c]) t.dispose();
  return history;
}

function closeArrays(actual: number[], expected: number[], tol = 1e-12) {
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]!) <= tol * Math.max(1, Math.abs(expected[i]!)), `[${i}] ${a} vs ${expected[i]}`),
  );
}

test("SGD with Nesterov momentum and weight decay follows torch.optim.SGD's formula", () => {
  const lr = 0.1,
    mu = 0.9,
    wd = 0.01;
  const got = runSteps((p) => new SGD([p], { lr, momentum: mu, nesterov: true, weightDecay: wd }), 4);
  let p = [...P0];
  let buf: number[] | null = null;
  for (let s = 0; s < 4; s++) {
    const g = grad(p).map((gi, i) => gi + wd * p[i]!);
    buf = buf === null ? [...g] : buf.map((b, i) => mu * b + g[i]!);
    const step = g.map((gi, i) => gi + mu * buf![i]!);
    p = p.map((v, i) => v - lr * step[i]!);
    closeArrays(got[s]!, p);
  }
});

test('SGD with plain momentum and dampening', () => {
  const lr = 0.05,
    mu = 0.8,
    damp = 0.3;
  const got = runSteps((p) => new SGD([p], { lr, momentum: mu, dampening: damp }), 3);
  let p = [...P0];
  let buf: number[] | null = null;
  for (let s = 0; s < 3; s++) {
    const g = grad(p);
    buf = buf === null ? [...g] : buf.map((b, i) => mu * b + (1 - damp) * g[i]!);
    p = p.map((v, i) => v - lr * buf![i]!);
    closeArrays(got[s]!, p);
  }
});

function adamReference(
  steps: number,
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
  decoupled: boolean,
  amsgrad = false,
) {
  let p = [...P0];
  let m = [0, 0, 0],
    v = [0, 0, 0],
    vmax = [0, 0, 0];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    // The gradient is taken at the parameters before the step (backward runs before step()).
    const g = grad(p).map((gi, i) => (decoupled ? gi : gi + wd * p[i]!));
    if (decoupled) p = p.map((x) => x * (1 - lr * wd));
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! * g[i]!);
    vmax = vmax.map((x, i) => Math.max(x, v[i]!));
    const second = amsgrad ? vmax : v;
    const mHat = m.map((mi) => mi / (1 - b1 ** t));
    const vHat = second.map((vi) => vi / (1 - b2 ** t));
    // torch's arrangement: lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε) — the same as m̂/(√v̂ + ε).
    p = p.map((x, i) => x - (lr * mHat[i]!) / (Math.sqrt(vHat[i]!) + eps));
    out.push([...p]);
  }
  return out;
}

test('Adam follows the bias-corrected update (with L2 weight decay and AMSGrad)', () => {
  const got = runSteps((p) => new Adam([p], { lr: 0.01, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.1 }), 5);
  adamReference(5, 0.01, 0.9, 0.99, 1e-8, 0.1, false).forEach((e, i) => closeArrays(got[i]!, e, 1e-11));
  const ams = runSteps((p) => new Adam([p], { lr: 0.05, amsgrad: true }), 6);
  adamReference(6, 0.05, 0.9, 0.999, 1e-8, 0, false, true).forEach((e, i) => closeArrays(ams[i]!, e, 1e-11));
  // The first Adam step moves every coordinate by ~lr against the sign of its gradient.
  const first = runSteps((p) => new Adam([p], { lr: 0.001 }), 1)[0]!;
  grad(P0).forEach((g, i) => assert.ok(Math.abs(first[i]! - (P0[i]! - 0.001 * Math.sign(g))) < 1e-7));
});

test('AdamW decays the weights decoupled from the gradient', () => {
  const got = runSteps((p) => new AdamW([p], { lr: 0.01, weightDecay: 0.5 }), 4);
  adamReference(4, 0.01, 0.9, 0.999, 1e-8, 0.5, true).forEach((e, i) => closeArrays(got[i]!, e, 1e-11));
});

test('optimizer state dict resumes training exactly', () => {
  const reference = runSteps((p) => new Adam([p], { lr: 0.02 }), 6);
  const p = Tensor.from(P0, [3], { dtype: 'float64', requiresGrad: true });
  const w = Tensor.from(W, [3], { dtype: 'float64' });
  const c = Tensor.from(C, [3], { dtype: 'float64' });
  const stepWith = (opt: Adam) => {
    opt.zeroGrad();
    const d = p.sub(c);
    const loss = d.mul(d).mul(w).sum();
    loss.backward();
    opt.step();
    d.dispose();
    loss.dispose();
  };
  const first = new Adam([p], { lr: 0.02 });
  for (let s = 0; s < 3; s++) stepWith(first);
  const saved = first.stateDict();
  assert.equal(saved.state[0]!.step, 3);
  const resumed = new Adam([p], { lr: 0.5 });
  resumed.loadStateDict(saved);
  first.dispose();
  assert.equal(resumed.paramGroups[0]!.lr, 0.02);
  for (let s = 0; s < 3; s++) stepWith(resumed);
  closeArrays([...(p.toArray() as Float64Array)], reference[5]!, 1e-13);
  resumed.dispose();
  for (const t of [p, w, c]) t.dispose();
});

test('parameter groups have their own learning rates; parameters without gradients are skipped', () => {
  const a = Tensor.from([1], [1], { dtype: 'float64', requiresGrad: true });
  const b = Tensor.from([1], [1], { dtype: 'float64', requiresGrad: true });
  const idle = Tensor.from([5], [1], { dtype: 'float64', requiresGrad: true });
  const opt = new SGD([{ params: [a] }, { params: [b, idle], lr: 0.5 }], { lr: 0.1 });
  const loss = a.add(b).sum();
  loss.backward();
  opt.step();
  assert.deepEqual(
    [(a.toArray() as Float64Array)[0], (b.toArray() as Float64Array)[0], (idle.toArray() as Float64Array)[0]],
    [0.9, 0.5, 5],
  );
  assert.throws(() => new SGD([a, a], { lr: 0.1 }), /more than one/);
  assert.throws(() => new SGD([a], { lr: 0.1, nesterov: true }), /Nesterov/);
  for (const t of [loss, a, b, idle]) t.dispose();
});

test('clipGradNorm scales gradients to the norm and returns the norm before clipping', () => {
  const a = Tensor.from([3, 0], [2], { dtype: 'float64', requiresGrad: true });
  const b = Tensor.from([4], [1], { dtype: 'float64', requiresGrad: true });
  // loss = Σa·a/2 + Σb·b/2 → grads equal the values: (3, 0, 4), norm 5.
  const la = a.mul(a).sum().mul(0.5);
  const lb = b.mul(b).sum().mul(0.5);
  const loss = la.add(lb);
  loss.backward();
  const norm = clipGradNorm([a, b], 1);
  assert.ok(Math.abs(norm - 5) < 1e-12);
  const ga = a.grad!.toArray() as Float64Array;
  const gb = b.grad!.toArray() as Float64Array;
  closeArrays([...ga, ...gb], [3 / (5 + 1e-6), 0, 4 / (5 + 1e-6)]);
  assert.ok(Math.abs(clipGradNorm([a, b], 10, Infinity) - 4 / (5 + 1e-6)) < 1e-12);
  clipGradValue([a, b], 0.5);
  closeArrays([...(a.grad!.toArray() as Float64Array), ...(b.grad!.toArray() as Float64Array)], [0.5, 0, 0.5]);
  for (const t of [la, lb, loss, a, b]) t.dispose();
});

referenceTest('Adam, AdamW and SGD-Nesterov match torch.optim over several steps', python('torch'), () => {
  const script = `
import json
P0 = ${JSON.stringify(P0)}; W = torch.tensor(${JSON.stringify(W)}, dtype=torch.float64); C = torch.tensor(${JSON.stringify(C)}, dtype=torch.float64)
def run(make, steps):
    p = torch.tensor(P0, dtype=torch.float64, requires_grad=True)
    opt = make([p]); out = []
    for _ in range(steps):
        opt.zero_grad(); ((p - C) ** 2 * W).sum().backward(); opt.step(); out.append(p.detach().tolist())
    return out
print(json.dumps({
  'adam': run(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.99), weight_decay=0.1), 5),
  'adamw': run(lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.5), 5),
  'sgd': run(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), 5),
}))`;
  const ref = JSON.parse(
    runPythonFile(join(repoRoot, 'test', 'helpers', 'torch_safetensors.py'), [], script),
  ) as Record<string, number[][]>;
  const ours = {
    adam: runSteps((p) => new Adam([p], { lr: 0.01, betas: [0.9, 0.99], weightDecay: 0.1 }), 5),
    adamw: runSteps((p) => new AdamW([p], { lr: 0.01, weightDecay: 0.5 }), 5),
    sgd: runSteps((p) => new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }), 5),
  };
  for (const k of Object.keys(ours) as Array<keyof typeof ours>)
    ours[k].forEach((row, i) => closeArrays(row, ref[k]![i]!, 1e-13));
});

test('state is freed by dispose', () => {
  const p = Tensor.from([1, 2], [2], { dtype: 'float32', requiresGrad: true });
  const opt = new Adam([p]);
  const l = p.sum();
  l.backward();
  opt.step();
  const moments = Object.values(opt.stateDict().state[0]!).filter((v): v is Tensor => typeof v !== 'number');
  assert.equal(moments.length, 2);
  opt.dispose();
  assert.ok(moments.every((m) => m.isDisposed));
  l.dispose();
  p.dispose();
});
