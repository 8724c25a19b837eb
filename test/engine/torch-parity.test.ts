// Cross-checks the TypeScript argument mapping (option names, defaults, padding order, mode codes,
// reductions) against PyTorch's Python API on the same inputs (a live reference: see test/helpers/reference.ts).
import assert from 'node:assert/strict';
import * as ve from '../../src/engine/index.js';
import { Random } from '../../src/util/random.js';
import { python, referenceTest, runPython } from '../helpers/reference.js';

const rng = new Random(99);
const inputs: Record<string, { shape: number[]; data: number[] }> = {};
function input(name: string, shape: number[], scale = 1, offset = 0): ve.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n }, () => rng.normal() * scale + offset);
  inputs[name] = { shape, data };
  return ve.Tensor.from(data, shape, { dtype: 'float64' });
}

const x4 = input('x4', [2, 3, 5, 6]);
const x5 = input('x5', [1, 2, 3, 4, 5]);
const grid2 = input('grid2', [2, 4, 3, 2], 0.7);
const grid3 = input('grid3', [1, 2, 3, 2, 3], 0.7);
const w2 = input('w2', [4, 3, 3, 3], 0.3);
const wg = input('wg', [6, 1, 2, 3], 0.3);
const wt = input('wt', [3, 2, 3, 3], 0.3);
const theta = input('theta', [2, 2, 3], 0.5);
const logits = input('logits', [4, 5]);
const seg = input('seg', [2, 5, 3, 3]);
const probs = input('probs', [4, 5]);
const posw = input('posw', [5], 0.3, 1.5);
const cw = input('cw', [5], 0.2, 1);
const v = input('v', [3, 8]);
const inw = input('inw', [3], 0.5, 1);
const inb = input('inb', [3], 0.3);

const TARGET = [1, 0, 4, 2];
const SEG_TARGET = Array.from({ length: 18 }, (_, i) => (i * 7) % 5);
const ign = [1, -100, 4, 2];
const long = (a: number[], shape: number[]) => ve.Tensor.from(BigInt64Array.from(a.map(BigInt)), shape);

