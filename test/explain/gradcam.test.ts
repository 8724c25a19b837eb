// Grad-CAM and Grad-CAM++ against hand-computed values on a small network whose gradients are known in
// closed form (classification and segmentation with a region), and where the answer is known: a tiny
// ResNet trained on "is there a bright blob?" (one blob in a random quadrant (2D) / octant (3D) of each
// positive image, none in the negatives) puts the heatmap's maximum in the blob's quadrant/octant;
// occlusion sensitivity agrees. The capturing wrapper leaves the layer as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';
import { Conv, Linear } from '../../src/engine/nn/index.js';
import { Module } from '../../src/engine/nn/module.js';
import { gradCam } from '../../src/explain/gradcam.js';
import { occlusionSensitivity } from '../../src/explain/occlusion.js';
import { ResNet } from '../../src/nets/resnet.js';
import { Random } from '../../src/util/random.js';

ve.setNumThreads(2);

/** x → A = conv1×1(x) (2 channels: a0·x, a1·x) → global mean → linear W (no bias); or, segmenting, a 1×1 head W. */
class HandNet extends Module {
  readonly features: Conv;
  readonly fc: Linear;
  constructor(
    readonly a: [number, number],
    readonly w: number[][],
    readonly segment = false,
  ) {
    super();
    this.features = this.registerModule('features', new Conv(2, 1, 2, 1, { bias: false }));
    this.fc = this.registerModule('fc', new Linear(2, 2, { bias: false }));
    ve.noGrad(() => {
      this.features.weight.copy_(ve.Tensor.from(a, [2, 1, 1, 1]));
      this.fc.weight.copy_(ve.Tensor.from(w.flat(), [2, 2]));
    });
  }
  forward(x: ve.Tensor): ve.Tensor {
    const a = this.features.forward(x);
    if (this.segment) return ve.conv2d(a, this.fc.weight.reshape([2, 2, 1, 1]));
    return this.fc.forward(a.mean({ dim: [2, 3] }));
  }
}

const X = [0.5, -1, 2, 1, 3, 0, -0.5, 1.5, 1]; // 3×3 input
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-5, `${what}: ${a} vs ${b}`);

test('Grad-CAM and Grad-CAM++ equal their closed forms on a hand-computed network', () => {
  const a: [number, number] = [2, -1];
  const w = [
    [0.5, 1.5],
    [1, -2],
  ];
  const net = new HandNet(a, w);
  const x = ve.Tensor.from(X, [1, 1, 3, 3]);
  const sumX = X.reduce((s, v) => s + v, 0);
  for (const c of [0, 1]) {
    // S = Σ_k W[c][k]·mean(a_k·x) → dS/dA_k = W[c][k]/9 everywhere; Grad-CAM weight w_k = W[c][k]/9
    const r = gradCam(net, x, { layer: 'features', classIndex: c });
    const slope = (w[c]![0]! * a[0] + w[c]![1]! * a[1]) / 9;
    r.map.forEach((v, i) => close(v, Math.max(0, slope * X[i]!), `Grad-CAM class ${c} pixel ${i}`));
    close(r.score, (w[c]![0]! * a[0] * sumX + w[c]![1]! * a[1] * sumX) / 9, 'score');
    // Grad-CAM++: g_k = W[c][k]/9; α_k = g²/(2g² + ΣA_k·g³); w_k = 9·α_k·ReLU(g_k)
    const weights = [0, 1].map((k) => {
      const g = w[c]![k]! / 9;
      const sumA = a[k]! * sumX;
      const den = 2 * g * g + sumA * g ** 3;
      return den === 0 ? 0 : 9 * ((g * g) / den) * Math.max(0, g);
    });
    const pp = gradCam(net, x, { layer: 'features', classIndex: c, method: 'gradcam++' });
    pp.map.forEach((v, i) =>
      close(v, Math.max(0, X[i]! * (weights[0]! * a[0] + weights[1]! * a[1])), `Grad-CAM++ class ${c} pixel ${i}`),
    );
  }
  // the default class is the predicted one; the layer's forward is restored afterwards
  const predicted = ve.argmax(net.forward(x), { dim: 1 }).item();
  assert.equal(gradCam(net, x, { layer: 'features' }).classIndex, predicted);
  assert.ok(!Object.hasOwn(net.features, 'forward'));
  assert.throws(
    () => gradCam(net, x, { layer: 'layer9' }),
    /layer: 'layer9' is not a layer of HandNet \(layers: features, fc\)/,
  );
  assert.throws(() => gradCam(net, x, { layer: 'features', classIndex: 5 }), /class: must be a class index in 0..1/);
});

