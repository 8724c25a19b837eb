// A tiny U-Net must be able to fit a tiny batch: the loss falls by a large factor within a few
// dozen Adam steps (2D with deep supervision, and 3D). This is the end-to-end check that the network,
// the losses and autograd work together.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { Adam } from '../../src/engine/optim/index.js';
import { DeepSupervisionLoss, DiceCELoss } from '../../src/losses/index.js';
import { UNet, type UNetOptions } from '../../src/nets/index.js';

/** Discs (2D) or balls (3D) of different centres and radii, one per sample, as a (N, 1, ...) label map. */
function blobs(dims: 2 | 3, n: number, size: number): ve.Tensor {
  const voxels = size ** dims;
  const data = new Float32Array(n * voxels);
  for (let b = 0; b < n; b++) {
    const c = [size * (0.4 + 0.2 * b), size * (0.55 - 0.1 * b), size * 0.5],
      r = size * (0.3 - 0.05 * b);
    for (let v = 0; v < voxels; v++) {
      const idx = [v % size, Math.floor(v / size) % size, Math.floor(v / size ** 2)];
      let d2 = 0;
      for (let a = 0; a < dims; a++) d2 += (idx[a]! - c[a]!) ** 2;
      data[b * voxels + v] = d2 < r * r ? 1 : 0;
    }
  }
  return ve.tensor(data, [n, 1, ...new Array<number>(dims).fill(size)]);
}

// One intra-op thread: these ops are tiny, and a second thread only adds synchronisation, which on a
// machine shared with other jobs costs far more than the work (measured: 150 ms instead of 5 ms a step).
ve.setNumThreads(1);

function fit(options: UNetOptions, labels: ve.Tensor, steps: number): { first: number; last: number } {
  ve.manualSeed(11);
  const net = new UNet(options);
  // the image is the label plus noise: learnable, but not by the identity
  const x = ve.tidy(() => labels.mul(2).sub(1).add(ve.randn(labels.shape).mul(0.5)));
  const loss = new DeepSupervisionLoss(new DiceCELoss());
  const opt = new Adam(net.parameters(), { lr: 1e-2 });
  const values: number[] = [];
  for (let s = 0; s < steps; s++) {
    values.push(
      ve.tidy(() => {
        opt.zeroGrad();
        const l = loss.forward(net.forward(x), labels);
        l.backward();
        opt.step();
        return l.item();
      }),
    );
  }
  return { first: values[0]!, last: values.at(-1)! };
}

test('2D U-Net with deep supervision overfits two 16×16 images (loss ÷ 10 in 50 steps)', () => {
  const { first, last } = fit(
    { spatialDims: 2, inChannels: 1, numClasses: 2, features: [8, 16, 32], deepSupervision: true },
    blobs(2, 2, 16),
    50,
  );
  assert.ok(last < first / 10, `loss ${first} → ${last}`);
});

test('3D residual U-Net overfits one 8³ volume (loss ÷ 5 in 40 steps)', () => {
  const { first, last } = fit(
    { spatialDims: 3, inChannels: 1, numClasses: 2, features: [8, 16], residual: true, blocksPerStage: 1 },
    blobs(3, 1, 8),
    40,
  );
  assert.ok(last < first / 5, `loss ${first} → ${last}`);
});
