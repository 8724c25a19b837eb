// Cross-check against PyTorch: the same weights, loaded by name (strict) into nnU-Net's
// PlainConvUNet structure written out in PyTorch (test/helpers/plain_conv_unet.py), give the same
// deep-supervision outputs, here with anisotropic kernels and strides in 2D and 3D.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ve from '../../src/engine/index.js';
import { readSafetensors, writeSafetensors } from '../../src/engine/safetensors.js';
import { UNet, type UNetOptions } from '../../src/nets/index.js';
import { repoRoot } from '../helpers/data.js';
import { python, referenceTest, runPythonFile } from '../helpers/reference.js';

ve.setNumThreads(1);

function compare(options: UNetOptions, inputShape: number[]): void {
  ve.manualSeed(5);
  const net = new UNet({ ...options, deepSupervision: true }).to('float64');
  // non-trivial norm parameters, so that a swapped weight/bias or a wrong channel would show
  ve.noGrad(() => {
    for (const [name, p] of net.namedParameters())
      if (name.includes('.norm.')) p.add_(ve.randn(p.shape, { dtype: 'float64' }).mul(0.1));
  });
  const x = ve.randn(inputShape, { dtype: 'float64' });
  const dir = mkdtempSync(join(tmpdir(), 'vesalius-unet-torch-'));
  try {
    writeSafetensors(
      join(dir, 'in.safetensors'),
      { ...net.stateDict(), input: x },
      { config: JSON.stringify(net.config) },
    );
    runPythonFile(join(repoRoot, 'test', 'helpers', 'plain_conv_unet.py'), [
      join(dir, 'in.safetensors'),
      join(dir, 'out.safetensors'),
    ]);
    const theirs = readSafetensors(join(dir, 'out.safetensors'));
    const ours = net.forward(x) as ve.Tensor[];
    assert.equal(Object.keys(theirs).length, ours.length);
    ours.forEach((o, i) => {
      const t = theirs[`out${i}`]!;
      assert.deepEqual(o.shape, t.shape, `output ${i} shape`);
      const diff = o.sub(t).abs().max().item();
      assert.ok(diff < 1e-9, `output ${i}: max |Vesalius − PyTorch| = ${diff}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

referenceTest(
  '2D PlainConvUNet: same outputs as PyTorch, weights loaded strictly by nnU-Net names',
  python('torch'),
  () => {
    compare(
      {
        spatialDims: 2,
        inChannels: 2,
        numClasses: 3,
        features: [4, 8, 12],
        kernelSizes: [
          [3, 3],
          [3, 1],
          [1, 3],
        ],
        strides: [1, [2, 1], 2],
        convsPerDecoderStage: [1, 2],
      },
      [2, 2, 8, 12],
    );
  },
);

referenceTest('3D PlainConvUNet with anisotropic strides: same outputs as PyTorch', python('torch'), () => {
  compare(
    {
      spatialDims: 3,
      inChannels: 1,
      numClasses: 2,
      features: [4, 6, 8],
      kernelSizes: [[1, 3, 3], 3, 3],
      strides: [1, [1, 2, 2], 2],
    },
    [1, 1, 4, 8, 8],
  );
});