test('segmentation Grad-CAM: the class logits summed over a region', () => {
  const a: [number, number] = [1, 3];
  const w = [
    [2, -1],
    [0.5, 1],
  ];
  const net = new HandNet(a, w, true);
  const x = ve.Tensor.from(X, [1, 1, 3, 3]);
  const region = ve.Tensor.from([1, 1, 0, 1, 0, 0, 0, 0, 0], [1, 3, 3]);
  // S = Σ_{p∈R} Σ_k W[1][k]·A_k(p) → dS/dA_k = W[1][k]·R(p); Grad-CAM weight = W[1][k]·|R|/9
  const r = gradCam(net, x, { layer: 'features', classIndex: 1, region });
  const slope = ((w[1]![0]! * a[0] + w[1]![1]! * a[1]) * 3) / 9;
  r.map.forEach((v, i) => close(v, Math.max(0, slope * X[i]!), `pixel ${i}`));
  close(r.score, (w[1]![0]! * a[0] + w[1]![1]! * a[1]) * (X[0]! + X[1]! + X[3]!), 'score');
});

/**
 * Noisy images; every other one (label 1) has one bright blob, in a random quadrant/octant (`region`,
 * bit a set when the centre is in the upper half of tensor axis a); the others have none. The class is
 * decided by the blob alone, so the evidence for class 1 is where the blob is.
 */
function blobData(
  n: number,
  size: number,
  dims: 2 | 3,
  rng: Random,
): { x: Float32Array; y: number[]; region: number[] } {
  const per = size ** dims;
  const x = new Float32Array(n * per);
  const y: number[] = [];
  const region: number[] = [];
  const half = size / 2;
  for (let s = 0; s < n; s++) {
    const label = s % 2 === 0 ? 1 : 0;
    y.push(label);
    const r = rng.int(2 ** dims);
    region.push(label ? r : -1);
    const centre = Array.from({ length: dims }, (_, a) => ((r >> a) & 1) * half + 1 + rng.int(half - 2) + 0.5);
    const idx = new Array<number>(dims).fill(0);
    for (let v = 0; v < per; v++) {
      let rest = v;
      for (let a = dims - 1; a >= 0; a--) {
        idx[a] = rest % size;
        rest = Math.floor(rest / size);
      }
      const inside = label === 1 && idx.reduce((acc, i, a) => acc + (i - centre[a]!) ** 2, 0) <= 2.5;
      x[s * per + v] = 0.3 * rng.normal() + (inside ? 3 : 0);
    }
  }
  return { x, y, region };
}

function trainBlobNet(dims: 2 | 3, size: number, steps: number): ResNet {
  ve.manualSeed(1);
  const net = new ResNet({
    depth: 18,
    spatialDims: dims,
    inChannels: 1,
    numClasses: 2,
    stem: 'small',
    widths: [4, 8, 8, 8],
  });
  const opt = new ve.optim.Adam(net.parameters(), { lr: 0.01 });
  const rng = new Random(2);
  for (let step = 0; step < steps; step++) {
    const { x, y } = blobData(dims === 3 ? 8 : 16, size, dims, rng);
    ve.tidy(() => {
      opt.zeroGrad();
      const n = y.length;
      const logits = net.forward(ve.Tensor.from(x, [n, 1, ...new Array<number>(dims).fill(size)]));
      const loss = ve.crossEntropy(logits, ve.Tensor.from(y, [n], { dtype: 'int64' }));
      loss.backward();
      opt.step();
    });
  }
  opt.dispose();
  return net.eval();
}

