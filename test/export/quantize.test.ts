import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { calibrate } from '../../src/export/calibrate.js';
import { calibrationWindows, evenlySpaced } from '../../src/export/calibration-data.js';
import { int8Graph, loadInt8Run, quantizeRun } from '../../src/export/quantize-run.js';
import { disposeGraph, runGraph } from '../../src/infer/graph/index.js';
import { Int8Model } from '../../src/infer/int8/model.js';
import { groupInputs } from '../../src/infer/predict.js';
import { UNet, type UNetOptions } from '../../src/nets/index.js';
import { loadRun } from '../../src/train/run-folder.js';
import { OptionError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';
import { writeBlobImage, writeTinyRun } from '../helpers/tiny-run.js';
import { tempDir } from '../helpers/tmp.js';

/** 10·log10(signal / noise) of b against the reference a. */
function sqnr(a: Tensor, b: Tensor): number {
  return ve.tidy(
    () => 10 * Math.log10((a.square().sum().item() as number) / (a.sub(b).square().sum().item() as number)),
  );
}

function windowsOf(shape: number[], count: number, seed: number): () => AsyncIterable<Tensor> {
  return async function* () {
    for (let i = 0; i < count; i++) {
      ve.manualSeed(seed + i);
      yield ve.randn(shape);
    }
  };
}

test('evenly spaced window picks cover first to last', () => {
  assert.deepEqual(evenlySpaced(10, 3), [0, 5, 9]);
  assert.deepEqual(evenlySpaced(3, 8), [0, 1, 2]);
  assert.deepEqual(evenlySpaced(5, 1), [2]);
});

const nets: Array<[string, UNetOptions, number[]]> = [
  ['2D instance norm', { spatialDims: 2, inChannels: 2, numClasses: 3, features: [8, 16, 32] }, [1, 2, 32, 32]],
  ['3D instance norm', { spatialDims: 3, inChannels: 1, numClasses: 2, features: [8, 16] }, [1, 1, 16, 16, 8]],
  [
    '2D batch norm (folded) + ReLU (fused), max-pool',
    {
      spatialDims: 2,
      inChannels: 1,
      numClasses: 2,
      features: [8, 16],
      norm: 'batch',
      activation: 'relu',
      downsampling: 'maxpool',
    },
    [1, 1, 32, 32],
  ],
  [
    '2D residual + group norm',
    { spatialDims: 2, inChannels: 1, numClasses: 2, features: [8, 16], residual: true, norm: 'group' },
    [1, 1, 32, 32],
  ],
  [
    '3D attention + resize-conv up-sampling',
    { spatialDims: 3, inChannels: 1, numClasses: 2, features: [8, 16], attention: true, upsampling: 'resize_conv' },
    [1, 1, 16, 16, 8],
  ],
];

for (const [name, options, shape] of nets) {
  test(`int8 runtime follows the float network (${name}); calibration is deterministic`, async () => {
    ve.manualSeed(11);
    const net = new UNet(options).eval();
    const graph = int8Graph({
      model: net,
      plan: { channels: ['a'], dimension: options.spatialDims === 3 ? '3d' : '2d' } as never,
    });
    const first = await calibrate(graph, windowsOf(shape, 3, 100));
    const again = await calibrate(graph, windowsOf(shape, 3, 100));
    assert.deepEqual(again.spec, first.spec, 'same windows, same parameters');
    assert.equal(first.windows, 3);
    const model = new Int8Model(graph, first.spec);
    const summary = model.summary();
    assert.ok(summary.int8 > 0);
    ve.tidy(() => {
      ve.manualSeed(100);
      const x = ve.randn(shape);
      const expected = ve.noGrad(() => net.logits(x));
      const [graphOut] = runGraph(graph, x);
      assert.ok(sqnr(expected, graphOut!) > 60, 'the folded graph is the network');
      const got = model.forward(x);
      assert.deepEqual(got.shape, expected.shape);
      const s = sqnr(expected, got);
      assert.ok(s > 15, `int8 logits SQNR ${s.toFixed(1)} dB`);
    });
    for (const node of first.nodes)
      if (node.sqnrDb !== null) assert.ok(node.sqnrDb > 10, `${node.module} ${node.op}: ${node.sqnrDb} dB`);
    model.dispose();
    disposeGraph(graph);
    net.dispose();
  });
}

test('a layer below the SQNR threshold stays float, and the record says why', async () => {
  ve.manualSeed(3);
  const net = new UNet({ spatialDims: 2, inChannels: 1, numClasses: 2, features: [4, 8] }).eval();
  const graph = int8Graph({ model: net, plan: { channels: ['a'], dimension: '2d' } as never });
  const result = await calibrate(graph, windowsOf([1, 1, 16, 16], 2, 7), { minSqnrDb: 1000 });
  assert.ok(Object.keys(result.spec.floatNodes).length > 0);
  for (const reason of Object.values(result.spec.floatNodes)) assert.match(reason, /SQNR .* dB below 1000 dB/);
  const model = new Int8Model(graph, result.spec);
  assert.equal(model.summary().int8, 0);
  // all float: the int8 runtime reproduces the network
  ve.tidy(() => {
    const x = ve.randn([1, 1, 16, 16]);
    assert.ok(
      sqnr(
        ve.noGrad(() => net.logits(x)),
        model.forward(x),
      ) > 60,
    );
  });
  model.dispose();
  disposeGraph(graph);
  net.dispose();
});

test('quantizing with an empty calibration set is a clear error', async () => {
  const dir = tempDir();
  const runDir = writeTinyRun(dir);
  await assert.rejects(
    quantizeRun(runDir, { calibration: [], out: join(dir, 'int8') }),
    (e: unknown) =>
      e instanceof OptionError && /calibration/.test(e.message) && /no calibration images/.test(e.message),
  );
  const run = loadRun(runDir);
  await assert.rejects(async () => {
    for await (const _ of calibrationWindows(run, [])) void _;
  }, /no calibration images/);
  run.model.dispose();
  const cli = runCli(['quantize', runDir, '-o', join(dir, 'int8')]);
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /--calibration: no calibration images/);
  assert.equal(cli.stderr.trim().split('\n').length, 1, 'one line');
});

