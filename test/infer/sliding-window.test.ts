import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { defaultWindowBatch, mirrorCombinations, slidingWindowInference } from '../../src/infer/sliding-window.js';
import { WindowAccumulator } from '../../src/infer/windows.js';
import { PointwiseModel } from '../helpers/pointwise-model.js';
import { collectGarbage } from '../helpers/gc.js';

const seeded = (seed: number, shape: number[]) => {
  ve.manualSeed(seed);
  return ve.randn(shape);
};

function pointwise(channels: number, classes: number, offsetPatch?: number[], seed = 1): PointwiseModel {
  const weight = seeded(seed, [classes, channels]);
  const bias = seeded(seed + 1, [classes]);
  const offset = offsetPatch ? seeded(seed + 2, [1, classes, ...offsetPatch]).mul(2) : undefined;
  return new PointwiseModel(weight, bias, offset);
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return a.sub(b).abs().max().item();
}

test('mirror combinations: every subset of the axes, the identity first', () => {
  assert.deepEqual(mirrorCombinations([]), [[]]);
  assert.deepEqual(mirrorCombinations([0, 2]), [[], [0], [2], [0, 2]]);
  assert.equal(mirrorCombinations([0, 1, 2]).length, 8);
});

test('a 1×1 convolution stitched from windows equals softmax of the whole image (2D and 3D, odd sizes)', async () => {
  for (const [shape, patch] of [
    [
      [1, 2, 37, 50],
      [16, 24],
    ],
    [
      [1, 3, 11, 20, 17],
      [8, 8, 8],
    ],
  ] as Array<[number[], number[]]>) {
    const model = pointwise(shape[1]!, 3);
    const x = seeded(7, shape);
    const direct = ve.softmax(model.forward(x) as Tensor, 1);
    for (const batchSize of [1, 3]) {
      const out = await slidingWindowInference(model, x, { patchSize: patch, batchSize });
      assert.ok(maxAbsDiff(out, direct) < 1e-5, `shape ${shape}, batch ${batchSize}`);
    }
    const sum = (await slidingWindowInference(model, x, { patchSize: patch })).sum({ dim: 1 });
    assert.ok(sum.sub(1).abs().max().item() < 1e-5, 'probabilities sum to 1');
  }
});

test('Gaussian weighting and its normalisation match the independent per-voxel accumulator', async () => {
  // Position-dependent offsets make every window disagree, so the weighting decides the result.
  const imageShape = [29, 21]; // i, j
  const patch = [8, 12]; // tensor order H, W  (image order [12, 8])
  const model = pointwise(2, 3, patch);
  const x = seeded(3, [1, 2, imageShape[1]!, imageShape[0]!]);
  for (const gaussian of [true, false]) {
    const acc = new WindowAccumulator(imageShape, [...patch].reverse(), 3, { overlap: 0.5, gaussian });
    for (const start of acc.tiling.imageStarts) {
      const crop = x.narrow(2, start[1]!, patch[0]!).narrow(3, start[0]!, patch[1]!);
      acc.add(
        start,
        ve
          .softmax(model.forward(crop) as Tensor, 1)
          .contiguous()
          .toArray() as Float32Array,
      );
    }
    const expected = ve.Tensor.from(acc.result(), [1, 3, imageShape[1]!, imageShape[0]!]);
    const out = await slidingWindowInference(model, x, { patchSize: patch, gaussian, batchSize: 4 });
    assert.ok(maxAbsDiff(out, expected) < 1e-5, `gaussian ${gaussian}`);
  }
});

test('constant predictions come back exactly, whatever the weights (normalisation divides by the weight sum)', async () => {
  const weight = ve.zeros([2, 1]);
  const bias = ve.Tensor.from(new Float32Array([0.3, -1.1]));
  const model = new PointwiseModel(weight, bias);
  const out = await slidingWindowInference(model, ve.randn([1, 1, 9, 40, 23]), { patchSize: [4, 16, 8], overlap: 0.5 });
  const p1 = 1 / (1 + Math.exp(0.3 + 1.1)); // softmax([0.3, -1.1])[1]
  const values = out.toArray() as Float32Array;
  const n = values.length / 2;
  for (let v = 0; v < n; v++) {
    assert.ok(Math.abs(values[v]! - (1 - p1)) < 1e-6 && Math.abs(values[n + v]! - p1) < 1e-6);
  }
});

