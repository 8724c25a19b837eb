/**
 * Checks shared by the classification networks' tests. Random norm scales/shifts and running statistics (and any other named parameters), so that a swapped
 * name, channel or layer in a reference comparison shows in the outputs instead of hiding behind the
 * identity initialisation of norms (or a zero-initialised head).
 */
import assert from 'node:assert/strict';
import * as ve from '../../src/engine/index.js';
import type { AnyModule } from '../../src/engine/nn/module.js';
import type { Classifier } from '../../src/nets/classifier.js';

/** Perturbs every normalisation layer's parameters and statistics, and the parameters named in `also`. */
export function perturbNorms(net: AnyModule, also: readonly string[] = []): void {
  const state = net.stateDict();
  const norms = Object.keys(state)
    .filter((n) => n.endsWith('.running_mean'))
    .map((n) => n.slice(0, -'.running_mean'.length));
  ve.noGrad(() => {
    for (const [name, t] of Object.entries(state)) {
      const owner = name.slice(0, name.lastIndexOf('.'));
      if (norms.includes(owner) && /\.(weight|bias)$/.test(name))
        t.add_(ve.randn(t.shape, { dtype: t.dtype }).mul(0.2));
      if (name.endsWith('running_mean')) t.copy_(ve.randn(t.shape, { dtype: t.dtype }).mul(0.1));
      if (name.endsWith('running_var')) t.copy_(ve.rand(t.shape, { dtype: t.dtype }).add(0.5));
      if (also.some((a) => name === a || name.startsWith(`${a}.`)))
        t.add_(ve.randn(t.shape, { dtype: t.dtype }).mul(0.2));
    }
  });
}

/**
 * One training-mode forward pass of `x` and a cross-entropy backward for `targets`: asserts the logits'
 * shape (N, numClasses) and that every parameter receives a non-zero gradient.
 */
export function assertEveryParameterLearns(net: Classifier, x: ve.Tensor, targets: number[]): void {
  const logits = net.train().forward(x);
  assert.deepEqual(logits.shape, [x.shape[0], net.numClasses]);
  ve.crossEntropy(logits, ve.Tensor.from(targets, [targets.length], { dtype: 'int64' })).backward();
  const missing = net.namedParameters().filter(([, p]) => !p.grad || p.grad.abs().sum().item() === 0);
  assert.deepEqual(
    missing.map(([n]) => n),
    [],
    'parameters without a gradient',
  );
}
