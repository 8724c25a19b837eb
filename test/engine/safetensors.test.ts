import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { randn } from '../../src/engine/creation.js';
import type { DType } from '../../src/engine/dtype.js';
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  GroupNorm,
  InstanceNorm2d,
  LayerNorm,
  LeakyReLU,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  Upsample,
} from '../../src/engine/nn/index.js';
import { manualSeed } from '../../src/engine/random.js';
import {
  loadModule,
  readSafetensors,
  readSafetensorsFile,
  saveModule,
  writeSafetensors,
} from '../../src/engine/safetensors.js';
import { Tensor } from '../../src/engine/tensor.js';
import { FileFormatError } from '../../src/util/errors.js';
import { repoRoot } from '../helpers/data.js';
import { python, referenceTest, runPythonFile } from '../helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'vesalius-st-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLES: Record<DType, number[]> = {
  float32: [1.5, -2.25, 3e-38, Infinity, -0, 7],
  float64: [Math.PI, -1e300, 5e-324, -Infinity, 0, 1],
  float16: [1, -2, 0.5, 65504, 0, 3],
  bfloat16: [1, -2, 0.5, 3.3895313892515355e38, 0, 3],
  int64: [-(2 ** 53), 2 ** 53, 0, -1, 5, 6],
  int32: [-(2 ** 31), 2 ** 31 - 1, 0, -1, 5, 6],
  uint8: [0, 255, 1, 2, 3, 4],
  int16: [-32768, 32767, 0, -1, 5, 6],
  int8: [-128, 127, 0, -1, 5, 6],
  bool: [1, 0, 0, 1, 1, 0],
};

test('every engine dtype survives a file round trip bit for bit, with metadata', () => {
  const tensors: Record<string, Tensor> = {};
  for (const [dtype, data] of Object.entries(SAMPLES))
    tensors[`t.${dtype}`] = Tensor.from(data, [2, 3], { dtype: dtype as DType });
  tensors.scalar = Tensor.from([42], [], { dtype: 'float32' });
  const path = join(dir, 'all.safetensors');
  writeSafetensors(path, tensors, { format: 'pt' });
  const { tensors: back, metadata } = readSafetensorsFile(path);
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual(Object.keys(back).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    const b = back[name]!;
    assert.equal(b.dtype, t.dtype, name);
    assert.deepEqual(b.shape, t.shape, name);
    const a1 = t.toArray();
    const a2 = b.toArray();
    assert.deepEqual(
      Buffer.from(a2.buffer, a2.byteOffset, a2.byteLength),
      Buffer.from(a1.buffer, a1.byteOffset, a1.byteLength),
      name,
    );
  }
  // The same bytes as an in-memory read.
  const again = readSafetensors(readFileSync(path));
  assert.equal(Object.keys(again).length, Object.keys(tensors).length);
  for (const t of [...Object.values(tensors), ...Object.values(back), ...Object.values(again)]) t.dispose();
});