/** Index (quadrant/octant number, bit a set when in the upper half of tensor axis a) of the map's maximum. */
function regionOfMax(map: Float32Array, size: number, dims: number): number {
  let best = 0;
  for (let v = 1; v < map.length; v++) if (map[v]! > map[best]!) best = v;
  let region = 0;
  for (let a = 0; a < dims; a++) if (Math.floor(best / size ** (dims - 1 - a)) % size >= size / 2) region |= 1 << a;
  return region;
}

test('2D: the heatmaps of a network trained on "is there a blob?" peak in the blob\'s quadrant', () => {
  const net = trainBlobNet(2, 16, 60);
  const { x, y, region } = blobData(16, 16, 2, new Random(99));
  const hits: Record<string, number> = {};
  let positives = 0;
  for (let s = 0; s < 16; s++) {
    if (y[s] !== 1) continue;
    positives++;
    const input = ve.Tensor.from(x.subarray(s * 256, (s + 1) * 256), [1, 1, 16, 16]);
    // layer3 is 4×4 and layer4 2×2 at 16² (the small stem keeps 16² up to layer1)
    for (const layer of ['layer3', 'layer4'])
      for (const method of ['gradcam', 'gradcam++'] as const) {
        const r = gradCam(net, input, { layer, method, classIndex: 1 });
        assert.deepEqual(r.shape, [16, 16]);
        if (regionOfMax(r.map, 16, 2) === region[s]) hits[`${layer} ${method}`] = (hits[`${layer} ${method}`] ?? 0) + 1;
      }
    const o = occlusionSensitivity(net, input, { classIndex: 1, window: 4, stride: 2 });
    if (regionOfMax(o.map, 16, 2) === region[s]) hits.occlusion = (hits.occlusion ?? 0) + 1;
  }
  assert.equal(positives, 8);
  for (const key of ['layer3 gradcam', 'layer3 gradcam++', 'layer4 gradcam', 'layer4 gradcam++', 'occlusion'])
    assert.equal(hits[key], positives, `${key}: maxima in the blob's quadrant for ${hits[key] ?? 0} of ${positives}`);
});

test('3D: the heatmaps of a network trained on "is there a blob?" peak in the blob\'s octant', () => {
  const net = trainBlobNet(3, 16, 40);
  const { x, y, region } = blobData(16, 16, 3, new Random(99));
  let hits = 0,
    hitsPlusPlus = 0,
    positives = 0;
  for (let s = 0; s < 16; s++) {
    if (y[s] !== 1) continue;
    positives++;
    const input = ve.Tensor.from(x.subarray(s * 4096, (s + 1) * 4096), [1, 1, 16, 16, 16]);
    // layer2 is 8³ at 16³ (layer4, 2³, sees the whole volume from every cell and localises less well)
    const r = gradCam(net, input, { layer: 'layer2', classIndex: 1 });
    assert.deepEqual(r.shape, [16, 16, 16]);
    if (regionOfMax(r.map, 16, 3) === region[s]) hits++;
    const rpp = gradCam(net, input, { layer: 'layer2', method: 'gradcam++', classIndex: 1 });
    if (regionOfMax(rpp.map, 16, 3) === region[s]) hitsPlusPlus++;
  }
  assert.equal(positives, 8);
  assert.equal(hits, positives, `Grad-CAM maxima in the blob's octant for ${hits} of ${positives}`);
  assert.equal(hitsPlusPlus, positives, `Grad-CAM++ maxima in the blob's octant for ${hitsPlusPlus} of ${positives}`);
});
