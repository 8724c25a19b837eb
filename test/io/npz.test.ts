// .npz and .npy against numpy run live: stored (savez) and deflated (savez_compressed) archives, several
// dtypes and shapes, numpy's zip64 headers; refusals name the array.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseNpy, readNpz } from '../../src/io/npz.js';
import { hasPythonModules, referenceTest, SYSTEM_PYTHON } from '../helpers/reference.js';
import { tempDir } from '../helpers/tmp.js';

referenceTest(
  'arrays written by numpy (savez and savez_compressed) read back equal',
  hasPythonModules('numpy'),
  'python3-numpy',
  () => {
    const dir = tempDir();
    const script = `
import numpy as np, sys
rng = np.random.default_rng(0)
arrays = dict(
  train_images=rng.integers(0, 256, (5, 7, 6), dtype=np.uint8),
  train_labels=rng.integers(0, 3, (5, 1)).astype(np.uint8),
  volumes=rng.standard_normal((2, 3, 4, 5)).astype(np.float32),
  rgb=rng.integers(0, 256, (2, 4, 4, 3), dtype=np.uint8),
  f64=rng.standard_normal((3,)), i64=np.arange(-3, 3, dtype=np.int64), i16=np.array([[-7, 300]], dtype=np.int16),
)
np.savez(sys.argv[1] + '/plain.npz', **arrays)
np.savez_compressed(sys.argv[1] + '/packed.npz', **arrays)
for k, v in arrays.items():
  print(k, v.dtype.str, ' '.join(map(str, v.shape)), ' '.join(repr(float(x)) for x in v.ravel()))
`;
    const r = spawnSync(SYSTEM_PYTHON, ['-c', script, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const expected = r.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    for (const file of ['plain.npz', 'packed.npz']) {
      const arrays = readNpz(join(dir, file));
      assert.deepEqual(Object.keys(arrays).sort(), expected.map((e) => e[0]!).sort());
      for (const [name, descr, ...rest] of expected) {
        const a = arrays[name!]!;
        assert.equal(a.descr, descr, `${file} ${name} dtype`);
        const ndim = a.shape.length;
        assert.deepEqual(a.shape.map(String), rest.slice(0, ndim), `${file} ${name} shape`);
        assert.deepEqual(
          Array.from(a.data as ArrayLike<number | bigint>, Number),
          rest.slice(ndim).map(Number),
          `${file} ${name} values`,
        );
      }
    }
  },
);

test('refusals name the file and array', () => {
  const header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
  const bytes = new Uint8Array(10 + header.length + 16);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), 10);
  assert.throws(() => parseNpy(bytes, 'x.npz:a'), /x\.npz:a: Fortran-ordered arrays are not supported/);
  assert.throws(() => parseNpy(new Uint8Array(12), 'x.npz:b'), /x\.npz:b: not a \.npy array/);
  const dir = tempDir();
  writeFileSync(join(dir, 'text.npz'), 'hello');
  assert.throws(() => readNpz(join(dir, 'text.npz')), /text\.npz: not an \.npz \(zip\) archive/);
});