test('a saved and reloaded module gives identical outputs', () => {
  manualSeed(7);
  const make = () =>
    new Sequential(new Conv2d(2, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new Conv2d(4, 1, 1));
  const a = make();
  const x = randn([2, 2, 8, 8]);
  a.forward(x).dispose(); // training step: running stats change
  a.eval();
  const path = join(dir, 'model.safetensors');
  saveModule(a, path);
  const b = make().eval();
  assert.deepEqual(loadModule(b, path), { missingKeys: [], unexpectedKeys: [] });
  const ya = a.forward(x);
  const yb = b.forward(x);
  assert.deepEqual(yb.toArray(), ya.toArray());
  // A file for another architecture is refused with the file's name.
  const other = new Sequential(new Conv2d(2, 8, 3));
  assert.throws(
    () => loadModule(other, path),
    (e: unknown) => e instanceof FileFormatError && e.message.startsWith(path),
  );
  assert.throws(() => readSafetensors(join(dir, 'missing.safetensors')), /missing\.safetensors: cannot read: ENOENT/);
  for (const t of [x, ya, yb]) t.dispose();
  for (const m of [a, b, other]) m.dispose();
});

referenceTest(
  'weights move between Vesalius and PyTorch by name, and the layers compute what torch.nn computes',
  python('torch'),
  () => {
    manualSeed(11);
    const model = new Sequential(
      new Conv2d(3, 6, 3, { padding: 1, stride: 1 }),
      new BatchNorm2d(6),
      new LeakyReLU(0.1),
      new GroupNorm(2, 6),
      new InstanceNorm2d(6, { affine: true }),
      new MaxPool2d(2),
      new ConvTranspose2d(6, 4, 2, { stride: 2 }),
      new Upsample({ scaleFactor: 0.5, mode: 'bilinear' }),
      new AvgPool2d(2),
      new LayerNorm([4, 2, 2]),
      new Flatten(),
      new Linear(16, 5),
    );
    const x = randn([2, 3, 8, 8]);
    model.forward(x).dispose(); // one training-mode pass so BatchNorm's buffers are not trivial
    model.eval();
    const y = model.forward(x);
    const inPath = join(dir, 'to-torch.safetensors');
    writeSafetensors(inPath, { ...model.stateDict(), 'input.x': x, 'input.y': y });
    const outPath = join(dir, 'from-torch.safetensors');
    const script = `
import torch.nn as nn
tensors, _ = load(argv[0])
x = tensors.pop('input.x'); y = tensors.pop('input.y')
model = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.LeakyReLU(0.1), nn.GroupNorm(2, 6),
    nn.InstanceNorm2d(6, affine=True), nn.MaxPool2d(2), nn.ConvTranspose2d(6, 4, 2, stride=2),
    nn.Upsample(scale_factor=0.5, mode='bilinear'), nn.AvgPool2d(2), nn.LayerNorm([4, 2, 2]), nn.Flatten(), nn.Linear(16, 5))
model.load_state_dict(tensors, strict=True)
model.eval()
with torch.no_grad():
    out = model(x)
# Also a torch-initialised module, to load into Vesalius.
torch.manual_seed(0)
fresh = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6))
fresh[1].running_mean.uniform_(); fresh[1].num_batches_tracked += 5
fresh.eval()
with torch.no_grad():
    fy = fresh(x)
save(argv[1], {'out': out, 'fresh.y': fy, **{'fresh.' + k: v for k, v in fresh.state_dict().items()}}, {'by': 'torch'})
`;
    runPythonFile(join(repoRoot, 'test', 'helpers', 'torch_safetensors.py'), [inPath, outPath], script);
    const { tensors: back, metadata } = readSafetensorsFile(outPath);
    assert.deepEqual(metadata, { by: 'torch' });
    const ours = y.toArray() as Float32Array;
    const theirs = back.out!.toArray() as Float32Array;
    ours.forEach((v, i) => assert.ok(Math.abs(v - theirs[i]!) < 1e-4, `[${i}] ${v} vs ${theirs[i]}`));

    const fresh = new Sequential(new Conv2d(3, 6, 3, { padding: 1 }), new BatchNorm2d(6)).eval();
    const state: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(back)) if (k.startsWith('fresh.') && k !== 'fresh.y') state[k.slice(6)] = v;
    fresh.loadStateDict(state);
    assert.equal(Number(fresh.stateDict()['1.num_batches_tracked']!.item()), 5);
    const fy = fresh.forward(x);
    const expected = back['fresh.y']!.toArray() as Float32Array;
    (fy.toArray() as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5));
    for (const t of [x, y, fy, ...Object.values(back)]) t.dispose();
    model.dispose();
    fresh.dispose();
  },
);

test('a corrupt file is a FileFormatError naming it', () => {
  const path = join(dir, 'bad.safetensors');
  writeFileSync(path, Buffer.from([5, 0, 0, 0, 0, 0, 0, 0, 123]));
  assert.throws(
    () => readSafetensors(path),
    (e: unknown) => e instanceof FileFormatError && e.message.startsWith(`${path}: `),
  );
});
