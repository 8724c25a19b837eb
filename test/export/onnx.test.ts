import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import type { AnyModule } from '../../src/engine/nn/module.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { decodeModel } from '../../src/export/onnx/builder.js';
import { exportRun } from '../../src/export/onnx/export-run.js';
import { graphToOnnx } from '../../src/export/onnx/model.js';
import { quantizeRun } from '../../src/export/quantize-run.js';
import { predictCase } from '../../src/infer/predict.js';
import { loadRun } from '../../src/train/run-folder.js';
import { disposeGraph, toGraph, UnsupportedLayerError } from '../../src/infer/graph/index.js';
import { OnnxWindowModel } from '../../src/infer/onnx-runtime.js';
import { readImage } from '../../src/io/read.js';
import { ResNet, UNet, type UNetOptions } from '../../src/nets/index.js';
import { runCli } from '../helpers/cli.js';
import { writeBlobImage, writeTinyRun } from '../helpers/tiny-run.js';
import { tempDir } from '../helpers/tmp.js';

async function maxDifference(net: AnyModule, dims: 2 | 3, inChannels: number, numClasses: number, shapes: number[][]) {
  const graph = toGraph(net, { inChannels, spatialDims: dims });
  const bytes = graphToOnnx(graph, { numClasses });
  disposeGraph(graph);
  const ort = await OnnxWindowModel.create(bytes, { threads: 1 });
  let worst = 0;
  try {
    for (const shape of shapes) {
      const x = ve.randn(shape);
      const expected = ve.noGrad(() => net.forward(x) as Tensor);
      const got = await ort.forwardAsync(x);
      assert.deepEqual(got.shape, expected.shape);
      worst = Math.max(
        worst,
        ve.tidy(() => got.sub(expected).abs().max().item() as number),
      );
      ve.dispose([x, expected, got]);
    }
  } finally {
    await ort.dispose();
  }
  return worst;
}

const unets: Array<[string, UNetOptions, number[][]]> = [
  [
    '2D plain, two input sizes',
    { spatialDims: 2, inChannels: 3, numClasses: 2, features: [8, 16, 32] },
    [
      [1, 3, 32, 48],
      [2, 3, 16, 16],
    ],
  ],
  [
    '3D plain',
    { spatialDims: 3, inChannels: 1, numClasses: 3, features: [4, 8, 16] },
    [
      [1, 1, 16, 16, 8],
      [1, 1, 8, 12, 16],
    ],
  ],
  [
    '3D attention, resize-conv (browser-safe)',
    { spatialDims: 3, inChannels: 2, numClasses: 2, features: [4, 8], attention: true, upsampling: 'resize_conv' },
    [[1, 2, 8, 8, 8]],
  ],
  [
    '2D residual + group norm',
    { spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8], residual: true, norm: 'group' },
    [[1, 1, 16, 24]],
  ],
  [
    '2D batch norm, max-pool, ReLU',
    {
      spatialDims: 2,
      inChannels: 1,
      numClasses: 2,
      features: [4, 8],
      norm: 'batch',
      activation: 'relu',
      downsampling: 'maxpool',
    },
    [[1, 1, 16, 16]],
  ],
];

for (const [name, options, shapes] of unets) {
  test(`ONNX Runtime gives the engine's U-Net logits to 1e-4 (${name})`, async () => {
    ve.manualSeed(2);
    const net = new UNet(options).eval();
    for (const [k, t] of Object.entries(net.stateDict()))
      if (k.endsWith('running_var')) ve.noGrad(() => t.copy_(ve.rand(t.shape).add(0.5)));
    const diff = await maxDifference(net, options.spatialDims, options.inChannels, options.numClasses, shapes);
    assert.ok(diff < 1e-4, `max |Δlogit| ${diff}`);
    net.dispose();
  });
}

for (const [name, dims, depth, shape] of [
  ['ResNet-18 2D (small stem)', 2, 18, [2, 3, 28, 28]],
  ['ResNet-50 3D (bottleneck, ImageNet stem)', 3, 50, [1, 1, 32, 32, 32]],
] as Array<[string, 2 | 3, 18 | 50, number[]]>) {
  test(`ONNX Runtime gives the engine's classifier logits to 1e-4 (${name})`, async () => {
    ve.manualSeed(3);
    const net = new ResNet({
      depth,
      spatialDims: dims,
      inChannels: shape[1]!,
      numClasses: 5,
      stem: dims === 2 ? 'small' : 'imagenet',
      widths: [4, 8, 8, 16],
    }).eval();
    for (const [k, t] of Object.entries(net.stateDict()))
      if (k.endsWith('running_mean')) ve.noGrad(() => t.copy_(ve.randn(t.shape).mul(0.1)));
    const diff = await maxDifference(net, dims, shape[1]!, 5, [shape]);
    assert.ok(diff < 1e-4, `max |Δlogit| ${diff}`);
    net.dispose();
  });
}

