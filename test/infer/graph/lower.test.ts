import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../../src/engine/index.js';
import { Module } from '../../../src/engine/nn/module.js';
import type { Sequential } from '../../../src/engine/nn/index.js';
import type { Tensor } from '../../../src/engine/tensor.js';
import { runGraph, toGraph, UnsupportedLayerError } from '../../../src/infer/graph/index.js';
import { UNet, type UNetOptions } from '../../../src/nets/index.js';

function maxRelDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return ve.tidy(() => a.sub(b).abs().max().item() / Math.max(1e-12, b.abs().max().item()));
}

const variants: Array<[string, UNetOptions, number[]]> = [
  ['plain 2D', { spatialDims: 2, inChannels: 3, numClasses: 2, features: [8, 16, 32] }, [2, 3, 32, 24]],
  [
    'maxpool + batch norm + relu 2D',
    {
      spatialDims: 2,
      inChannels: 1,
      numClasses: 3,
      features: [8, 16],
      downsampling: 'maxpool',
      norm: 'batch',
      activation: 'relu',
    },
    [1, 1, 16, 16],
  ],
  [
    'residual + group norm 3D',
    { spatialDims: 3, inChannels: 2, numClasses: 2, features: [8, 16], residual: true, norm: 'group' },
    [1, 2, 8, 8, 12],
  ],
  [
    'attention 3D',
    { spatialDims: 3, inChannels: 1, numClasses: 2, features: [4, 8, 16], attention: true },
    [1, 1, 8, 16, 8],
  ],
  [
    'dropout + deep supervision 2D',
    { spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8, 8], dropout: 0.3, deepSupervision: true },
    [1, 1, 16, 16],
  ],
];

for (const [name, options, shape] of variants) {
  test(`the float graph of a U-Net equals its forward in eval mode (${name}), at any input size`, () => {
    ve.manualSeed(3);
    const net = new UNet(options).eval();
    // batch norm with non-trivial running statistics
    for (const [key, t] of Object.entries(net.stateDict()))
      if (key.endsWith('running_mean') || key.endsWith('running_var'))
        ve.noGrad(() => t.copy_(ve.rand(t.shape).add(0.5)));
    const graph = toGraph(net, { inChannels: options.inChannels, spatialDims: options.spatialDims });
    for (const s of [shape, shape.map((d, i) => (i < 2 ? d : d * 2))]) {
      ve.tidy(() => {
        const x = ve.randn(s);
        const expected = ve.noGrad(() => net.forward(x) as Tensor);
        const [out] = runGraph(graph, x);
        assert.ok(maxRelDiff(out!, expected) < 1e-5, `${name} at [${s.join(', ')}]`);
      });
    }
    net.dispose();
  });
}

test('graph weights are the model tensors under their state-dict names', () => {
  const net = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8] });
  const graph = toGraph(net, { inChannels: 1, spatialDims: 2 });
  const state = net.stateDict();
  for (const [key, t] of graph.initializers) if (key in state) assert.equal(t, state[key]);
  assert.ok(graph.initializers.has('decoder.seg_layers.0.weight'));
  assert.ok(graph.initializers.has('encoder.stages.1.0.convs.0.conv.weight'));
  assert.deepEqual(graph.outputs, ['logits']);
  net.dispose();
});

class Mystery extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

test('a layer without a graph form is named by its path and class', () => {
  const net = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8] });
  (net.encoder.stages.at(1) as Sequential).append(new Mystery());
  assert.throws(
    () => toGraph(net, { inChannels: 1, spatialDims: 2 }),
    (e: unknown) => e instanceof UnsupportedLayerError && /encoder\.stages\.1\.1 \(Mystery\)/.test(e.message),
  );
  net.dispose();
});