const cases: Record<string, [() => ve.Tensor, string]> = {
  nearest_scale: [() => ve.interpolate(x4, { scaleFactor: 1.5 }), 'F.interpolate(x4, scale_factor=1.5)'],
  nearest_exact: [
    () => ve.interpolate(x4, { size: [7, 4], mode: 'nearest-exact' }),
    "F.interpolate(x4, size=(7,4), mode='nearest-exact')",
  ],
  bilinear_scale: [
    () => ve.interpolate(x4, { scaleFactor: [1.7, 0.6], mode: 'bilinear' }),
    "F.interpolate(x4, scale_factor=(1.7,0.6), mode='bilinear')",
  ],
  bilinear_ac: [
    () => ve.interpolate(x4, { size: [9, 4], mode: 'bilinear', alignCorners: true }),
    "F.interpolate(x4, size=(9,4), mode='bilinear', align_corners=True)",
  ],
  bicubic: [
    () => ve.interpolate(x4, { size: [8, 8], mode: 'bicubic' }),
    "F.interpolate(x4, size=(8,8), mode='bicubic')",
  ],
  trilinear: [
    () => ve.interpolate(x5, { scaleFactor: 2, mode: 'trilinear' }),
    "F.interpolate(x5, scale_factor=2, mode='trilinear')",
  ],
  trilinear_ac: [
    () => ve.interpolate(x5, { size: [2, 5, 3], mode: 'trilinear', alignCorners: true }),
    "F.interpolate(x5, size=(2,5,3), mode='trilinear', align_corners=True)",
  ],
  area: [() => ve.interpolate(x4, { size: [2, 4], mode: 'area' }), "F.interpolate(x4, size=(2,4), mode='area')"],
  area_scale: [
    () => ve.interpolate(x4, { scaleFactor: 0.5, mode: 'area' }),
    "F.interpolate(x4, scale_factor=0.5, mode='area')",
  ],
  affine: [() => ve.affineGrid(theta, [2, 3, 4, 3]), 'F.affine_grid(theta, (2,3,4,3), align_corners=False)'],
  affine_ac: [() => ve.affineGrid(theta, [2, 3, 4, 3], true), 'F.affine_grid(theta, (2,3,4,3), align_corners=True)'],
  conv: [
    () => ve.conv2d(x4, w2, null, { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }),
    'F.conv2d(x4, w2, stride=(2,1), padding=(1,2), dilation=(1,2))',
  ],
  conv_groups: [
    () => ve.conv2d(x4, wg, null, { groups: 3, padding: 'same' }),
    "F.conv2d(x4, wg, groups=3, padding='same')",
  ],
  conv_t: [
    () => ve.convTranspose2d(x4, wt, null, { stride: 2, padding: 1, outputPadding: [1, 0] }),
    'F.conv_transpose2d(x4, wt, stride=2, padding=1, output_padding=(1,0))',
  ],
  maxpool: [
    () => ve.maxPool2d(x4, [3, 2], { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }),
    'F.max_pool2d(x4, (3,2), stride=2, padding=1, dilation=(1,2), ceil_mode=True)',
  ],
  avgpool: [
    () => ve.avgPool2d(x4, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    'F.avg_pool2d(x4, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)',
  ],
  avgpool3: [
    () => ve.avgPool3d(x5, 2, { stride: 1, divisorOverride: 3 }),
    'F.avg_pool3d(x5, 2, stride=1, divisor_override=3)',
  ],
  adaptive: [() => ve.adaptiveAvgPool2d(x4, [4, 4]), 'F.adaptive_avg_pool2d(x4, (4,4))'],
  adaptive_max3: [() => ve.adaptiveMaxPool3d(x5, [2, 2, 3]), 'F.adaptive_max_pool3d(x5, (2,2,3))'],
  pad_reflect: [() => ve.pad(x4, [2, 1, 0, 3], 'reflect'), "F.pad(x4, (2,1,0,3), mode='reflect')"],
  pad_replicate3: [() => ve.pad(x5, [1, 2, 0, 1, 2, 0], 'replicate'), "F.pad(x5, (1,2,0,1,2,0), mode='replicate')"],
  pad_circular: [() => ve.pad(x4, [1, 1, 2, 2], 'circular'), "F.pad(x4, (1,1,2,2), mode='circular')"],
  pad_constant: [() => ve.pad(x4, [1, 0, 2, 1, 0, 1], 'constant', -3), 'F.pad(x4, (1,0,2,1,0,1), value=-3.0)'],
  batchnorm: [
    () => ve.batchNorm(x4, null, null, null, null, true, 0.1, 1e-3),
    'F.batch_norm(x4, None, None, training=True, eps=1e-3)',
  ],
  instnorm: [() => ve.instanceNorm(x5), 'F.instance_norm(x5)'],
  instnorm_affine: [
    () => ve.instanceNorm(x4, null, null, inw, inb, true, 0.1, 1e-3),
    'F.instance_norm(x4, weight=inw, bias=inb, eps=1e-3)',
  ],
  groupnorm: [() => ve.groupNorm(x4, 3, null, null, 1e-4), 'F.group_norm(x4, 3, eps=1e-4)'],
  layernorm: [() => ve.layerNorm(x4, [5, 6]), 'F.layer_norm(x4, (5,6))'],
  ce: [() => ve.crossEntropy(logits, long(TARGET, [4])), 'F.cross_entropy(logits, torch.tensor(TARGET))'],
  ce_all: [
    () => ve.crossEntropy(logits, long(ign, [4]), { weight: cw, labelSmoothing: 0.15, reduction: 'sum' }),
    "F.cross_entropy(logits, torch.tensor(IGN), weight=cw, label_smoothing=0.15, reduction='sum')",
  ],
  ce_spatial: [
    () => ve.crossEntropy(seg, long(SEG_TARGET, [2, 3, 3]), { reduction: 'none' }),
    "F.cross_entropy(seg, torch.tensor(SEG).reshape(2,3,3), reduction='none')",
  ],
  ce_probs: [() => ve.crossEntropy(logits, ve.softmax(probs, 1)), 'F.cross_entropy(logits, F.softmax(probs, 1))'],
  bce: [
    () => ve.binaryCrossEntropyWithLogits(logits, ve.sigmoid(probs), { posWeight: posw }),
    'F.binary_cross_entropy_with_logits(logits, torch.sigmoid(probs), pos_weight=posw)',
  ],
  nll: [
    () => ve.nllLoss(ve.logSoftmax(logits, 1), long(ign, [4]), { weight: cw }),
    'F.nll_loss(F.log_softmax(logits, 1), torch.tensor(IGN), weight=cw)',
  ],
  smoothl1: [() => ve.smoothL1Loss(logits, probs, { beta: 0.4 }), 'F.smooth_l1_loss(logits, probs, beta=0.4)'],
  std: [() => ve.std(v, { dim: 1, correction: 0, keepdim: true }), 'torch.std(v, dim=1, unbiased=False, keepdim=True)'],
  var: [() => ve.variance(v, { dim: [0, 1] }), 'torch.var(v, dim=(0,1))'],
  quantile: [() => ve.quantile(v, 0.37, { dim: 1 }), 'torch.quantile(v, 0.37, dim=1)'],
  logsumexp: [() => ve.logsumexp(v, 0, true), 'torch.logsumexp(v, 0, keepdim=True)'],
  gelu_tanh: [() => ve.gelu(v, { approximate: 'tanh' }), "F.gelu(v, approximate='tanh')"],
  softplus: [() => ve.softplus(v), 'F.softplus(v)'],
  roll: [() => ve.roll(v, [1, -3], [0, 1]), 'torch.roll(v, (1,-3), (0,1))'],
};
const modes = ['bilinear', 'nearest', 'bicubic'] as const;
const paddings = ['zeros', 'border', 'reflection'] as const;
for (const mode of modes) {
  for (const paddingMode of paddings) {
    for (const alignCorners of [false, true]) {
      cases[`grid_${mode}_${paddingMode}_${alignCorners}`] = [
        () => ve.gridSample(x4.slice(0, 0, 2), grid2, { mode, paddingMode, alignCorners }),
        `F.grid_sample(x4, grid2, mode='${mode}', padding_mode='${paddingMode}', align_corners=${alignCorners ? 'True' : 'False'})`,
      ];
    }
  }
}
cases.grid3 = [
  () => ve.gridSample(x5, grid3, { paddingMode: 'border' }),
  "F.grid_sample(x5, grid3, padding_mode='border', align_corners=False)",
];

referenceTest('functionals agree with PyTorch on the same inputs', python('torch'), () => {
  const script = `
import json, sys, torch, torch.nn.functional as F
torch.set_default_dtype(torch.float64)
spec = json.load(sys.stdin)
for k, given in spec['inputs'].items():
    globals()[k] = torch.tensor(given['data'], dtype=torch.float64).reshape(given['shape'])
TARGET, IGN, SEG = spec['TARGET'], spec['IGN'], spec['SEG']
out = {}
for name, expr in spec['cases'].items():
    r = eval(expr)
    out[name] = {'shape': list(r.shape), 'data': r.flatten().tolist()}
print(json.dumps(out))`;
  const spec = {
    inputs,
    TARGET,
    IGN: ign,
    SEG: SEG_TARGET,
    cases: Object.fromEntries(Object.entries(cases).map(([k, [, py]]) => [k, py])),
  };
  const expected = JSON.parse(runPython(script, [], JSON.stringify(spec))) as Record<
    string,
    { shape: number[]; data: number[] }
  >;
  for (const [name, [fn]] of Object.entries(cases)) {
    const got = fn();
    assert.deepEqual(got.shape, expected[name]!.shape, `${name}: shape`);
    const a = got.toNumbers(),
      b = expected[name]!.data;
    a.forEach((value, i) =>
      assert.ok(Math.abs(value - b[i]!) <= 1e-9 + 1e-9 * Math.abs(b[i]!), `${name}[${i}]: ${value} vs torch ${b[i]}`),
    );
  }
});