test('vesalius export: model + sidecar; predict model.onnx and predict --runtime onnx match the engine; the int8 run exports as QDQ', async () => {
  const dir = tempDir();
  const runDir = writeTinyRun(dir, { dims: 2, features: [4, 8] });
  const image = await writeBlobImage(dir, 'scan.nii.gz', 2);
  const model = join(dir, 'model.onnx');
  const r = runCli(['export', runDir, '-o', model, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.ok(summary.parity.max_abs_difference < 1e-4);
  const sidecar = JSON.parse(readFileSync(`${model}.json`, 'utf8'));
  assert.equal(sidecar.format, 'vesalius-onnx-pipeline-1');
  assert.equal(sidecar.opset, 17);
  assert.deepEqual(sidecar.input.channels, ['MR0']);
  assert.deepEqual(sidecar.inference.patch_size, [16, 16]);
  assert.deepEqual(sidecar.inference.mirroring_axes, [2, 3]);
  assert.deepEqual(sidecar.input.divisible_by, [2, 2]);
  assert.deepEqual(sidecar.output.classes, [
    { name: 'background', value: 0 },
    { name: 'blob', value: 1 },
  ]);
  assert.equal(sidecar.preprocessing.normalization[0].scheme, 'zscore');
  const decoded = decodeModel(readFileSync(model));
  assert.equal(Number(decoded.opsetImport[0]!.version), 17);
  const input = decoded.graph!.input![0]!;
  const dimsOf = input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
  assert.deepEqual(dimsOf, ['batch', 1, 'height', 'width']);
  assert.ok(decoded.graph!.initializer!.some((t) => t.name === 'encoder.stages.0.0.convs.0.conv.weight'));

  const run = loadRun(runDir);
  const engine = (await predictCase(run, { id: 'scan', files: [image] }, { tta: true, probabilities: true }))
    .probabilities!;
  run.model.dispose();
  for (const [out, from, extra] of [
    ['file', model, []],
    ['runtime', runDir, ['--runtime', 'onnx']],
  ] as Array<[string, string, string[]]>) {
    const p = runCli(['predict', from, image, '-o', join(dir, out), '--probabilities', ...extra]);
    assert.equal(p.status, 0, p.stderr);
    const other = await readImage(join(dir, out, 'probabilities', 'scan.nii.gz'));
    let worst = 0;
    for (let v = 0; v < engine.data.length; v++) worst = Math.max(worst, Math.abs(engine.data[v]! - other.data[v]!));
    assert.ok(worst < 1e-4, `${out}: probabilities differ by ${worst}`);
  }

  const int8 = join(dir, 'int8');
  await quantizeRun(runDir, { calibration: [image], out: int8, windowsPerImage: 2 });
  const qdqPath = join(dir, 'model.int8.onnx');
  const qdq = (await exportRun(int8, qdqPath)).sidecarData;
  assert.equal(qdq.precision, 'int8-qdq');
  const graph = decodeModel(readFileSync(qdqPath)).graph!;
  const ops = new Set(graph.node!.map((n) => n.opType));
  assert.ok(ops.has('QuantizeLinear') && ops.has('DequantizeLinear'));
  assert.ok(
    graph.initializer!.some((t) => t.name === 'encoder.stages.0.0.convs.0.conv.weight.int8'),
    'int8 weights',
  );
  // ONNX Runtime's int8 kernels and libtorch's round differently: close, not equal
  assert.ok(qdq.parity!.max_abs_difference < 0.5 * qdq.parity!.max_abs_logit, JSON.stringify(qdq.parity));
});

test('export names what it cannot express: a layer without a form, and 3-D transposed convolution when browser-safe', async () => {
  const dir = tempDir();
  const runDir = writeTinyRun(dir, { dims: 3, features: [4, 8] });
  const r = runCli(['export', runDir, '-o', join(dir, 'm.onnx'), '--browser-safe', '--no-check']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /decoder\.transpconvs\.0 \(ConvTranspose\): not browser-safe: 3-D transposed convolution/);
  const safeRun = writeTinyRun(join(dir, 'safe'), {
    dims: 3,
    features: [4, 8],
    network: { upsampling: 'resize_conv' },
  });
  const ok = runCli(['export', safeRun, '-o', join(dir, 'safe.onnx'), '--browser-safe', '--no-check']);
  assert.equal(ok.status, 0, ok.stderr);
  // an operator with no ONNX form is named with its layer
  const net = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8] });
  const graph = toGraph(net, { inChannels: 1, spatialDims: 2 });
  graph.nodes[3] = { ...graph.nodes[3]!, op: 'Mystery' };
  assert.throws(
    () => graphToOnnx(graph, { numClasses: 2 }),
    (e: unknown) =>
      e instanceof UnsupportedLayerError && /encoder\.stages\.0\.0\.convs\.1\.conv \(Mystery\)/.test(e.message),
  );
  disposeGraph(graph);
  net.dispose();
});