test('vesalius quantize writes an int8 run that predict uses; calibration windows come from the images', async () => {
  const dir = tempDir();
  const runDir = writeTinyRun(dir, { dims: 3, features: [4, 8] });
  const images = await Promise.all([0, 1].map((i) => writeBlobImage(dir, `c${i}.nii.gz`, 3, i)));
  const run = loadRun(runDir);
  const inputs = groupInputs(images, 1);
  const shapes: number[][] = [];
  for await (const w of calibrationWindows(run, inputs, { windowsPerImage: 3 })) {
    shapes.push(w.shape);
    w.dispose();
  }
  run.model.dispose();
  assert.equal(shapes.length, 6);
  for (const s of shapes) assert.deepEqual(s, [1, 1, 8, 16, 16]);

  const out = join(dir, 'int8');
  const r = runCli(['quantize', runDir, '--calibration', ...images, '-o', out, '--windows', '2', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const record = JSON.parse(readFileSync(join(out, 'quantization.json'), 'utf8'));
  assert.equal(record.format, 'vesalius-int8-1');
  assert.equal(record.engine, 'onednn');
  assert.equal(record.calibration.windows, 4);
  assert.equal(record.agreement.images, 2);
  assert.ok(record.summary.int8_nodes > 0);
  assert.ok(existsSync(join(out, 'checkpoints', 'best.safetensors')));
  const loaded = loadInt8Run(out);
  assert.equal(loaded.model.summary().int8, record.summary.int8_nodes);
  loaded.dispose();
  const p = runCli(['predict', out, images[0]!, '-o', join(dir, 'pred'), '--no-tta']);
  assert.equal(p.status, 0, p.stderr);
  assert.ok(existsSync(join(dir, 'pred', 'c0.nii.gz')));
  await assert.rejects(quantizeRun(runDir, { calibration: [images[0]!], out }), /already holds a run/);
});