test('mirroring: a flip-equivariant model is unchanged; a position-dependent one equals the hand-averaged flips', async () => {
  const x = seeded(5, [1, 2, 8, 12, 10]);
  const equivariant = pointwise(2, 3);
  const plain = await slidingWindowInference(equivariant, x, { patchSize: [8, 8, 8] });
  const mirrored = await slidingWindowInference(equivariant, x, { patchSize: [8, 8, 8], mirror: true });
  assert.ok(maxAbsDiff(plain, mirrored) < 1e-5);

  // One window covering the whole image: Gaussian weights cancel, leaving the plain flip average.
  const patch = [8, 12, 10];
  const model = pointwise(2, 3, patch);
  for (const mirror of [true, [0, 2]] as Array<true | number[]>) {
    const axes = mirror === true ? [0, 1, 2] : mirror;
    let sum = ve.zeros([1, 3, ...patch]);
    for (const combo of mirrorCombinations(axes)) {
      const dims = combo.map((a) => a + 2);
      const xi = dims.length ? ve.flip(x, dims) : x;
      let p = ve.softmax(model.forward(xi) as Tensor, 1);
      if (dims.length) p = ve.flip(p, dims);
      sum = sum.add(p);
    }
    const expected = sum.div(2 ** axes.length);
    const out = await slidingWindowInference(model, x, { patchSize: patch, mirror });
    assert.ok(maxAbsDiff(out, expected) < 1e-5, `mirror ${JSON.stringify(mirror)}`);
    const noMirror = await slidingWindowInference(model, x, { patchSize: patch });
    assert.ok(
      maxAbsDiff(noMirror, expected) > 1e-3,
      'the offset model is not flip-invariant, so mirroring must change it',
    );
  }
});

test('an input smaller than the patch is zero-padded (half before) and cropped back', async () => {
  const x = seeded(9, [1, 1, 5, 7]);
  const patch = [8, 12];
  const equivariant = pointwise(1, 2);
  const direct = ve.softmax(equivariant.forward(x) as Tensor, 1);
  assert.ok(maxAbsDiff(await slidingWindowInference(equivariant, x, { patchSize: patch }), direct) < 1e-5);
  // With position offsets, the result is the padded image's window cropped at (floor(3/2), floor(5/2)).
  const model = pointwise(1, 2, patch);
  const paddedInput = ve.pad(x, [2, 3, 1, 2]);
  const expected = ve
    .softmax(model.forward(paddedInput) as Tensor, 1)
    .narrow(2, 1, 5)
    .narrow(3, 2, 7);
  assert.ok(maxAbsDiff(await slidingWindowInference(model, x, { patchSize: patch }), expected) < 1e-5);
  // mixed: one axis padded, the other tiled
  const tall = seeded(10, [1, 1, 30, 7]);
  const out = await slidingWindowInference(equivariant, tall, { patchSize: patch, batchSize: 2 });
  assert.ok(maxAbsDiff(out, ve.softmax(equivariant.forward(tall) as Tensor, 1)) < 1e-5);
});

test('deep-supervision outputs (arrays) use the first; training mode is restored; bad options are named', async () => {
  const base = pointwise(1, 2);
  const listModel = new PointwiseModel(base.weight, base.bias, undefined, true);
  const x = seeded(11, [1, 1, 16, 16]);
  listModel.train();
  const out = await slidingWindowInference(listModel, x, { patchSize: [8, 8] });
  assert.ok(maxAbsDiff(out, ve.softmax(base.forward(x) as Tensor, 1)) < 1e-5);
  assert.equal(listModel.training, true);
  listModel.eval();
  await slidingWindowInference(listModel, x, { patchSize: [8, 8] });
  assert.equal(listModel.training, false);
  await assert.rejects(slidingWindowInference(listModel, x, { patchSize: [8, 8, 8] }), /patch_size/);
  await assert.rejects(slidingWindowInference(listModel, x, { patchSize: [8, 8], mirror: [2] }), /mirror/);
  await assert.rejects(slidingWindowInference(listModel, x, { patchSize: [8, 8], batchSize: 0 }), /batch_size/);
  await assert.rejects(slidingWindowInference(listModel, ve.randn([2, 1, 8, 8]), { patchSize: [8, 8] }), /\[1, C/);
});

test('no tensors leak: only the result stays alive', async () => {
  const model = pointwise(2, 3);
  const x = seeded(12, [1, 2, 20, 20]);
  await collectGarbage();
  const before = ve.memoryStats().liveTensors;
  const out = await slidingWindowInference(model, x, { patchSize: [8, 8], mirror: true, batchSize: 3 });
  assert.equal(ve.memoryStats().liveTensors, before + 1);
  out.dispose();
});

test('predict batches small 2D windows by 8 and runs 3D and large 2D windows one at a time', () => {
  assert.equal(defaultWindowBatch([96, 96]), 8);
  assert.equal(defaultWindowBatch([256, 256]), 8);
  assert.equal(defaultWindowBatch([512, 512]), 1);
  assert.equal(defaultWindowBatch([64, 64, 32]), 1);
});
