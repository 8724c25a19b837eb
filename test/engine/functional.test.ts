// Forward values of the nn functionals on tiny inputs, worked out by hand (arithmetic in the comments).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ve from '../../src/engine/index.js';

const t = (rows: number[] | number[][] | number[][][], shape: number[]) =>
  ve.Tensor.from((rows as number[][]).flat(2), shape, { dtype: 'float64' });
function close(actual: ve.Tensor, expected: number[], tol = 1e-6): void {
  const a = actual.toNumbers();
  assert.equal(a.length, expected.length, `got ${a.length} values, expected ${expected.length}: [${a.join(', ')}]`);
  a.forEach((v, i) =>
    assert.ok(Math.abs(v - expected[i]!) <= tol, `element ${i}: ${v} vs ${expected[i]} (all: [${a.join(', ')}])`),
  );
}
// x = [[1,2,3],[4,5,6],[7,8,9]]
const x3 = () => t([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);

test('conv2d by hand: plain, stride+padding, dilation, groups, bias', () => {
  const w = t([1, 2, 3, 4], [1, 1, 2, 2]); // [[1,2],[3,4]]
  // out[0,0] = 1·1 + 2·2 + 4·3 + 5·4 = 37; [0,1] = 2+6+15+24 = 47; [1,0] = 4+10+21+32 = 67; [1,1] = 5+12+24+36 = 77
  close(ve.conv2d(x3(), w), [37, 47, 67, 77]);
  // zero-pad to 5×5, windows at (0,0) (0,2) (2,0) (2,2): 1·4 = 4; 2·3+3·4 = 18; 4·2+7·4 = 36; 5+12+24+36 = 77
  close(ve.conv2d(x3(), w, null, { stride: 2, padding: 1 }), [4, 18, 36, 77]);
  // dilation 2: taps x[0,0], x[0,2], x[2,0], x[2,2] → 1·1 + 3·2 + 7·3 + 9·4 = 64
  close(ve.conv2d(x3(), w, null, { dilation: 2 }), [64]);
  // bias adds to every output
  close(ve.conv2d(x3(), w, t([0.5], [1])), [37.5, 47.5, 67.5, 77.5]);
  // groups = 2 with 1×1 kernels [2] and [3]: each channel scaled on its own
  const two = t([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
  close(ve.conv2d(two, t([2, 3], [2, 1, 1, 1]), null, { groups: 2 }), [2, 4, 6, 8, 30, 60, 90, 120]);
  // 'same' keeps the size: 3×3 ones kernel = sums of 3×3 neighbourhoods (zeros outside)
  // corners: 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28; centre 45
  const same = ve.conv2d(x3(), ve.ones([1, 1, 3, 3], { dtype: 'float64' }), null, { padding: 'same' });
  close(same, [12, 21, 16, 27, 45, 33, 24, 39, 28]);
});

test('conv1d and conv3d by hand', () => {
  // [1,2,3,4] * [1,-1] → differences
  close(ve.conv1d(t([1, 2, 3, 4], [1, 1, 4]), t([1, -1], [1, 1, 2])), [-1, -1, -1]);
  // 2×2×2 block 1..8 with a ones kernel → 36
  close(ve.conv3d(t([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 2, 2]), ve.ones([1, 1, 2, 2, 2], { dtype: 'float64' })), [36]);
});

test('transposed convolution by hand', () => {
  const x = t([1, 2, 3, 4], [1, 1, 2, 2]);
  const w = ve.ones([1, 1, 2, 2], { dtype: 'float64' });
  // stride 2: each input value spreads into its own 2×2 block
  close(ve.convTranspose2d(x, w, null, { stride: 2 }), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  // stride 1: blocks overlap and add: out[i][j] = Σ x[a][b], a ∈ {i-1,i}, b ∈ {j-1,j}
  close(ve.convTranspose2d(x, w), [1, 3, 2, 4, 10, 6, 3, 7, 4]);
  // padding 1 crops one from each side of the stride-2 result (4×4 → 2×2), outputPadding 1 adds a row/column at the end
  close(ve.convTranspose2d(x, w, null, { stride: 2, padding: 1 }), [1, 2, 3, 4]);
  assert.deepEqual(ve.convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1 }).shape, [1, 1, 3, 3]);
  // 3D, stride 2 on a single voxel of value 5: a 2×2×2 block of 5s
  close(
    ve.convTranspose3d(t([5], [1, 1, 1, 1, 1]), ve.ones([1, 1, 2, 2, 2], { dtype: 'float64' }), null, { stride: 2 }),
    Array(8).fill(5),
  );
});

test('pooling by hand', () => {
  const x = ve.arange(1, 17, 1, { dtype: 'float64' }).reshape([1, 1, 4, 4]); // rows 1-4, 5-8, 9-12, 13-16
  close(ve.maxPool2d(x, 2), [6, 8, 14, 16]);
  close(ve.avgPool2d(x, 2), [3.5, 5.5, 11.5, 13.5]); // (1+2+5+6)/4 ...
  // 3×3 windows, stride 2, padding 1 on 1..9: window (0,0) sees 1,2,4,5 (sum 12) and five zeros
  close(ve.avgPool2d(x3(), 3, { stride: 2, padding: 1 }), [12 / 9, 16 / 9, 24 / 9, 28 / 9]);
  close(ve.avgPool2d(x3(), 3, { stride: 2, padding: 1, countIncludePad: false }), [12 / 4, 16 / 4, 24 / 4, 28 / 4]);
  close(ve.maxPool2d(x3(), 3, { stride: 2, padding: 1 }), [5, 6, 8, 9]); // padding never wins a max
  close(ve.maxPool2d(x3(), 2, { stride: 2, ceilMode: true }), [5, 6, 8, 9]); // ceil keeps the partial windows
  const { values, indices } = ve.maxPoolWithIndices(x, 2);
  close(values, [6, 8, 14, 16]);
  assert.deepEqual(indices.toNumbers(), [5, 7, 13, 15]); // flat positions in the 4×4 plane
  close(ve.maxPool3d(ve.arange(8, undefined, 1, { dtype: 'float64' }).reshape([1, 1, 2, 2, 2]), 2), [7]);
  close(ve.avgPool3d(ve.arange(8, undefined, 1, { dtype: 'float64' }).reshape([1, 1, 2, 2, 2]), 2), [3.5]);
  close(ve.adaptiveAvgPool2d(x3(), 1), [5]);
  // adaptive bins over 3 → 2: [0,2) and [1,3) overlap: means (1+2)/2, (2+3)/2 per row, then rows likewise
  close(ve.adaptiveAvgPool1d(t([1, 2, 3], [1, 1, 3]), 2), [1.5, 2.5]);
  close(ve.adaptiveMaxPool2d(x3(), 2), [5, 6, 8, 9]);
  close(ve.adaptiveAvgPool3d(ve.arange(8, undefined, 1, { dtype: 'float64' }).reshape([1, 1, 2, 2, 2]), 1), [3.5]);
});

test('interpolate by hand', () => {
  const x = t([1, 2, 3, 4], [1, 1, 2, 2]);
  close(ve.interpolate(x, { scaleFactor: 2 }), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  const row = t([0, 10], [1, 1, 1, 2]);
  // half-pixel centres: source x = (dst + 0.5)/2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
  close(ve.interpolate(row, { size: [1, 4], mode: 'bilinear' }), [0, 2.5, 7.5, 10]);
  // align corners: source x = dst·(2-1)/(4-1) → 0, 1/3, 2/3, 1
  close(ve.interpolate(row, { size: [1, 4], mode: 'bilinear', alignCorners: true }), [0, 10 / 3, 20 / 3, 10]);
  // trilinear, align corners, 2 → 3 per axis: the centre is the mean of the 8 corners (0..7 → 3.5); corners keep their values
  const cube = ve.interpolate(ve.arange(8, undefined, 1, { dtype: 'float64' }).reshape([1, 1, 2, 2, 2]), {
    size: 3,
    mode: 'trilinear',
    alignCorners: true,
  });
  const v = cube.toNumbers();
  assert.equal(v[13], 3.5);
  assert.deepEqual([v[0], v[2], v[6], v[26]], [0, 1, 2, 7]);
  // linear 1d: [0, 4] at scale 2 → source x = -0.25, 0.25, 0.75, 1.25 → 0, 1, 3, 4
  close(ve.interpolate(t([0, 4], [1, 1, 2]), { scaleFactor: 2, mode: 'linear' }), [0, 1, 3, 4]);
  // area = adaptive average: 4 → 2
  close(ve.interpolate(t([1, 3, 5, 7], [1, 1, 4]), { size: 2, mode: 'area' }), [2, 6]);
  assert.throws(() => ve.interpolate(x, { size: 3, mode: 'trilinear' }), ve.EngineError);
});

test('affineGrid and gridSample by hand', () => {
  // identity, align corners: x = linspace(-1, 1, 3), y = linspace(-1, 1, 2); last dim is (x, y)
  const id = t([1, 0, 0, 0, 1, 0], [1, 2, 3]);
  close(ve.affineGrid(id, [1, 1, 2, 3], true), [-1, -1, 0, -1, 1, -1, -1, 1, 0, 1, 1, 1]);
  // without align corners, pixel centres: x = ±2/3, 0; y = ±1/2
  close(ve.affineGrid(id, [1, 1, 2, 3], false), [-2 / 3, -0.5, 0, -0.5, 2 / 3, -0.5, -2 / 3, 0.5, 0, 0.5, 2 / 3, 0.5]);
  // translation by 0.5 in x
  close(ve.affineGrid(t([1, 0, 0.5, 0, 1, 0], [1, 2, 3]), [1, 1, 1, 2], true), [-0.5, 0, 1.5, 0]);

  const img = t([1, 2, 3, 4], [1, 1, 2, 2]); // [[1,2],[3,4]]
  const grid = (pts: number[]) => t(pts, [1, 1, pts.length / 2, 2]);
  // align corners: (-1,-1) is pixel (0,0), (1,-1) pixel column 1 row 0, (0,0) the mean of all four
  close(ve.gridSample(img, grid([-1, -1, 1, -1, -1, 1, 0, 0]), { alignCorners: true }), [1, 2, 3, 2.5]);
  // no align corners: (-1,-1) is the outer corner of pixel (0,0), i.e. pixel coords (-0.5,-0.5):
  // zeros padding weights pixel (0,0) by 0.25 → 0.25; border padding clamps → 1; reflection mirrors → 1
  close(ve.gridSample(img, grid([-1, -1])), [0.25]);
  close(ve.gridSample(img, grid([-1, -1]), { paddingMode: 'border' }), [1]);
  close(ve.gridSample(img, grid([-1, -1]), { paddingMode: 'reflection' }), [1]);
  // nearest, align corners: (0.6, -0.6) → pixel x 0.8 → 1, y 0.2 → 0 → value 2
  close(ve.gridSample(img, grid([0.6, -0.6]), { mode: 'nearest', alignCorners: true }), [2]);
  // identity grid resamples an image to itself
  const x = ve.randn([1, 2, 3, 4], { dtype: 'float64' });
  close(ve.gridSample(x, ve.affineGrid(id, [1, 2, 3, 4])), x.toNumbers(), 1e-12);
  // 3D: align corners, the centre of a 2×2×2 cube 0..7 is 3.5; (x,y,z) = (1,-1,-1) is voxel (z0,y0,x1) = 1
  const cube = ve.arange(8, undefined, 1, { dtype: 'float64' }).reshape([1, 1, 2, 2, 2]);
  close(ve.gridSample(cube, t([0, 0, 0, 1, -1, -1], [1, 1, 1, 2, 3]), { alignCorners: true }), [3.5, 1]);
});

test('normalisation by hand', () => {
  // batch norm, training, channel values 1,2,3,4: mean 2.5, biased var 1.25
  const x = t([1, 2, 3, 4], [4, 1]);
  const rm = ve.zeros([1], { dtype: 'float64' }),
    rv = ve.ones([1], { dtype: 'float64' });
  const s = Math.sqrt(1.25 + 1e-5);
  close(ve.batchNorm(x, rm, rv, null, null, true, 0.1, 1e-5), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]);
  // running stats: 0.9·0 + 0.1·2.5; 0.9·1 + 0.1·(unbiased var 5/3)
  close(rm, [0.25]);
  close(rv, [0.9 + 0.1 * (5 / 3)]);
  // eval uses the running stats, then weight and bias
  close(ve.batchNorm(t([1], [1, 1]), t([1], [1]), t([4], [1]), t([2], [1]), t([1], [1]), false, 0.1, 0), [1]);
  // layer norm of [1,2,3]: mean 2, var 2/3
  const ln = 1 / Math.sqrt(2 / 3 + 1e-5);
  close(ve.layerNorm(t([1, 2, 3], [1, 3]), [3]), [-ln, 0, ln]);
  // group norm, 2 groups of [1,2] and [3,4]: each → [-1, 1] (var 0.25)
  const g = 0.5 / Math.sqrt(0.25 + 1e-5);
  close(ve.groupNorm(t([1, 2, 3, 4], [1, 4, 1]), 2), [-g, g, -g, g]);
  // instance norm normalises each (sample, channel) over space: [1,3] → [-1,1], [10,20] → [-1,1]
  const i1 = 1 / Math.sqrt(1 + 1e-5),
    i2 = 5 / Math.sqrt(25 + 1e-5);
  close(ve.instanceNorm(t([1, 3, 10, 20], [1, 2, 2])), [-i1, i1, -i2, i2]);
});

test('losses by hand', () => {
  // logits [0, ln 3] → p = [1/4, 3/4]; class 1 → -ln(3/4)
  const logits = t([0, Math.log(3)], [1, 2]);
  const one = ve.Tensor.from(new BigInt64Array([1n]));
  close(ve.crossEntropy(logits, one), [-Math.log(0.75)]);
  // label smoothing 0.2 over 2 classes: target [0.1, 0.9] → -(0.1 ln 1/4 + 0.9 ln 3/4)
  close(ve.crossEntropy(logits, one, { labelSmoothing: 0.2 }), [-(0.1 * Math.log(0.25) + 0.9 * Math.log(0.75))]);
  // ignored targets drop out of the mean
  const two = ve.Tensor.from(new BigInt64Array([1n, -100n]));
  close(ve.crossEntropy(t([0, Math.log(3), 5, 1], [2, 2]), two), [-Math.log(0.75)]);
  // class weights: weighted mean Σ w_y·l / Σ w_y
  const w = t([1, 3], [2]);
  const both = ve.Tensor.from(new BigInt64Array([1n, 0n]));
  const l1 = -Math.log(0.75),
    l0 = -Math.log(0.25);
  close(ve.crossEntropy(t([0, Math.log(3), 0, Math.log(3)], [2, 2]), both, { weight: w }), [(3 * l1 + 1 * l0) / 4]);
  // BCE with logits at x = 0: ln 2 for either target; positive weight 3 triples the positive term
  close(ve.binaryCrossEntropyWithLogits(t([0, 0], [2]), t([1, 0], [2]), { reduction: 'none' }), [Math.LN2, Math.LN2]);
  close(ve.binaryCrossEntropyWithLogits(t([0], [1]), t([1], [1]), { posWeight: t([3], [1]) }), [3 * Math.LN2]);
  // large logits stay finite (the stable formulation): x = 100, t = 0 → 100
  close(ve.binaryCrossEntropyWithLogits(t([100], [1]), t([0], [1])), [100], 1e-9);
  close(ve.mseLoss(t([1, 2], [2]), t([3, 2], [2])), [2]); // (4 + 0)/2
  close(ve.l1Loss(t([1, 2], [2]), t([3, 2], [2]), { reduction: 'sum' }), [2]);
  // smooth L1, beta 1: |d| < 1 → d²/2, else |d| - 1/2: d = 0.5 → 0.125, d = 3 → 2.5
  close(ve.smoothL1Loss(t([0.5, 3], [2]), t([0, 0], [2]), { reduction: 'none' }), [0.125, 2.5]);
});

test('pad modes by hand', () => {
  const x = t([1, 2, 3], [1, 1, 3]);
  close(ve.pad(x, [2, 1], 'constant', 9), [9, 9, 1, 2, 3, 9]);
  close(ve.pad(x, [2, 1], 'reflect'), [3, 2, 1, 2, 3, 2]);
  close(ve.pad(x, [2, 1], 'replicate'), [1, 1, 1, 2, 3, 3]);
  close(ve.pad(x, [2, 1], 'circular'), [2, 3, 1, 2, 3, 1]);
  // 2D: pads = (left, right, top, bottom)
  close(ve.pad(t([1, 2, 3, 4], [1, 1, 2, 2]), [0, 1, 1, 0], 'replicate'), [1, 2, 2, 1, 2, 2, 3, 4, 4]);
  // negative padding crops
  close(ve.pad(x, [-1, 0]), [2, 3]);
  assert.throws(() => ve.pad(x, [3, 0], 'reflect'), ve.EngineError); // reflect needs pad < size
});

test('dropout: identity in eval, zeroes about p and rescales in training, channel dropout drops whole channels', () => {
  const x = ve.ones([10000], { dtype: 'float64' });
  close(ve.dropout(x, 0.5, false).sum(), [10000]);
  ve.manualSeed(1);
  const y = ve.dropout(x, 0.3, true).toNumbers();
  const kept = y.filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-12));
  assert.ok(Math.abs(kept.length / 10000 - 0.7) < 0.03, `kept ${kept.length}`);
  const c = ve
    .channelDropout(ve.ones([4, 8, 3, 3]), 0.5, true)
    .sum({ dim: [2, 3] })
    .toNumbers();
  assert.ok(
    c.every((v) => v === 0 || Math.abs(v - 18) < 1e-5),
    'each channel all dropped or all kept ×2',
  );
});

test('oneHot and embedding', () => {
  assert.deepEqual(ve.oneHot(ve.Tensor.from(new BigInt64Array([0n, 2n])), 3).toNumbers(), [1, 0, 0, 0, 0, 1]);
  const table = t([1, 2, 3, 4, 5, 6], [3, 2]);
  close(ve.embedding(table, ve.Tensor.from(new BigInt64Array([2n, 0n]))), [5, 6, 1, 2]);
});
