// MultiheadAttention against torch.nn.MultiheadAttention (batch_first, self-attention) run live: outputs
// and the input's gradient for the same weights; scaled dot-product attention by hand on a 2-token case;
// NamedSequential names its modules and runs them in order.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ve from '../../../src/engine/index.js';
import {
  Linear,
  MultiheadAttention,
  NamedSequential,
  ReLU,
  scaledDotProductAttention,
} from '../../../src/engine/nn/index.js';
import { repoRoot } from '../../helpers/data.js';
import { referenceTest, hasPythonModules, runPythonFile } from '../../helpers/reference.js';
import { tempDir } from '../../helpers/tmp.js';

referenceTest(
  'MultiheadAttention = torch.nn.MultiheadAttention(batch_first=True): output and input gradient',
  hasPythonModules('torch'),
  'python3-torch',
  () => {
    ve.manualSeed(11);
    const mha = new MultiheadAttention(12, 3).to('float64');
    ve.noGrad(() => mha.in_proj_bias!.copy_(ve.randn([36], { dtype: 'float64' })));
    const x = ve.randn([2, 5, 12], { dtype: 'float64' }).requiresGrad_(true);
    const out = mha.forward(x);
    out.square().sum().backward();
    const dir = tempDir('vesalius-mha-');
    ve.writeSafetensors(join(dir, 'in.safetensors'), { ...mha.stateDict(), x: x.detach() });
    runPythonFile(
      join(repoRoot, 'test', 'helpers', 'torch_safetensors.py'),
      [join(dir, 'in.safetensors'), join(dir, 'out.safetensors')],
      `
t, _ = load(argv[0])
x = t.pop('x').requires_grad_(True)
m = torch.nn.MultiheadAttention(12, 3, batch_first=True).double()
m.load_state_dict(t, strict=True)
y, _ = m(x, x, x, need_weights=False)
(y ** 2).sum().backward()
save(argv[1], {'y': y.detach(), 'grad': x.grad})
`,
    );
    const ref = ve.readSafetensors(join(dir, 'out.safetensors'));
    assert.ok(out.detach().sub(ref.y!).abs().max().item() < 1e-12);
    assert.ok(x.grad!.sub(ref.grad!).abs().max().item() < 1e-12);
  },
);

test('scaled dot-product attention by hand: two tokens, one dimension', () => {
  // q = k = [[1], [0]], v = [[2], [4]]: token 0 weighs e¹ and e⁰, token 1 weighs both equally
  const q = ve.Tensor.from([1, 0], [2, 1], { dtype: 'float64' });
  const v = ve.Tensor.from([2, 4], [2, 1], { dtype: 'float64' });
  const out = scaledDotProductAttention(q, q, v).toArray() as Float64Array;
  const e = Math.E;
  assert.ok(Math.abs(out[0]! - (2 * e + 4) / (e + 1)) < 1e-12);
  assert.ok(Math.abs(out[1]! - 3) < 1e-12);
  assert.throws(() => new MultiheadAttention(10, 3), /embedDim 10 must be a multiple of numHeads 3/);
});

test('NamedSequential: its names in the state dict, its modules in order', () => {
  const net = new NamedSequential([
    ['fc1', new Linear(2, 3)],
    ['act', new ReLU()],
    ['fc2', new Linear(3, 1)],
  ]);
  assert.deepEqual(Object.keys(net.stateDict()), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  const x = ve.randn([4, 2]);
  const [fc1, act, fc2] = [...net];
  const expected = fc2!.forward(act!.forward(fc1!.forward(x)));
  assert.ok(net.forward(x).sub(expected).abs().max().item() < 1e-7);
  assert.equal(net.get('act'), act);
  assert.throws(() => net.get('fc3'), /NamedSequential has no layer fc3/);
});
